//! A Solana JSON-RPC client for several endpoints.
//!
//! Requests rotate over the endpoints; one that answers 5xx or times out
//! cools down while the others carry on. Each endpoint is paced to what its
//! provider allows (`limits`, `limiter`): calls are held back before the
//! provider would refuse them, and a 429 slows the endpoint down (for its
//! `Retry-After` when it gives one) and shrinks batches instead of failing —
//! a request refused with 429 waits and tries again for as long as the
//! provider still answers something ([`DEFAULT_PATIENCE`]).
//! `getTransaction` calls go out as JSON-RPC batches where an endpoint
//! accepts them; an endpoint that refuses a batch is remembered and gets
//! concurrent single calls from then on.
//!
//! This file owns [`SolanaRpc`] and one request's way out: rotation over the
//! endpoints, pacing, the global in-flight bound, counting. The rest, each in
//! a file of its own: `endpoints` (rotation and cool-down state), `limits`
//! (what each endpoint allows), `limiter` (pacing to it), `batch` (many
//! calls at once), `http` (one exchange with one endpoint), `decode`
//! (answers into results) and `error`.

mod batch;
mod decode;
mod endpoints;
mod error;
mod http;
mod limiter;
mod limits;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use url::Url;

pub use self::batch::Call;
use self::decode::unwrap_envelope;
use self::endpoints::{Endpoint, Endpoints, Need};
pub use self::error::RpcError;
use self::error::{SendError, outcome_label};
use self::limiter::Cost;
pub use self::limiter::Pace;
pub use self::limits::{Limits, RpcLimits};
use super::wire::Envelope;

/// Attempts per request across all endpoints before giving up on 5xx,
/// timeouts and the like (429s are not counted: they wait instead).
const MAX_TRIES: usize = 6;
/// How long a request refused with 429 keeps waiting while no endpoint
/// answers anything: past it, the provider is taken to be down and the job
/// retries later.
pub const DEFAULT_PATIENCE: Duration = Duration::from_secs(180);

/// Counters a test or the metrics page can read.
#[derive(Default)]
pub struct RpcStats {
    pub http_requests: AtomicU64,
    pub failures: AtomicU64,
    /// Answers of HTTP 429.
    pub rate_limited: AtomicU64,
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
    patience: Duration,
    pub stats: RpcStats,
    /// Finalized transactions already read (`super::tx_cache`).
    store: std::sync::Arc<dyn super::tx_store::TransactionStore>,
}

impl SolanaRpc {
    /// A client paced by the default limits: the public endpoint's figures
    /// for every host but loopback ones ([`RpcLimits::default`]).
    pub fn new(urls: &[Url], timeout: Duration, batch_size: usize, concurrency: usize) -> Self {
        Self::with_limits(urls, timeout, batch_size, concurrency, &RpcLimits::default())
    }

    pub fn with_limits(
        urls: &[Url],
        timeout: Duration,
        batch_size: usize,
        concurrency: usize,
        limits: &RpcLimits,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("kimiko/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client builds with static settings");
        Self {
            http,
            endpoints: Endpoints::new(urls, limits),
            timeout,
            batch_size: batch_size.max(1),
            concurrency: concurrency.max(1),
            in_flight: Semaphore::new(concurrency.max(1)),
            patience: DEFAULT_PATIENCE,
            stats: RpcStats::default(),
            store: std::sync::Arc::new(super::tx_store::MemoryTransactions::new(
                super::tx_store::MEMORY_CAPACITY,
            )),
        }
    }

    /// How long a request refused with 429 waits while no endpoint answers.
    pub fn with_patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// The pace now for `calls` more calls of one method, at the fastest
    /// endpoint: whether requests are held back, and how long those calls
    /// should take. `eta` is `None` when no endpoint is paced.
    pub fn pace(&self, calls: u32) -> Pace {
        let paces: Vec<Pace> = self.endpoints.all().iter().map(|e| e.limiter.pace(calls)).collect();
        let eta = paces.iter().filter_map(|p| p.eta).min();
        Pace { waiting: paces.iter().all(|p| p.waiting), eta }
    }

    /// The most calls of one method a batch may hold now (the configured
    /// batch size, within the fastest endpoint's pace).
    pub fn max_batch(&self) -> usize {
        let paced = self.endpoints.all().iter().map(|e| e.limiter.max_batch()).max().unwrap_or(usize::MAX);
        self.batch_size.min(paced).max(1)
    }

    /// Keeps finalized transactions in `store` instead of this process's memory.
    pub fn with_transaction_store(
        mut self,
        store: std::sync::Arc<dyn super::tx_store::TransactionStore>,
    ) -> Self {
        self.store = store;
        self
    }

    /// Where finalized transactions are kept; every reader of transactions
    /// (a wallet's history, a lookup, a faster method) goes through it.
    pub fn transaction_store(&self) -> &dyn super::tx_store::TransactionStore {
        &*self.store
    }

