//! Reading a wallet's history with `getTransactionsForAddress`, where the
//! endpoint has it (Helius, QuickNode, OrbitFlare; not the public endpoint):
//! up to 100 whole transactions per call instead of one signature page plus
//! one `getTransaction` per transaction, and with `tokenAccounts:
//! "balanceChanged"` also the transactions that reached the wallet's token
//! accounts without naming the wallet (which `getSignaturesForAddress` of
//! the owner never lists).
//!
//! Request and response as Helius documents them
//! (<https://www.helius.dev/docs/api-reference/rpc/http/gettransactionsforaddress>,
//! <https://www.helius.dev/docs/rpc/gettransactionsforaddress>):
//! `params: [address, {transactionDetails: "full", sortOrder: "desc",
//! limit: 1–100, paginationToken, commitment, encoding: "jsonParsed",
//! maxSupportedTransactionVersion, filters: {tokenAccounts:
//! "balanceChanged"}}]` → `{"data": [getTransaction results, each with its
//! transactionIndex], "paginationToken": "slot:position" | null}`; a null
//! token means the history has no more. QuickNode
//! (<https://www.quicknode.com/docs/solana/getTransactionsForAddress>) and
//! OrbitFlare (<https://docs.orbitflare.com/fetching-data/getTransactionsForAddress>)
//! document the same shapes.
//!
//! The first call is the probe: an endpoint that answers "method not found"
//! (-32601), or refuses the method in another way waiting cannot fix (a
//! plan without it), is remembered by the client and never asked again, and
//! the caller reads the history the standard way. So is every endpoint
//! after an answer that does not have the documented shape.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{RpcError, SolanaRpc};
use super::holdings::balance_and_holdings;
use super::normalize;
use super::read_status::{Gaps, Progress};
use super::wire::{EncodedTransaction, MAX_SUPPORTED_TRANSACTION_VERSION};
use crate::domain::WalletAddress;
use crate::domain::history::{SignatureInfo, TokenAccountReads, WalletHistory};

/// The most whole transactions one call returns.
pub const FULL_PAGE: usize = 100;

/// One page of `getTransactionsForAddress` with `transactionDetails: "full"`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    data: Vec<EncodedTransaction>,
    #[serde(default)]
    pagination_token: Option<String>,
}

/// The wallet's history read through `getTransactionsForAddress`, newest
/// first up to `history_cap`; `None` when no endpoint has the method (the
/// caller then uses the standard methods).
pub async fn fetch_history(
    rpc: &SolanaRpc,
    wallet: &WalletAddress,
    history_cap: usize,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Option<(WalletHistory, Gaps)>, RpcError> {
    if !rpc.may_answer_transactions_for_address() {
        return Ok(None);
    }
    let mut transactions = Vec::new();
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    let truncated = loop {
        let limit = (history_cap - transactions.len()).min(FULL_PAGE);
        let asked = rpc.call_transactions_for_address::<Value>(params(wallet, limit, token.as_deref())).await;
        let answer = match asked {
            Ok(answer) => answer,
            // Asked only of endpoints not known to lack it, so this is the
            // probe (or an endpoint in rotation that lacks it): the client
            // now knows, and the standard methods read the history.
            Err(error) if !error.is_retryable() => return Ok(None),
            Err(error) => return Err(error),
        };
        // Whole finalized transactions, as `getTransaction` gives them (with
        // a `transactionIndex` besides): kept like its answers, so a later
        // standard read or a lookup never asks for them again.
        let whole: Vec<(String, Value)> = answer["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|tx| Some((tx["transaction"]["signatures"][0].as_str()?.to_owned(), tx.clone())))
            .collect();
        let page: Page = match serde_json::from_value(answer) {
            Ok(page) => page,
            Err(error) => {
                // A provider whose answer differs from the documented shape
                // would fail every report: read the standard way instead.
                tracing::warn!(%error, "unreadable getTransactionsForAddress answer; using the standard methods");
                rpc.stop_asking_transactions_for_address();
                return Ok(None);
            }
        };
        rpc.transaction_store().put(&whole).await;
        let empty = page.data.is_empty();
        for tx in page.data {
            let Some(signature) = tx.transaction.signatures.first() else { continue };
            if seen.insert(signature.clone()) {
                transactions.push(normalize::transaction(wallet.as_str(), &tx));
            }
        }
        token = page.pagination_token;
        let more = token.is_some() && !empty;
        let done = transactions.len().min(history_cap) as u32;
        let estimate = if more { done as usize + FULL_PAGE } else { done as usize };
        on_progress(Progress::fetching(done, estimate.min(history_cap) as u32));
        if transactions.len() >= history_cap {
            // A token after the cap is reached says there is more.
            transactions.truncate(history_cap);
            break more;
        }
        if !more {
            break false;
        }
    };
    let (balance, token_accounts) = balance_and_holdings(rpc, wallet).await?;
    // With `tokenAccounts: "balanceChanged"` the provider includes what
    // reached the wallet's token accounts: the transactions that do not
    // name the wallet itself came that way.
    let via_token_accounts =
        transactions.iter().filter(|tx| !tx.accounts.iter().any(|a| a == wallet.as_str())).count();
    let history = WalletHistory {
        wallet: wallet.to_string(),
        signatures: transactions.iter().map(SignatureInfo::of).collect(),
        transactions,
        history_truncated: truncated,
        balance_lamports: Some(balance),
        token_accounts,
        token_account_reads: TokenAccountReads {
            transactions: via_token_accounts as u32,
            ..TokenAccountReads::default()
        },
    };
    // Nothing is missing or unreadable: the provider lists only what it
    // has, at the version we ask for.
    Ok(Some((history, Gaps::default())))
}

fn params(wallet: &WalletAddress, limit: usize, token: Option<&str>) -> Value {
    let mut options = json!({
        "transactionDetails": "full",
        "sortOrder": "desc",
        "limit": limit,
        "commitment": "finalized",
        "encoding": "jsonParsed",
        "maxSupportedTransactionVersion": MAX_SUPPORTED_TRANSACTION_VERSION,
        "filters": {"tokenAccounts": "balanceChanged"},
    });
    if let Some(token) = token {
        options["paginationToken"] = json!(token);
    }
    json!([wallet.as_str(), options])
}
