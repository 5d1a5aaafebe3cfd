//! Fetching one wallet's history: signatures (paged with `before`, up to the
//! history cap), the transactions behind them (batched), balance and token
//! accounts — normalised for the analysis.

use serde_json::{Value, json};

use super::client::{Call, RpcError, SolanaRpc};
use super::normalize;
use super::wire::{EncodedTransaction, SignatureStatus, TRANSACTION_VERSION_NOT_SUPPORTED};
use crate::domain::history::WalletHistory;
use crate::domain::{JobPhase, WalletAddress};

/// The most `getSignaturesForAddress` returns per call.
pub const SIGNATURE_PAGE: usize = 1000;
/// Transaction format v1 is live on mainnet (since slot 447,120,000); asking
/// for less makes the node refuse every v1 transaction with -32015.
pub const MAX_SUPPORTED_TRANSACTION_VERSION: u8 = 1;

/// A job's progress: transactions fetched out of those found, then links
/// followed out of those known so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub phase: JobPhase,
    pub done: u32,
    pub total: u32,
}

impl Progress {
    pub fn fetching(done: u32, total: u32) -> Self {
        Self { phase: JobPhase::Fetching, done, total }
    }

    pub fn following_links(done: u32, total: u32) -> Self {
        Self { phase: JobPhase::FollowingLinks, done, total }
    }
}

/// How many transactions could not be read, and why, so nothing is dropped
/// silently.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gaps {
    /// The node no longer has them (`null`): pruned history.
    pub missing: u32,
    /// Newer than the version we can read (-32015).
    pub unsupported_version: u32,
}

pub async fn fetch_history(
    rpc: &SolanaRpc,
    wallet: &WalletAddress,
    history_cap: usize,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(WalletHistory, Gaps), RpcError> {
    // Where the endpoint has it, one call reads 100 whole transactions.
    if let Some(found) = super::fast_history::fetch_history(rpc, wallet, history_cap, on_progress).await? {
        return Ok(found);
    }
    let (statuses, truncated) = fetch_signatures(rpc, wallet, history_cap).await?;
    let total = statuses.len() as u32;
    on_progress(Progress::fetching(0, total));

    let mut transactions = Vec::with_capacity(statuses.len());
    let mut gaps = Gaps::default();
    let mut done = 0;
    // One batch group at a time so progress moves while we fetch.
    let group = rpc.batch_size * rpc.concurrency;
    for chunk in statuses.chunks(group.max(1)) {
        let calls: Vec<Call> =
            chunk.iter().map(|s| ("getTransaction", transaction_params(&s.signature))).collect();
        let results = rpc.call_many::<Option<EncodedTransaction>>(calls).await?;
        for result in results {
            match result {
                Ok(Some(tx)) => transactions.push(normalize::transaction(wallet.as_str(), &tx)),
                Ok(None) => gaps.missing += 1,
                Err(RpcError::Rpc { code: TRANSACTION_VERSION_NOT_SUPPORTED, .. }) => {
                    gaps.unsupported_version += 1;
                }
                Err(error) => return Err(error),
            }
        }
        done += chunk.len() as u32;
        on_progress(Progress::fetching(done, total));
    }

    let (balance, token_accounts) = super::holdings::balance_and_holdings(rpc, wallet).await?;

    let history = WalletHistory {
        wallet: wallet.to_string(),
        signatures: statuses.iter().map(normalize::signature_info).collect(),
        transactions,
        history_truncated: truncated,
        balance_lamports: Some(balance),
        token_accounts,
    };
    Ok((history, gaps))
}

/// Newest first, paging back with `before` until the history ends or the
/// cap is reached. Returns whether there is more history beyond the cap.
async fn fetch_signatures(
    rpc: &SolanaRpc,
    wallet: &WalletAddress,
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
            rpc.call("getSignaturesForAddress", json!([wallet.as_str(), options])).await?;
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

pub fn transaction_params(signature: &str) -> Value {
    json!([signature, {
        "encoding": "jsonParsed",
        "maxSupportedTransactionVersion": MAX_SUPPORTED_TRANSACTION_VERSION,
        "commitment": "finalized",
    }])
}