    /// One JSON-RPC call, retried over the endpoints.
    pub async fn call<T: DeserializeOwned + Send + 'static>(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<T, RpcError> {
        self.call_where(Need::Any, method, params).await
    }

    async fn call_where<T: DeserializeOwned + Send + 'static>(
        &self,
        need: Need,
        method: &'static str,
        params: Value,
    ) -> Result<T, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let (host, result) = match self.send_with_rotation(&body, need).await.map_err(SendError::into_rpc) {
            Ok((host, value)) => {
                let result = serde_json::from_value::<Envelope>(value)
                    .map_err(|e| RpcError::Malformed { host: host.clone(), message: e.to_string() })
                    .and_then(|envelope| unwrap_envelope(envelope, &host));
                (Some(host), result)
            }
            Err(RpcError::Http { host, status, retry_after }) => {
                (Some(host.clone()), Err(RpcError::Http { host, status, retry_after }))
            }
            Err(error) => (None, Err(error)),
        };
        if need == Need::TransactionsForAddress
            && let Some(host) = host
        {
            // "Method not found" (-32601), or any other refusal that waiting
            // cannot fix (a plan without the method answers 403 or its own
            // code): this endpoint is read the standard way from now on.
            let lacks = matches!(&result, Err(error) if !error.is_retryable());
            if let Err(error) = &result
                && lacks
            {
                tracing::info!(%host, %error, "getTransactionsForAddress refused; using the standard methods");
            }
            for endpoint in self.endpoints.all().iter().filter(|e| e.host == host) {
                endpoint.answers_transactions_for_address(!lacks);
            }
        }
        result
    }

    /// After an answer to `getTransactionsForAddress` we could not read:
    /// no endpoint is asked for it again (the standard methods read the
    /// same history).
    pub fn stop_asking_transactions_for_address(&self) {
        for endpoint in self.endpoints.all() {
            endpoint.answers_transactions_for_address(false);
        }
    }

    /// Whether some endpoint may answer `getTransactionsForAddress` (none
    /// has said "method not found" yet).
    pub fn may_answer_transactions_for_address(&self) -> bool {
        self.endpoints.any_may_answer_transactions_for_address()
    }

    /// A `getTransactionsForAddress` call, sent only to endpoints not known
    /// to lack it; an endpoint that answers "method not found" (-32601), or
    /// refuses it in any way waiting cannot fix, is remembered and not
    /// asked again.
    pub async fn call_transactions_for_address<T: DeserializeOwned + Send + 'static>(
        &self,
        params: Value,
    ) -> Result<T, RpcError> {
        self.call_where(Need::TransactionsForAddress, "getTransactionsForAddress", params).await
    }

    /// Sends `body` to the next available endpoint, paced to it, moving on
    /// when one fails with something another endpoint (or a short wait) may
    /// fix. A 429 is waited out, not counted as a try, while the provider
    /// answers anything; a batch refused with 429 that no longer fits the
    /// slowed pace comes back as [`SendError::Shrink`] for the caller to split.
    async fn send_with_rotation(&self, body: &Value, need: Need) -> Result<(String, Value), SendError> {
        let cost = cost_of(body);
        let calls: u32 = cost.iter().map(|(_, n)| n).sum();
        let is_batch = need == Need::Batches;
        let started = tokio::time::Instant::now();
        let mut tries = 0;
        loop {
            let endpoint = self.endpoints.pick(need).await.ok_or(SendError::NoBatchEndpoint)?;
            let error = match self.send(endpoint, body, &cost, is_batch).await {
                Ok(value) => {
                    endpoint.limiter.answered();
                    return Ok((endpoint.host.clone(), value));
                }
                Err(SendError::Rpc(error)) => error,
                Err(refused) => return Err(refused),
            };
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            if !error.is_retryable() {
                return Err(SendError::Rpc(error));
            }
            if let RpcError::Http { status: 429, retry_after, .. } = &error {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                let pause = endpoint.limiter.refused(*retry_after, calls);
                endpoint.cool_for(pause);
                tracing::info!(host = %endpoint.host, ?pause, calls, "RPC endpoint answered 429; slowing down");
                if self.out_of_patience(started) {
                    return Err(SendError::Rpc(error));
                }
                if is_batch && calls as usize > endpoint.limiter.max_batch() {
                    return Err(SendError::Shrink);
                }
                continue;
            }
            // 5xx, timeouts, garbage: rest the endpoint and count a try.
            endpoint.cool_down_after(&error);
            tracing::debug!(host = %endpoint.host, %error, "RPC request failed; rotating");
            tries += 1;
            if tries >= MAX_TRIES {
                return Err(SendError::Rpc(error));
            }
        }
    }

    /// True when no endpoint has answered for [`DEFAULT_PATIENCE`] (or the
    /// patience set), counted from `started` at the earliest.
    fn out_of_patience(&self, started: tokio::time::Instant) -> bool {
        let heard = self.endpoints.all().iter().filter_map(|e| e.limiter.last_answer()).max();
        let since = heard.map_or(started, |h| h.max(started));
        since.elapsed() >= self.patience
    }

    /// One HTTP request, paced to its endpoint, within the global in-flight
    /// bound, timed and counted.
    async fn send(
        &self,
        endpoint: &Endpoint,
        body: &Value,
        cost: &Cost,
        is_batch: bool,
    ) -> Result<Value, SendError> {
        // The in-flight permit first: a slot is counted when it is granted,
        // so nothing may stand between it and the request going out.
        let _permit = self.in_flight.acquire().await.expect("the semaphore is never closed");
        let _slot = endpoint.limiter.acquire(cost).await;
        self.stats.http_requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = http::exchange(&self.http, self.timeout, endpoint, body, is_batch).await;
        crate::metrics::rpc_request(&endpoint.host, outcome_label(&result), started.elapsed());
        result
    }
}

/// The calls in a request body, by method: what the limiter counts.
fn cost_of(body: &Value) -> Cost {
    let method = |call: &Value| call.get("method").and_then(Value::as_str).unwrap_or("?").to_owned();
    match body {
        Value::Array(calls) => {
            let mut cost: Cost = Vec::new();
            for call in calls {
                let name = method(call);
                match cost.iter_mut().find(|(m, _)| *m == name) {
                    Some((_, n)) => *n += 1,
                    None => cost.push((name, 1)),
                }
            }
            cost
        }
        call => vec![(method(call), 1)],
    }
}
