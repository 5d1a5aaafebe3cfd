//! Turning what a person typed in the wallet field into the wallet to
//! analyse: an address as it is, a `.sol` name resolved on chain
//! ([`crate::solana::sns`]). Shared by the form, the JSON API, the report
//! links and (without the cache) the command line.
//!
//! Answers are kept for [`NAME_TTL`] in a small in-process cache: a name
//! shared in a chat is looked up once, not once per click, and a crawler
//! asking again and again for a name that does not exist costs one
//! lookup a minute. Failures to ask (the node did not answer) are not kept.
//! Every lookup that reaches the node is made after the client's rate
//! limit has taken its token (the form's post passes the per-client limit
//! first; the report links take one themselves: `server::names`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::domain::{SolName, WalletAddress};
use crate::solana::SolanaRpc;
use crate::solana::sns::{self, ResolveError, Via};

/// How long an answer about a name is kept.
pub const NAME_TTL: Duration = Duration::from_secs(60);
/// The most names kept at once.
const MAX_NAMES: usize = 4096;

/// What is known about a name: its wallet, or why it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameAnswer {
    Wallet {
        wallet: WalletAddress,
        via: Via,
    },
    /// The message for the person: the name does not exist, has no owner…
    NoWallet(String),
}

/// Answers about names, each until it is [`NAME_TTL`] old.
#[derive(Clone, Default)]
pub struct NameCache {
    entries: Arc<Mutex<HashMap<SolName, (NameAnswer, i64)>>>,
}

impl NameCache {
    /// The kept answer about `name`, if it is still fresh at `now` (ms).
    pub fn get(&self, name: &SolName, now: i64) -> Option<NameAnswer> {
        let entries = self.entries.lock().expect("name cache lock");
        entries.get(name).filter(|(_, until)| *until > now).map(|(answer, _)| answer.clone())
    }

    fn put(&self, name: &SolName, answer: &NameAnswer, now: i64) {
        let mut entries = self.entries.lock().expect("name cache lock");
        if entries.len() >= MAX_NAMES {
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= MAX_NAMES {
                // A flood of distinct names: start again rather than grow.
                entries.clear();
            }
        }
        entries.insert(name.clone(), (answer.clone(), now + NAME_TTL.as_millis() as i64));
    }

    /// What `name` stands for at `now` (ms): the kept answer, or the node's
    /// through `rpc`, kept from then on.
    pub async fn resolve(
        &self,
        rpc: &SolanaRpc,
        name: &SolName,
        now: i64,
    ) -> Result<NameAnswer, LookupFailed> {
        if let Some(answer) = self.get(name, now) {
            return Ok(answer);
        }
        let answer = answer_from(sns::resolve(rpc, name).await)?;
        tracing::info!(name = %name, found = matches!(answer, NameAnswer::Wallet { .. }), "looked up a .sol name");
        self.put(name, &answer, now);
        Ok(answer)
    }
}

/// The node could not be asked about the name.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LookupFailed(pub String);

/// A resolution's outcome as an answer, or the failure to ask.
pub fn answer_from(outcome: Result<sns::Resolved, ResolveError>) -> Result<NameAnswer, LookupFailed> {
    match outcome {
        Ok(resolved) => Ok(NameAnswer::Wallet { wallet: resolved.wallet, via: resolved.via }),
        Err(error) if error.is_about_the_name() => Ok(NameAnswer::NoWallet(error.to_string())),
        Err(error) => {
            tracing::warn!(%error, "a .sol name could not be looked up");
            Err(LookupFailed(error.to_string()))
        }
    }
}
