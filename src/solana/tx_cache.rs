//! Never read a finalized transaction twice: what `getTransaction` answered
//! (asked at `finalized` commitment, so it can never change) is kept by
//! signature in a [`super::tx_store::TransactionStore`] and read from there by every report,
//! every attempt of a job and every lookup of another address.
//!
//! The store is a trait so this layer knows no database: the server plugs
//! in `storage::transactions::StoredTransactions` (shared by every process
//! on the database, bounded, oldest out first); the CLI and tests get
//! [`super::tx_store::MemoryTransactions`], bounded the same way, in this process only.
//! A store that fails is a miss (the transaction is read from the RPC), never
//! an error of the report: the RPC's answer is the same.

use std::collections::HashMap;

use serde_json::Value;

use super::client::{Call, RpcError, SolanaRpc};
use super::normalize;
use super::read_status::Gaps;
use super::wire::{EncodedTransaction, TRANSACTION_VERSION_NOT_SUPPORTED, transaction_params};
use crate::domain::history::Transaction;

/// What reading a list of signatures gave: the transactions (in the list's
/// order, those that could be read) and how many came from the store.
pub struct Read {
    pub transactions: Vec<Transaction>,
    pub from_store: u32,
}

/// Reads the transactions behind `signatures` for `owner`: what the store
/// has from there, the rest from the RPC in groups of batches, each group
/// kept as soon as it arrives (so an attempt cut short leaves what it read
/// to the next). `on_read` hears how many are done after each step.
pub async fn read_transactions(
    rpc: &SolanaRpc,
    owner: &str,
    signatures: &[String],
    gaps: &mut Gaps,
    on_read: &mut (dyn FnMut(u32) + Send),
) -> Result<Read, RpcError> {
    let store = rpc.transaction_store();
    // A kept value that no longer decodes (kept by an older version) is a miss.
    let mut kept: HashMap<String, EncodedTransaction> = store
        .get(signatures)
        .await
        .into_iter()
        .filter_map(|(signature, raw)| Some((signature, serde_json::from_value(raw).ok()?)))
        .collect();
    let from_store = kept.len() as u32;
    let mut done = from_store;
    on_read(done);
    let missing: Vec<&String> = signatures.iter().filter(|s| !kept.contains_key(*s)).collect();
    let group = (rpc.batch_size * rpc.concurrency).max(1);
    for chunk in missing.chunks(group) {
        let calls: Vec<Call> = chunk.iter().map(|s| ("getTransaction", transaction_params(s))).collect();
        let answers = rpc.call_many::<Value>(calls).await?;
        let mut fresh: Vec<(String, Value)> = Vec::new();
        for (signature, answer) in chunk.iter().zip(answers) {
            match answer {
                // Pruned (or not yet there): not kept, another endpoint may have it.
                Ok(Value::Null) => gaps.missing += 1,
                Ok(raw) => {
                    let tx: EncodedTransaction = serde_json::from_value(raw.clone())
                        .map_err(|e| RpcError::Malformed { host: String::new(), message: e.to_string() })?;
                    kept.insert((*signature).clone(), tx);
                    fresh.push(((*signature).clone(), raw));
                }
                Err(RpcError::Rpc { code: TRANSACTION_VERSION_NOT_SUPPORTED, .. }) => {
                    gaps.unsupported_version += 1
                }
                Err(error) => return Err(error),
            }
        }
        store.put(&fresh).await;
        done += chunk.len() as u32;
        on_read(done);
    }
    let transactions = signatures
        .iter()
        .filter_map(|signature| kept.get(signature))
        .map(|tx| normalize::transaction(owner, tx))
        .collect();
    Ok(Read { transactions, from_store })
}
