//! What Kimiko read about addresses other than the wallet: a short page of
//! each looked-up address's history and a few of its transactions, already
//! normalised like the wallet's own. `solana` fetches it, `storage` caches
//! it across reports, `analysis` reads it; the choice of which signatures
//! of a page are worth reading ([`transactions_to_read`]) lives here so the
//! fetcher and the tests' pretend chain make the same one.

use serde::{Deserialize, Serialize};

use super::history::{SignatureInfo, Transaction};

/// Signatures asked for per looked-up address: enough to see what an
/// address did just before it funded someone, or what a deposit address
/// does with what it receives, in one call.
pub const LOOKUP_PAGE: usize = 10;
/// Of those, the newest executed transactions read (plus the address's
/// very first one when the page reaches it).
pub const LOOKUP_TRANSACTIONS: usize = 3;
/// The most JSON-RPC calls one lookup can cost: its signature page and
/// the transactions read from it.
pub const LOOKUP_MAX_CALLS: u32 = 1 + LOOKUP_TRANSACTIONS as u32 + 1;

/// Which page of an address's history a lookup reads: the newest, or the
/// one just before a signature (what an address did before it funded the
/// wallet). A page before a finalized signature never changes, so it is
/// safe to share between reports.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LookupKey {
    pub address: String,
    pub before: Option<String>,
}

impl LookupKey {
    pub fn newest(address: impl Into<String>) -> Self {
        Self { address: address.into(), before: None }
    }

    pub fn before(address: impl Into<String>, signature: impl Into<String>) -> Self {
        Self { address: address.into(), before: Some(signature.into()) }
    }
}

/// One looked-up address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddressLookup {
    pub key: LookupKey,
    /// Up to [`LOOKUP_PAGE`] signatures, newest first.
    pub signatures: Vec<SignatureInfo>,
    /// The page was not full, so its last signature is the address's first
    /// transaction.
    pub reaches_first: bool,
    /// The transactions read ([`transactions_to_read`]), newest first,
    /// normalised for the looked-up address.
    pub transactions: Vec<Transaction>,
    /// Not everything chosen was read: the node refused or failed the
    /// page, a transaction could not be read, or the request budget ran out
    /// in the middle of the page. Such a lookup is kept (so it is not asked
    /// for again) but never used by the analysis, and never cached.
    pub partial: bool,
}

/// Every lookup of one report, and what they cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Neighbourhood {
    /// How far the funding chain may be followed, in hops from the wallet
    /// (its direct funder is hop 1).
    pub max_hops: u8,
    /// The most JSON-RPC calls the lookups were allowed.
    pub budget: u32,
    /// JSON-RPC calls spent (lookups served from the cache cost none).
    pub calls: u32,
    /// Lookups served from the shared cache.
    pub cached: u32,
    /// Something was skipped: the budget ran out with links still to
    /// follow, or a lookup failed, was refused or was cut short.
    pub stopped_early: bool,
    /// Lookups that failed, were refused or were cut short (not used).
    #[serde(default)]
    pub incomplete: u32,
    /// In the order they were made.
    pub lookups: Vec<AddressLookup>,
}

impl Neighbourhood {
    /// Nothing looked up: the analysis stays within the wallet's own history.
    pub const NONE: Neighbourhood = Neighbourhood {
        max_hops: 0,
        budget: 0,
        calls: 0,
        cached: 0,
        stopped_early: false,
        incomplete: 0,
        lookups: Vec::new(),
    };

    pub fn new(max_hops: u8, budget: u32) -> Self {
        Self { max_hops, budget, ..Self::NONE }
    }

    pub fn get(&self, key: &LookupKey) -> Option<&AddressLookup> {
        self.lookups.iter().find(|lookup| lookup.key == *key)
    }

    pub fn contains(&self, key: &LookupKey) -> bool {
        self.get(key).is_some()
    }
}

/// The signatures of a lookup's page worth reading: the newest
/// [`LOOKUP_TRANSACTIONS`] that executed (what the address did last, or
/// just before the `before` signature), and its first transaction when the
/// page reaches it (where its own money came from). Newest first.
pub fn transactions_to_read(signatures: &[SignatureInfo], reaches_first: bool) -> Vec<&str> {
    let mut chosen: Vec<&str> = signatures
        .iter()
        .filter(|s| !s.failed)
        .take(LOOKUP_TRANSACTIONS)
        .map(|s| s.signature.as_str())
        .collect();
    if reaches_first
        && let Some(first) = signatures.iter().rev().find(|s| !s.failed)
        && !chosen.contains(&first.signature.as_str())
    {
        chosen.push(&first.signature);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, failed: &[usize]) -> Vec<SignatureInfo> {
        (0..n)
            .map(|i| SignatureInfo {
                signature: format!("s{i}"),
                slot: 100 - i as u64,
                block_time: Some(1_000 - i as i64),
                failed: failed.contains(&i),
            })
            .collect()
    }

    #[test]
    fn a_lookup_reads_the_newest_executed_transactions_and_the_first_when_it_is_in_the_page() {
        assert_eq!(transactions_to_read(&page(10, &[1]), false), ["s0", "s2", "s3"]);
        assert_eq!(transactions_to_read(&page(6, &[]), true), ["s0", "s1", "s2", "s5"]);
        assert_eq!(transactions_to_read(&page(2, &[]), true), ["s0", "s1"], "no signature twice");
        assert!(transactions_to_read(&[], true).is_empty());
        assert!(transactions_to_read(&page(4, &[0, 1, 2, 3]), true).is_empty(), "failed ones say nothing");
    }
}
