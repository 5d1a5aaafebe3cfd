//! Where finalized transactions (and the signature lists read last) are
//! kept between reads: the [`TransactionStore`] the client holds, and the
//! in-process [`MemoryTransactions`]. A leaf of `solana`: the client holds a
//! store and the reader ([`super::tx_cache`]) goes through the client, so
//! the store itself depends on neither.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use futures::future::BoxFuture;
use serde_json::Value;

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
