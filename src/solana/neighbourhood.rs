//! Looking up addresses other than the wallet, within a budget of JSON-RPC
//! calls: one signature page per address, all of them in one batch, then the
//! few transactions worth reading from each page
//! ([`transactions_to_read`]), all in one batch again, through the same
//! client (and its endpoint rotation, retries and batching) as the wallet's
//! own history.

use serde_json::{Value, json};

use super::client::{Call, RpcError, SolanaRpc};
use super::normalize;
use super::wire::transaction_params;
use super::wire::{EncodedTransaction, SignatureStatus, TRANSACTION_VERSION_NOT_SUPPORTED};
use crate::domain::history::{SignatureInfo, Transaction};
use crate::domain::neighbourhood::{AddressLookup, LOOKUP_PAGE, LookupKey, transactions_to_read};

/// Looks up `keys`, in order, spending at most `budget` JSON-RPC calls (and
/// taking what it spent off it). Keys the budget cannot start are left out
/// of the answer; a lookup whose transactions the budget cut short comes
/// back `partial`. An address the node fails or refuses to answer about
/// comes back empty and partial, so the report goes on without that one
/// link (retrying is not worth holding the report for); only a failure of
/// a whole request is an error, and the caller reports it as links not
/// followed.
pub async fn fetch_lookups(
    rpc: &SolanaRpc,
    keys: &[LookupKey],
    budget: &mut u32,
) -> Result<Vec<AddressLookup>, RpcError> {
    let keys = &keys[..keys.len().min(*budget as usize)];
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let calls: Vec<Call> = keys.iter().map(|key| ("getSignaturesForAddress", page_params(key))).collect();
    *budget -= keys.len() as u32;
    let pages = rpc.call_many::<Vec<SignatureStatus>>(calls).await?;

    let mut lookups: Vec<AddressLookup> = Vec::with_capacity(keys.len());
    for (key, page) in keys.iter().zip(pages) {
        let (signatures, reaches_first, refused) = match page {
            Ok(page) => {
                let signatures: Vec<SignatureInfo> = page.iter().map(normalize::signature_info).collect();
                let reaches_first = signatures.len() < LOOKUP_PAGE;
                (signatures, reaches_first, false)
            }
            Err(error) => {
                tracing::warn!(%error, "the RPC failed or refused an address lookup; that link is not followed");
                (Vec::new(), false, true)
            }
        };
        lookups.push(AddressLookup {
            key: key.clone(),
            signatures,
            reaches_first,
            transactions: Vec::new(),
            partial: refused,
        });
    }

    // What each page is worth reading, in key order: what was read before
    // costs nothing (`tx_cache`), the rest as far as the budget goes.
    let worth: Vec<(usize, String)> = lookups
        .iter()
        .enumerate()
        .flat_map(|(index, lookup)| {
            transactions_to_read(&lookup.signatures, lookup.reaches_first)
                .into_iter()
                .map(move |s| (index, s.to_owned()))
        })
        .collect();
    let all: Vec<String> = worth.iter().map(|(_, signature)| signature.clone()).collect();
    let mut kept = rpc.transaction_store().get(&all).await;
    let mut read: Vec<Vec<Transaction>> = vec![Vec::new(); lookups.len()];
    let mut wanted: Vec<(usize, String)> = Vec::new();
    for (index, signature) in worth {
        let lookup = &mut lookups[index];
        if let Some(tx) =
            kept.remove(&signature).and_then(|raw| serde_json::from_value::<EncodedTransaction>(raw).ok())
        {
            read[index].push(normalize::transaction(&lookup.key.address, &tx));
        } else if wanted.len() < *budget as usize {
            wanted.push((index, signature));
        } else {
            lookup.partial = true;
        }
    }
    *budget -= wanted.len() as u32;
    let calls: Vec<Call> =
        wanted.iter().map(|(_, signature)| ("getTransaction", transaction_params(signature))).collect();
    let answers = rpc.call_many::<Value>(calls).await?;
    let mut fresh: Vec<(String, Value)> = Vec::new();
    for ((index, signature), answer) in wanted.iter().zip(answers) {
        let lookup = &mut lookups[*index];
        let answer = answer.and_then(|raw| {
            let tx = serde_json::from_value::<Option<EncodedTransaction>>(raw.clone())
                .map_err(|e| RpcError::Malformed { host: String::new(), message: e.to_string() })?;
            Ok(tx.map(|tx| (tx, raw)))
        });
        match answer {
            Ok(Some((tx, raw))) => {
                read[*index].push(normalize::transaction(&lookup.key.address, &tx));
                fresh.push((signature.clone(), raw));
            }
            // Pruned, or a version newer than we read: the page says less
            // than it seems (a deposit address that "does nothing else", a
            // funder with no receipt), so the lookup is not used.
            Ok(None) | Err(RpcError::Rpc { code: TRANSACTION_VERSION_NOT_SUPPORTED, .. }) => {
                lookup.partial = true
            }
            Err(error) => {
                tracing::warn!(%error, "the RPC failed or refused a transaction of a looked-up address");
                lookup.partial = true;
            }
        }
    }
    rpc.transaction_store().put(&fresh).await;
    for (lookup, mut transactions) in lookups.iter_mut().zip(read) {
        // Kept ones came first: back to newest first, as the page lists them.
        transactions.sort_by(|a, b| b.slot.cmp(&a.slot).then_with(|| b.signature.cmp(&a.signature)));
        lookup.transactions = transactions;
    }
    Ok(lookups)
}

fn page_params(key: &LookupKey) -> Value {
    let mut options = json!({"limit": LOOKUP_PAGE, "commitment": "finalized"});
    if let Some(before) = &key.before {
        options["before"] = json!(before);
    }
    json!([key.address, options])
}
