//! Signature lists: read newest first page by page ([`fetch_signatures`]),
//! and remembered between reads, so a fresh analysis of a
//! wallet that did nothing new asks only "anything since?": one
//! `getSignaturesForAddress` with `until` the newest signature read last
//! time, instead of every page again. Kept in the same store as the
//! transactions (`super::tx_store::TransactionStore::list`).
//!
//! Finalized signatures never leave a list, and a new one is always newer
//! than every finalized one before it, so "the new page, then the old
//! list" is the list the node would give now.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::{RpcError, SolanaRpc};
use super::wire::SignatureStatus;

/// The most `getSignaturesForAddress` returns per call.
pub const SIGNATURE_PAGE: usize = 1000;

/// What was listed for one address.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Listed {
    /// Newest first, up to the cap it was read under.
    pub statuses: Vec<SignatureStatus>,
    /// The address has more history than `statuses`.
    pub truncated: bool,
    /// The wallet's balance then (owners only). Every change of a system
    /// account's lamports names it in the transaction, so with no new
    /// signature the balance is the same.
    #[serde(default)]
    pub balance: Option<u64>,
    /// A token account's amount then: money that reached it without naming
    /// the owner shows here first.
    #[serde(default)]
    pub amount: Option<u64>,
}

impl Listed {
    pub fn newest(&self) -> Option<&str> {
        self.statuses.first().map(|s| s.signature.as_str())
    }

    /// `page` (everything newer than this list) in front of it, under `cap`.
    pub fn extended(&self, page: Vec<SignatureStatus>, cap: usize) -> (Vec<SignatureStatus>, bool) {
        // A node that ignored `until` would repeat the list: never twice.
        let mut statuses: Vec<SignatureStatus> = page
            .into_iter()
            .filter(|new| !self.statuses.iter().any(|s| s.signature == new.signature))
            .collect();
        statuses.extend(self.statuses.iter().cloned());
        let truncated = self.truncated || statuses.len() > cap;
        statuses.truncate(cap);
        (statuses, truncated)
    }
}

/// What was listed for `address` last time, if it is still readable.
pub async fn remembered(rpc: &SolanaRpc, address: &str) -> Option<Listed> {
    let value = rpc.transaction_store().list(address).await?;
    serde_json::from_value(value).ok()
}

pub async fn remember(rpc: &SolanaRpc, address: &str, listed: &Listed) {
    if let Ok(value) = serde_json::to_value(listed) {
        rpc.transaction_store().put_list(address, value).await;
    }
}

/// `getSignaturesForAddress` options for the newest `limit`, after `until`.
pub fn options(limit: usize, until: Option<&str>) -> serde_json::Value {
    let mut options = json!({"limit": limit, "commitment": "finalized"});
    if let Some(until) = until {
        options["until"] = json!(until);
    }
    options
}

/// The owner's signatures, newest first up to `cap`, whether there are
/// more, and how many are new since `previous`: with a remembered list, one
/// call asks for what is newer; without one, or when a whole page is new,
/// the list is paged from the newest.
pub async fn signatures_since(
    rpc: &SolanaRpc,
    address: &str,
    cap: usize,
    previous: Option<&Listed>,
) -> Result<(Vec<SignatureStatus>, bool, usize), RpcError> {
    if let Some(previous) = previous
        && let Some(newest) = previous.newest()
    {
        let limit = (cap + 1).min(SIGNATURE_PAGE);
        let page: Vec<SignatureStatus> =
            rpc.call("getSignaturesForAddress", json!([address, options(limit, Some(newest))])).await?;
        if page.len() < limit {
            let new = page.len();
            let (statuses, truncated) = previous.extended(page, cap);
            return Ok((statuses, truncated, new));
        }
    }
    let (statuses, truncated) = fetch_signatures(rpc, address, cap).await?;
    let new = statuses.len();
    Ok((statuses, truncated, new))
}

/// Newest first, paging back with `before` until the history ends or the
/// cap is reached. Returns whether there is more history beyond the cap.
async fn fetch_signatures(
    rpc: &SolanaRpc,
    wallet: &str,
    cap: usize,
) -> Result<(Vec<SignatureStatus>, bool), RpcError> {
    let mut statuses: Vec<SignatureStatus> = Vec::new();
    loop {
        // Ask for one more than the cap needs, to learn whether it truncates.
        let limit = (cap + 1 - statuses.len()).min(SIGNATURE_PAGE);
        let mut options = json!({"limit": limit, "commitment": "finalized"});
        if let Some(last) = statuses.last() {
            options["before"] = json!(last.signature);
        }
        let page: Vec<SignatureStatus> =
            rpc.call("getSignaturesForAddress", json!([wallet, options])).await?;
        let full = page.len() == limit;
        statuses.extend(page);
        if statuses.len() > cap {
            statuses.truncate(cap);
            return Ok((statuses, true));
        }
        if !full {
            return Ok((statuses, false));
        }
    }
}
