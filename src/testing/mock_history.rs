//! `getTransactionsForAddress` as the mock answers it, following Helius's
//! documentation (<https://www.helius.dev/docs/api-reference/rpc/http/gettransactionsforaddress>,
//! <https://www.helius.dev/docs/rpc/gettransactionsforaddress>), which
//! QuickNode and OrbitFlare mirror:
//!
//! - params `[address, {transactionDetails: "signatures"|"full", sortOrder:
//!   "desc"|"asc", limit, paginationToken, commitment, encoding,
//!   maxSupportedTransactionVersion, filters: {tokenAccounts:
//!   "none"|"balanceChanged"|"all", …}}]`; `limit` is 1–1000 for signatures
//!   and 1–100 for full transactions;
//! - result `{"data": [...], "paginationToken": "slot:position" | null}`,
//!   each item a `getSignaturesForAddress` entry (signatures) or a
//!   `getTransaction` result (full), with its `transactionIndex`;
//! - `tokenAccounts: "balanceChanged"` adds the transactions that changed
//!   the balance of a token account the address owns (read from the token
//!   balances' `owner`), `"all"` every one that names such an account.
//!
//! Only the filters Kimiko uses are implemented; the others are ignored.

use serde_json::{Value, json};

use super::chain::{Chain, recorded_status};

/// Mainnet's "Invalid params" code.
const INVALID_PARAMS: i64 = -32602;

/// One page of `address`'s history, or a JSON-RPC error `(code, message)`.
pub fn transactions_for_address(
    chain: &Chain,
    address: &str,
    options: &Value,
) -> Result<Value, (i64, String)> {
    let invalid = |message: String| (INVALID_PARAMS, format!("Invalid params: {message}"));
    let full = match options["transactionDetails"].as_str().unwrap_or("signatures") {
        "signatures" => false,
        "full" => true,
        other => return Err(invalid(format!("unknown transactionDetails '{other}'"))),
    };
    let max = if full { 100 } else { 1000 };
    let limit = options["limit"].as_u64().unwrap_or(max);
    if !(1..=max).contains(&limit) {
        return Err(invalid(format!("limit must be 1 to {max} with this transactionDetails")));
    }
    let token_accounts = options["filters"]["tokenAccounts"].as_str().unwrap_or("none");
    if !matches!(token_accounts, "none" | "balanceChanged" | "all") {
        return Err(invalid(format!("unknown tokenAccounts '{token_accounts}'")));
    }

    // The address's own history, then what reached its token accounts.
    let mut entries: Vec<(u64, Value)> = chain.signatures(address).to_vec();
    if token_accounts != "none" {
        let listed: std::collections::HashSet<String> =
            entries.iter().filter_map(|(_, s)| s["signature"].as_str().map(str::to_owned)).collect();
        for (signature, tx) in chain.transactions() {
            if listed.contains(signature) {
                continue;
            }
            if touches_token_account_of(tx, address, token_accounts == "balanceChanged") {
                entries.push((tx["slot"].as_u64().unwrap_or_default(), recorded_status(tx)));
            }
        }
    }
    // Newest first, ties by signature: the order the chain lists them in.
    entries
        .sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then(b["signature"].as_str().cmp(&a["signature"].as_str())));
    if options["sortOrder"].as_str() == Some("asc") {
        entries.reverse();
    }

    let start = match options["paginationToken"].as_str() {
        None => 0,
        Some(token) => {
            let (slot, position) = token
                .split_once(':')
                .and_then(|(slot, position)| {
                    Some((slot.parse::<u64>().ok()?, position.parse::<usize>().ok()?))
                })
                .ok_or_else(|| invalid("malformed paginationToken".into()))?;
            if entries.get(position).is_none_or(|(s, _)| *s != slot) {
                return Err(invalid("unknown paginationToken".into()));
            }
            position + 1
        }
    };
    let asked_version = options["maxSupportedTransactionVersion"].as_u64();
    let mut data = Vec::new();
    let mut last = None;
    for (position, (slot, status)) in entries.iter().enumerate().skip(start).take(limit as usize) {
        last = Some((*slot, position));
        let signature = status["signature"].as_str().unwrap_or_default();
        let mut item = if full {
            // What the node no longer has is not listed with its body.
            let Some(tx) = chain.transaction(signature) else { continue };
            if let Some(version) = tx["version"].as_u64()
                && asked_version.is_none_or(|max| max < version)
            {
                return Err((
                    -32015,
                    format!(
                        "Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"
                    ),
                ));
            }
            tx.clone()
        } else {
            status.clone()
        };
        item["transactionIndex"] = json!(0);
        data.push(item);
    }
    let more = last.is_some_and(|(_, position)| position + 1 < entries.len());
    let token = last.filter(|_| more).map(|(slot, position)| format!("{slot}:{position}"));
    Ok(json!({"data": data, "paginationToken": token}))
}

/// Whether `tx` moved (or, unless `changed_only`, named) a token account
/// that `owner` owns, going by the token balances the node recorded.
fn touches_token_account_of(tx: &Value, owner: &str, changed_only: bool) -> bool {
    let balances = |side: &str| -> Vec<(u64, String)> {
        tx["meta"][side]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["owner"] == owner)
            .map(|b| {
                let index = b["accountIndex"].as_u64().unwrap_or_default();
                (index, b["uiTokenAmount"]["amount"].as_str().unwrap_or("0").to_owned())
            })
            .collect()
    };
    let (pre, post) = (balances("preTokenBalances"), balances("postTokenBalances"));
    if !changed_only {
        return !pre.is_empty() || !post.is_empty();
    }
    let amount = |side: &[(u64, String)], index: u64| {
        side.iter().find(|(i, _)| *i == index).map_or("0".to_owned(), |(_, a)| a.clone())
    };
    pre.iter().chain(&post).any(|(index, _)| amount(&pre, *index) != amount(&post, *index))
}
