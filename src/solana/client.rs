//! A Solana JSON-RPC client for several endpoints.
//!
//! Requests rotate over the endpoints; one that answers 429, 5xx or times out
//! cools down (for its `Retry-After` when it gives one) while the others carry
//! on. `getTransaction` calls go out as JSON-RPC batches where an endpoint
//! accepts them; an endpoint that refuses a batch is remembered and gets
//! concurrent single calls from then on.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::{StreamExt, stream};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use url::Url;

use super::wire::{Envelope, ErrorObject};

/// How long an endpoint rests after a 429/5xx/timeout without `Retry-After`.
const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(2);
/// The longest `Retry-After` we honour; beyond it the job's own retry is better.
const MAX_COOL_DOWN: Duration = Duration::from_secs(30);
/// Attempts per request across all endpoints before giving up.
const MAX_TRIES: usize = 6;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("RPC endpoint {host} answered HTTP {status}")]
    Http { host: String, status: u16, retry_after: Option<Duration> },
    #[error("RPC endpoint {host} did not answer within {timeout:?}")]
    Timeout { host: String, timeout: Duration },
    #[error("could not reach RPC endpoint {host}: {message}")]
    Connect { host: String, message: String },
    #[error("RPC endpoint {host} sent a malformed response: {message}")]
    Malformed { host: String, message: String },
    #[error("RPC error {code}: {message}")]
    Rpc { code: i64, message: String },
}

impl RpcError {
    /// Worth trying again later (or elsewhere): rate limits, server errors,
    /// network trouble, garbage from a struggling proxy.
    pub fn is_retryable(&self) -> bool {
        match self {
            RpcError::Http { status, .. } => *status == 429 || *status >= 500,
            RpcError::Timeout { .. } | RpcError::Connect { .. } | RpcError::Malformed { .. } => true,
            // -32005 node behind, -32004 block not available, -32007/-32009
            // slot skipped or missing in long-term storage, -32014 status not
            // available yet: all transient on a healthy cluster.
            RpcError::Rpc { code, .. } => {
                matches!(code, -32004 | -32005 | -32007 | -32009 | -32014 | -32603)
            }
        }
    }

    fn cools_down_endpoint(&self) -> bool {
        matches!(self, RpcError::Http { .. } | RpcError::Timeout { .. } | RpcError::Connect { .. })
            && self.is_retryable()
    }
}

struct Endpoint {
    url: Url,
    host: String,
    state: Mutex<EndpointState>,
}

#[derive(Default)]
struct EndpointState {
    cool_until: Option<Instant>,
    /// `Some(false)` once the endpoint refused a batch.
    accepts_batches: Option<bool>,
}

/// Counters a test or the metrics page can read.
#[derive(Default)]
pub struct RpcStats {
    pub http_requests: AtomicU64,
    pub failures: AtomicU64,
}

pub struct SolanaRpc {
    http: reqwest::Client,
    endpoints: Vec<Endpoint>,
    next: AtomicUsize,
    timeout: Duration,
    pub batch_size: usize,
    pub concurrency: usize,
    /// Requests in flight across every job, so providers see at most
    /// `concurrency` at once however many jobs run.
    in_flight: Semaphore,
    pub stats: RpcStats,
}

