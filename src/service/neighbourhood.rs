//! Following the wallet's links beyond its own history, within a budget:
//! the analysis says which address to look up next
//! ([`analysis::leads`](crate::analysis::leads)), the shared cache answers
//! what it can, the RPC the rest (`solana::neighbourhood`), round after
//! round until nothing is left to follow or the budget of JSON-RPC calls is
//! spent. The worker and the CLI share it.

use std::time::Duration;

use crate::analysis::{self, Labels, WalletHistory};
use crate::domain::neighbourhood::Neighbourhood;
use crate::solana::neighbourhood::fetch_lookups;
use crate::solana::{Progress, SolanaRpc};
use crate::storage::{self, Db};

/// How far and how much: the hop limit, the budget of JSON-RPC calls, and
/// how long a lookup is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub hops: u8,
    pub budget: u32,
    pub ttl: Duration,
}

impl Limits {
    pub fn from_settings(settings: &crate::config::settings::Settings) -> Self {
        Self { hops: settings.hops, budget: settings.hop_budget, ttl: settings.lookup_ttl }
    }

    /// Nothing to follow: no budget, or no hop beyond the wallet's own funder.
    pub fn off(&self) -> bool {
        self.budget == 0 || self.hops < 2
    }
}

/// Looks up what the analysis of `history` needs about other addresses.
/// `cache` is the shared lookup cache (the CLI runs without one); `now` is
/// in milliseconds. Progress is reported as links followed of those known
/// so far. The RPC failing ends the following, marked `stopped_early`, not
/// the report; only the cache's storage errors are returned.
pub async fn follow_links(
    rpc: &SolanaRpc,
    cache: Option<&Db>,
    labels: &Labels,
    history: &WalletHistory,
    limits: Limits,
    now: i64,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> anyhow::Result<Neighbourhood> {
    let mut neighbourhood = Neighbourhood::new(limits.hops, limits.budget);
    if limits.off() {
        return Ok(neighbourhood);
    }
    let mut budget = limits.budget;
    let expires_at = now + limits.ttl.as_millis() as i64;
    // Each round adds every lead it is given (or stops), and the leads are
    // bounded by the hop limit and the payees looked at: this ends. The
    // cap is a second guard, not the rule.
    for _round in 0..=usize::from(limits.hops) + 1 {
        let leads = analysis::leads(history, &neighbourhood, labels);
        if leads.is_empty() {
            break;
        }
        let known = (neighbourhood.lookups.len() + leads.len()) as u32;
        on_progress(Progress::following_links(neighbourhood.lookups.len() as u32, known));
        let mut missing = Vec::new();
        for key in leads {
            match cache {
                Some(db) => match storage::lookups::get(db, &key, now).await? {
                    Some(hit) => {
                        neighbourhood.cached += 1;
                        neighbourhood.lookups.push(hit);
                    }
                    None => missing.push(key),
                },
                None => missing.push(key),
            }
        }
        let before = budget;
        let fetched = fetch_lookups(rpc, &missing, &mut budget).await;
        neighbourhood.calls += before - budget;
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(error) => {
                // Other addresses are context for this wallet's report: a
                // provider failing on them (after the client's own retries)
                // costs the report its more distant links, not the report.
                tracing::warn!(%error, "the RPC failed while following links; the report goes on without them");
                neighbourhood.stopped_early = true;
                break;
            }
        };
        let cut_short = fetched.len() < missing.len() || fetched.iter().any(|lookup| lookup.partial);
        // Anything skipped or unread is said, whatever the budget left.
        neighbourhood.stopped_early |= cut_short;
        for lookup in fetched {
            if let Some(db) = cache
                && !lookup.partial
            {
                storage::lookups::put(db, &lookup, now, expires_at).await?;
            }
            neighbourhood.lookups.push(lookup);
        }
        on_progress(Progress::following_links(neighbourhood.lookups.len() as u32, known));
        if cut_short && budget == 0 {
            break;
        }
    }
    Ok(neighbourhood)
}
