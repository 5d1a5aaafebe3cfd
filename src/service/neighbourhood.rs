//! Following the wallet's links beyond its own history, within a budget:
//! the analysis says which address to look up next
//! ([`analysis::leads`](crate::analysis::leads)), the shared cache answers
//! what it can, the RPC the rest (`solana::neighbourhood`), round after
//! round until nothing is left to follow or the budget of JSON-RPC calls is
//! spent. The worker and the CLI share it.
//!
//! Looking up another address never fails the report: a lookup the node
//! fails or refuses, or that the budget cuts short, is kept as `partial`
//! (the analysis does not use it) and the neighbourhood says it stopped
//! early; a cache that cannot be read or written is passed by.

use std::time::Duration;

use crate::analysis::{self, ANALYZER_VERSION, Labels, WalletHistory};
use crate::domain::neighbourhood::{AddressLookup, LookupKey, Neighbourhood};
use crate::solana::neighbourhood::fetch_lookups;
use crate::solana::{Progress, SolanaRpc};
use crate::storage::{self, Db};

/// How far and how much: the hop limit, the budget of JSON-RPC calls, and
/// how long a lookup is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub hops: u8,
    pub budget: u32,
    /// How long a page before a given signature (which cannot change) is shared.
    pub ttl: Duration,
    /// How long a newest page (which changes) is shared.
    pub newest_ttl: Duration,
    /// A fresh analysis: newest pages are read again, not taken from the cache.
    pub fresh: bool,
}

impl Limits {
    pub fn from_settings(settings: &crate::config::settings::Settings) -> Self {
        Self {
            hops: settings.hops,
            budget: settings.hop_budget,
            ttl: settings.lookup_ttl,
            newest_ttl: settings.newest_lookup_ttl,
            fresh: false,
        }
    }

    /// Until when (ms) a lookup of `key` made at `now` is shared: a page
    /// before a finalized signature cannot change and lives [`Limits::ttl`];
    /// a newest page changes and lives [`Limits::newest_ttl`] (`None`: not
    /// shared at all).
    pub fn shared_until(&self, key: &LookupKey, now: i64) -> Option<i64> {
        let ttl = if key.before.is_some() { self.ttl } else { self.newest_ttl };
        (!ttl.is_zero()).then(|| now + ttl.as_millis() as i64)
    }

    /// Nothing to follow: no budget, or no hop beyond the wallet's own funder.
    pub fn off(&self) -> bool {
        self.budget == 0 || self.hops < 2
    }
}

/// Looks up what the analysis of `history` needs about other addresses.
/// `cache` is the shared lookup cache (the CLI runs without one); `now` is
/// in milliseconds. Progress is reported as links followed of those known
/// so far.
pub async fn follow_links(
    rpc: &SolanaRpc,
    cache: Option<&Db>,
    labels: &Labels,
    history: &WalletHistory,
    limits: Limits,
    now: i64,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Neighbourhood {
    let mut neighbourhood = Neighbourhood::new(limits.hops, limits.budget);
    if limits.off() {
        return neighbourhood;
    }
    let mut budget = limits.budget;
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
            // A newest page changes: a fresh analysis reads it again.
            let shared = if key.before.is_none() && limits.fresh { None } else { cache };
            match cached(shared, &key, now).await {
                Some(hit) => {
                    neighbourhood.cached += 1;
                    neighbourhood.lookups.push(hit);
                }
                None => missing.push(key),
            }
        }
        let before = budget;
        let fetched = match fetch_lookups(rpc, &missing, &mut budget).await {
            Ok(fetched) => fetched,
            // Worth retrying, but not at the cost of the report: these
            // links are reported as not followed, and the rest stands.
            Err(error) => {
                tracing::warn!(%error, "an address lookup failed; the report is made without it");
                neighbourhood.calls += before - budget;
                neighbourhood.incomplete += missing.len() as u32;
                neighbourhood.lookups.extend(missing.into_iter().map(failed));
                neighbourhood.stopped_early = true;
                break;
            }
        };
        neighbourhood.calls += before - budget;
        let left_out = missing.len() > fetched.len();
        for lookup in fetched {
            if lookup.partial {
                neighbourhood.incomplete += 1;
            } else if let Some(db) = cache
                && let Some(expires_at) = limits.shared_until(&lookup.key, now)
                && let Err(error) =
                    storage::lookups::put(db, &lookup, ANALYZER_VERSION, now, expires_at).await
            {
                tracing::warn!(error = format!("{error:#}"), "could not cache an address lookup");
            }
            neighbourhood.lookups.push(lookup);
        }
        on_progress(Progress::following_links(neighbourhood.lookups.len() as u32, known));
        if left_out {
            // The budget could not even start them.
            neighbourhood.stopped_early = true;
            break;
        }
    }
    if neighbourhood.incomplete > 0 || !analysis::leads(history, &neighbourhood, labels).is_empty() {
        neighbourhood.stopped_early = true;
    }
    neighbourhood
}

/// The shared cache's copy of `key`; a cache that cannot be read is a miss.
async fn cached(cache: Option<&Db>, key: &LookupKey, now: i64) -> Option<AddressLookup> {
    match storage::lookups::get(cache?, key, ANALYZER_VERSION, now).await {
        Ok(hit) => hit,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "could not read the address lookup cache");
            None
        }
    }
}

/// What is known of a lookup whose calls failed: nothing, so it is kept as
/// partial and never asked for again in this report.
fn failed(key: LookupKey) -> AddressLookup {
    AddressLookup {
        key,
        signatures: Vec::new(),
        reaches_first: false,
        transactions: Vec::new(),
        partial: true,
    }
}
