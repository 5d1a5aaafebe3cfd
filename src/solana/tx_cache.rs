//! Never read a finalized transaction twice: what `getTransaction` answered
//! (asked at `finalized` commitment, so it can never change) is kept by
//! signature in a [`TransactionStore`] and read from there by every report,
//! every attempt of a job and every lookup of another address.
//!
//! The store is a trait so this layer knows no database: the server plugs
//! in `storage::transactions::StoredTransactions` (shared by every process
//! on the database, bounded, oldest out first); the CLI and tests get
//! [`MemoryTransactions`], bounded the same way, in this process only.
//! A store that fails is a miss (the transaction is read from the RPC), never
//! an error of the report: the RPC's answer is the same.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use futures::future::BoxFuture;
use serde_json::Value;

use super::client::{Call, RpcError, SolanaRpc};
use super::history::{Gaps, transaction_params};
use super::normalize;
use super::wire::{EncodedTransaction, TRANSACTION_VERSION_NOT_SUPPORTED};
use crate::domain::history::Transaction;

/// Where finalized transactions are kept: the raw `getTransaction` result
/// (`jsonParsed`), by signature.
pub trait TransactionStore: Send + Sync {
    /// The kept results among `signatures` (missing ones are simply absent).
    fn get<'a>(&'a self, signatures: &'a [String]) -> BoxFuture<'a, HashMap<String, Value>>;
    /// Keeps `transactions` (signature, result); one already kept is left as is.
    fn put<'a>(&'a self, transactions: &'a [(String, Value)]) -> BoxFuture<'a, ()>;
    /// What was listed for `address` last time (`super::listed::Listed`),
    /// so the next read asks only for what is newer (`until`).
    fn list<'a>(&'a self, address: &'a str) -> BoxFuture<'a, Option<Value>>;
    /// Replaces what was listed for `address`.
    fn put_list<'a>(&'a self, address: &'a str, list: Value) -> BoxFuture<'a, ()>;
}

/// The in-process store: at most `capacity` transactions, the oldest kept
/// out first.
pub struct MemoryTransactions {
    capacity: usize,
    kept: Mutex<(HashMap<String, Value>, VecDeque<String>)>,
    /// Signature lists by address, bounded by a tenth of `capacity`.
    lists: Mutex<(HashMap<String, Value>, VecDeque<String>)>,
}

impl MemoryTransactions {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            kept: Mutex::new((HashMap::new(), VecDeque::new())),
            lists: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    pub fn len(&self) -> usize {
        self.kept.lock().expect("store lock").0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TransactionStore for MemoryTransactions {
    fn get<'a>(&'a self, signatures: &'a [String]) -> BoxFuture<'a, HashMap<String, Value>> {
        let kept = self.kept.lock().expect("store lock");
        let found = signatures.iter().filter_map(|s| Some((s.clone(), kept.0.get(s)?.clone()))).collect();
        Box::pin(std::future::ready(found))
    }

    fn put<'a>(&'a self, transactions: &'a [(String, Value)]) -> BoxFuture<'a, ()> {
        let mut kept = self.kept.lock().expect("store lock");
        for (signature, tx) in transactions {
            keep(&mut kept, self.capacity, signature, tx.clone());
        }
        Box::pin(std::future::ready(()))
    }

    fn list<'a>(&'a self, address: &'a str) -> BoxFuture<'a, Option<Value>> {
        let found = self.lists.lock().expect("store lock").0.get(address).cloned();
        Box::pin(std::future::ready(found))
    }

    fn put_list<'a>(&'a self, address: &'a str, list: Value) -> BoxFuture<'a, ()> {
        let mut lists = self.lists.lock().expect("store lock");
        lists.0.remove(address);
        lists.1.retain(|a| a != address);
        keep(&mut lists, self.capacity / 10, address, list);
        Box::pin(std::future::ready(()))
    }
}

/// Inserts `value` under `key` (an existing one stays), then drops the
/// first inserted beyond `capacity`.
fn keep(kept: &mut (HashMap<String, Value>, VecDeque<String>), capacity: usize, key: &str, value: Value) {
    let (map, order) = kept;
    if capacity == 0 || map.contains_key(key) {
        return;
    }
    map.insert(key.to_owned(), value);
    order.push_back(key.to_owned());
    while map.len() > capacity {
        let Some(oldest) = order.pop_front() else { break };
        map.remove(&oldest);
    }
}

/// Transactions kept in memory by a client built without a shared store
/// (the CLI, tests): a few reports' worth.
pub const MEMORY_CAPACITY: usize = 5_000;

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