/// One call of a batch: method and params.
pub type Call = (&'static str, Value);

/// A batch's answers, each call's on its own, or the batch's own failure.
type BatchResult<T> = Result<Vec<Result<T, RpcError>>, RpcError>;

impl SolanaRpc {
    pub fn new(urls: &[Url], timeout: Duration, batch_size: usize, concurrency: usize) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("kimiko/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client builds with static settings");
        let endpoints = urls
            .iter()
            .map(|url| Endpoint {
                host: url.host_str().unwrap_or("?").to_owned()
                    + &url.port().map(|p| format!(":{p}")).unwrap_or_default(),
                url: url.clone(),
                state: Mutex::new(EndpointState::default()),
            })
            .collect();
        Self {
            http,
            endpoints,
            next: AtomicUsize::new(0),
            timeout,
            batch_size: batch_size.max(1),
            concurrency: concurrency.max(1),
            in_flight: Semaphore::new(concurrency.max(1)),
            stats: RpcStats::default(),
        }
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

    /// Several calls, as JSON-RPC batches of `batch_size` where the endpoint
    /// takes them. Results come back in order; each may fail on its own.
    pub async fn call_many<T: DeserializeOwned + Send + 'static>(
        &self,
        calls: Vec<Call>,
    ) -> Result<Vec<Result<T, RpcError>>, RpcError> {
        // Boxed so the future stays `Send` through the stream combinators
        // (rustc cannot prove it for the unboxed closures: rust-lang/rust#102211).
        let batches: Vec<BoxFuture<'_, BatchResult<T>>> = calls
            .chunks(self.batch_size)
            .map(|chunk| Box::pin(self.batch(chunk.to_vec())) as BoxFuture<'_, _>)
            .collect();
        let mut results = Vec::with_capacity(calls.len());
        let mut batches = batches.into_iter();
        // The first batch goes alone, so an endpoint that refuses batches is
        // learned once instead of by every concurrent batch.
        if let Some(first) = batches.next() {
            results.extend(first.await?);
        }
        let mut pending = stream::iter(batches).buffered(self.concurrency);
        while let Some(chunk) = pending.next().await {
            results.extend(chunk?);
        }
        Ok(results)
    }

    async fn batch<T: DeserializeOwned + Send + 'static>(
        &self,
        calls: Vec<Call>,
    ) -> Result<Vec<Result<T, RpcError>>, RpcError> {
        if calls.len() > 1 && self.any_endpoint_takes_batches() {
            let body: Value = calls
                .iter()
                .enumerate()
                .map(|(id, (method, params))| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
                .collect();
            match self.send_with_rotation(&body, true).await {
                Ok((host, Value::Array(items))) => {
                    return Ok(match_batch(items, calls.len(), &host));
                }
                Ok((host, _)) => self.refuse_batches(&host),
                Err(SendError::BatchRefused { host }) => self.refuse_batches(&host),
                Err(SendError::NoBatchEndpoint) => {}
                Err(SendError::Rpc(error)) => return Err(error),
            }
        }
        // Single calls, bounded concurrency, order kept.
        let singles: Vec<BoxFuture<'_, Result<T, RpcError>>> = calls
            .into_iter()
            .map(|(method, params)| Box::pin(self.call::<T>(method, params)) as BoxFuture<'_, _>)
            .collect();
        Ok(stream::iter(singles).buffered(self.concurrency).collect().await)
    }

    fn any_endpoint_takes_batches(&self) -> bool {
        self.endpoints.iter().any(|e| e.state.lock().expect("endpoint lock").accepts_batches != Some(false))
    }

    fn refuse_batches(&self, host: &str) {
        for endpoint in self.endpoints.iter().filter(|e| e.host == host) {
            endpoint.state.lock().expect("endpoint lock").accepts_batches = Some(false);
            tracing::info!(host, "RPC endpoint refuses batch requests; using single calls");
        }
    }

    /// Sends `body` to the next available endpoint, moving on when one fails
    /// with something another endpoint (or a short wait) may fix.
    async fn send_with_rotation(&self, body: &Value, is_batch: bool) -> Result<(String, Value), SendError> {
        let mut last_error = None;
        for _ in 0..MAX_TRIES {
            let endpoint = self.pick_endpoint(is_batch).await.ok_or(SendError::NoBatchEndpoint)?;
            let error = match self.send(endpoint, body, is_batch).await {
                Ok(value) => return Ok((endpoint.host.clone(), value)),
                Err(SendError::Rpc(error)) => error,
                Err(refused) => return Err(refused),
            };
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            if !error.is_retryable() {
                return Err(SendError::Rpc(error));
            }
            if error.cools_down_endpoint() {
                let wait = match &error {
                    RpcError::Http { retry_after: Some(d), .. } => (*d).min(MAX_COOL_DOWN),
                    _ => DEFAULT_COOL_DOWN,
                };
                endpoint.state.lock().expect("endpoint lock").cool_until = Some(Instant::now() + wait);
            }
            tracing::debug!(host = %endpoint.host, %error, "RPC request failed; rotating");
            last_error = Some(error);
        }
        Err(SendError::Rpc(last_error.expect("at least one attempt was made")))
    }

    /// The next endpoint in rotation that is not cooling down (and takes
    /// batches, for a batch); waits for the first to cool off if all are.
    async fn pick_endpoint(&self, is_batch: bool) -> Option<&Endpoint> {
        let eligible: Vec<&Endpoint> = self
            .endpoints
            .iter()
            .filter(|e| !is_batch || e.state.lock().expect("endpoint lock").accepts_batches != Some(false))
            .collect();
        if eligible.is_empty() {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut soonest: Option<(Instant, &Endpoint)> = None;
        for i in 0..eligible.len() {
            let endpoint = eligible[(start + i) % eligible.len()];
            match endpoint.state.lock().expect("endpoint lock").cool_until {
                Some(until) if until > now => {
                    if soonest.is_none_or(|(t, _)| until < t) {
                        soonest = Some((until, endpoint));
                    }
                }
                _ => return Some(endpoint),
            }
        }
        let (until, endpoint) = soonest.expect("every eligible endpoint is cooling down");
        tokio::time::sleep_until(until.into()).await;
        Some(endpoint)
    }

    /// One HTTP request, within the global in-flight bound, timed and counted.
    async fn send(&self, endpoint: &Endpoint, body: &Value, is_batch: bool) -> Result<Value, SendError> {
        let _permit = self.in_flight.acquire().await.expect("the semaphore is never closed");
        self.stats.http_requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = self.exchange(endpoint, body, is_batch).await;
        crate::metrics::rpc_request(&endpoint.host, outcome_label(&result), started.elapsed());
        result
    }

    async fn exchange(&self, endpoint: &Endpoint, body: &Value, is_batch: bool) -> Result<Value, SendError> {
        let host = endpoint.host.clone();
        let response = self.http.post(endpoint.url.clone()).json(body).send().await.map_err(|e| {
            if e.is_timeout() {
                RpcError::Timeout { host: host.clone(), timeout: self.timeout }
            } else {
                RpcError::Connect { host: host.clone(), message: root_cause(&e) }
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            // Some providers refuse batches with a 4xx and a JSON-RPC error body.
            if is_batch
                && matches!(
                    status,
                    StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::FORBIDDEN
                )
            {
                return Err(SendError::BatchRefused { host });
            }
            return Err(RpcError::Http { host, status: status.as_u16(), retry_after }.into());
        }
        let bytes = response.bytes().await.map_err(|e| {
            if e.is_timeout() {
                RpcError::Timeout { host: host.clone(), timeout: self.timeout }
            } else {
                RpcError::Connect { host: host.clone(), message: root_cause(&e) }
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| RpcError::Malformed { host: host.clone(), message: format!("not JSON: {e}") })?;
        if is_batch
            && let Some(error) = value.get("error")
            && value.get("id").is_none_or(Value::is_null)
        {
            // A single error object in answer to a batch: the provider does
            // not do batches (or not this size).
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            tracing::debug!(host, message, "batch answered with a single error");
            return Err(SendError::BatchRefused { host });
        }
        Ok(value)
    }
}

/// What sending can end in besides an answer.
enum SendError {
    Rpc(RpcError),
    /// The endpoint answered a batch with a refusal (4xx, or one error object).
    BatchRefused {
        host: String,
    },
    /// Every endpoint has refused batches before.
    NoBatchEndpoint,
}

impl From<RpcError> for SendError {
    fn from(error: RpcError) -> Self {
        SendError::Rpc(error)
    }
}

impl SendError {
    /// Single calls never produce the batch-only variants.
    fn into_rpc(self) -> RpcError {
        match self {
            SendError::Rpc(error) => error,
            SendError::BatchRefused { .. } | SendError::NoBatchEndpoint => {
                RpcError::Malformed { host: String::new(), message: "batch refusal on a single call".into() }
            }
        }
    }
}

fn unwrap_envelope<T: DeserializeOwned>(envelope: Envelope, host: &str) -> Result<T, RpcError> {
    match (envelope.result, envelope.error) {
        (_, Some(ErrorObject { code, message, .. })) => Err(RpcError::Rpc { code, message }),
        (Some(result), None) => serde_json::from_value(result)
            .map_err(|e| RpcError::Malformed { host: host.to_owned(), message: e.to_string() }),
        (None, None) => Err(RpcError::Malformed {
            host: host.to_owned(),
            message: "response has neither result nor error".into(),
        }),
    }
}

/// Matches batch answers to calls by id (providers may reorder them).
fn match_batch<T: DeserializeOwned>(
    items: Vec<Value>,
    expected: usize,
    host: &str,
) -> Vec<Result<T, RpcError>> {
    let malformed = |message: String| RpcError::Malformed { host: host.to_owned(), message };
    let mut slots: Vec<Option<Result<T, RpcError>>> = (0..expected).map(|_| None).collect();
    for item in items {
        let Ok(envelope) = serde_json::from_value::<Envelope>(item) else {
            continue;
        };
        let Some(id) = envelope.id.as_u64().map(|i| i as usize).filter(|i| *i < expected) else {
            continue;
        };
        slots[id] = Some(unwrap_envelope(envelope, host));
    }
    slots
        .into_iter()
        .map(|slot| slot.unwrap_or_else(|| Err(malformed("batch answer is missing an item".into()))))
        .collect()
}

/// The metrics label for how a request went.
fn outcome_label(result: &Result<Value, SendError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(SendError::BatchRefused { .. } | SendError::NoBatchEndpoint) => "batch_refused",
        Err(SendError::Rpc(error)) => match error {
            RpcError::Http { status: 429, .. } => "rate_limited",
            RpcError::Http { status, .. } if *status >= 500 => "server_error",
            RpcError::Http { .. } => "http_error",
            RpcError::Timeout { .. } => "timeout",
            RpcError::Connect { .. } => "connect_error",
            RpcError::Malformed { .. } => "malformed",
            RpcError::Rpc { .. } => "rpc_error",
        },
    }
}

/// `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after(" 30 "), Some(Duration::from_secs(30)));
        let in_a_minute = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(61));
        let parsed = parse_retry_after(&in_a_minute).unwrap();
        assert!(parsed > Duration::from_secs(55) && parsed <= Duration::from_secs(61), "{parsed:?}");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
