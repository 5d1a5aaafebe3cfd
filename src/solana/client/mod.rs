//! A Solana JSON-RPC client for several endpoints.
//!
//! Requests rotate over the endpoints; one that answers 429, 5xx or times out
//! cools down (for its `Retry-After` when it gives one) while the others carry
//! on. `getTransaction` calls go out as JSON-RPC batches where an endpoint
//! accepts them; an endpoint that refuses a batch is remembered and gets
//! concurrent single calls from then on.
//!
//! This file owns [`SolanaRpc`] and one request's way out: rotation over the
//! endpoints, the global in-flight bound, counting. The rest, each in a file
//! of its own: `endpoints` (rotation and cool-down state), `batch` (many
//! calls at once), `http` (one exchange with one endpoint), `decode` (answers
//! into results) and `error`.

mod batch;
mod decode;
mod endpoints;
mod error;
mod http;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use url::Url;

pub use self::batch::Call;
use self::decode::unwrap_envelope;
use self::endpoints::{Endpoint, Endpoints};
pub use self::error::RpcError;
use self::error::{SendError, outcome_label};
use super::wire::Envelope;

/// Attempts per request across all endpoints before giving up.
const MAX_TRIES: usize = 6;

/// Counters a test or the metrics page can read.
#[derive(Default)]
pub struct RpcStats {
    pub http_requests: AtomicU64,
    pub failures: AtomicU64,
}

pub struct SolanaRpc {
    http: reqwest::Client,
    endpoints: Endpoints,
    timeout: Duration,
    pub batch_size: usize,
    pub concurrency: usize,
    /// Requests in flight across every job, so providers see at most
    /// `concurrency` at once however many jobs run.
    in_flight: Semaphore,
    pub stats: RpcStats,
    /// Finalized transactions already read (`super::tx_cache`).
    store: std::sync::Arc<dyn super::tx_cache::TransactionStore>,
}

impl SolanaRpc {
    pub fn new(urls: &[Url], timeout: Duration, batch_size: usize, concurrency: usize) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("kimiko/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client builds with static settings");
        Self {
            http,
            endpoints: Endpoints::new(urls),
            timeout,
            batch_size: batch_size.max(1),
            concurrency: concurrency.max(1),
            in_flight: Semaphore::new(concurrency.max(1)),
            stats: RpcStats::default(),
            store: std::sync::Arc::new(super::tx_cache::MemoryTransactions::new(
                super::tx_cache::MEMORY_CAPACITY,
            )),
        }
    }

    /// Keeps finalized transactions in `store` instead of this process's memory.
    pub fn with_transaction_store(
        mut self,
        store: std::sync::Arc<dyn super::tx_cache::TransactionStore>,
    ) -> Self {
        self.store = store;
        self
    }

    /// Where finalized transactions are kept; every reader of transactions
    /// (a wallet's history, a lookup, a faster method) goes through it.
    pub fn transaction_store(&self) -> &dyn super::tx_cache::TransactionStore {
        &*self.store
    }

    /// One JSON-RPC call, retried over the endpoints.
    pub async fn call<T: DeserializeOwned + Send + 'static>(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<T, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let (host, value) = self.send_with_rotation(&body, false).await.map_err(SendError::into_rpc)?;
        let envelope: Envelope = serde_json::from_value(value)
            .map_err(|e| RpcError::Malformed { host: host.clone(), message: e.to_string() })?;
        unwrap_envelope(envelope, &host)
    }

    /// Sends `body` to the next available endpoint, moving on when one fails
    /// with something another endpoint (or a short wait) may fix.
    async fn send_with_rotation(&self, body: &Value, is_batch: bool) -> Result<(String, Value), SendError> {
        let mut last_error = None;
        for _ in 0..MAX_TRIES {
            let endpoint = self.endpoints.pick(is_batch).await.ok_or(SendError::NoBatchEndpoint)?;
            let error = match self.send(endpoint, body, is_batch).await {
                Ok(value) => return Ok((endpoint.host.clone(), value)),
                Err(SendError::Rpc(error)) => error,
                Err(refused) => return Err(refused),
            };
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            if !error.is_retryable() {
                return Err(SendError::Rpc(error));
            }
            endpoint.cool_down_after(&error);
            tracing::debug!(host = %endpoint.host, %error, "RPC request failed; rotating");
            last_error = Some(error);
        }
        Err(SendError::Rpc(last_error.expect("at least one attempt was made")))
    }

    /// One HTTP request, within the global in-flight bound, timed and counted.
    async fn send(&self, endpoint: &Endpoint, body: &Value, is_batch: bool) -> Result<Value, SendError> {
        let _permit = self.in_flight.acquire().await.expect("the semaphore is never closed");
        self.stats.http_requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = http::exchange(&self.http, self.timeout, endpoint, body, is_batch).await;
        crate::metrics::rpc_request(&endpoint.host, outcome_label(&result), started.elapsed());
        result
    }
}
