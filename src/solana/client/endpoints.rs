//! The endpoints and their rotation: which one gets the next request, which
//! are cooling down after a 429/5xx/timeout (for their `Retry-After` when
//! they give one), and which have refused a batch.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use url::Url;

use super::error::RpcError;

/// How long an endpoint rests after a 429/5xx/timeout without `Retry-After`.
const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(2);
/// The longest `Retry-After` we honour; beyond it the job's own retry is better.
const MAX_COOL_DOWN: Duration = Duration::from_secs(30);

pub(super) struct Endpoint {
    pub(super) url: Url,
    /// Host and port: what logs and metrics name the endpoint by (never the
    /// path or query, where a provider's API key usually sits).
    pub(super) host: String,
    state: Mutex<EndpointState>,
}

#[derive(Default)]
struct EndpointState {
    cool_until: Option<Instant>,
    /// `Some(false)` once the endpoint refused a batch.
    accepts_batches: Option<bool>,
}

impl Endpoint {
    fn state(&self) -> std::sync::MutexGuard<'_, EndpointState> {
        self.state.lock().expect("endpoint lock")
    }

    fn takes_batches(&self) -> bool {
        self.state().accepts_batches != Some(false)
    }

    /// Rests the endpoint after `error`, if it is one another endpoint (or a
    /// short wait) may fix.
    pub(super) fn cool_down_after(&self, error: &RpcError) {
        if !error.cools_down_endpoint() {
            return;
        }
        let wait = match error {
            RpcError::Http { retry_after: Some(d), .. } => (*d).min(MAX_COOL_DOWN),
            _ => DEFAULT_COOL_DOWN,
        };
        self.state().cool_until = Some(Instant::now() + wait);
    }
}

pub(super) struct Endpoints {
    list: Vec<Endpoint>,
    next: AtomicUsize,
}

impl Endpoints {
    pub(super) fn new(urls: &[Url]) -> Self {
        let list = urls
            .iter()
            .map(|url| Endpoint {
                host: url.host_str().unwrap_or("?").to_owned()
                    + &url.port().map(|p| format!(":{p}")).unwrap_or_default(),
                url: url.clone(),
                state: Mutex::new(EndpointState::default()),
            })
            .collect();
        Self { list, next: AtomicUsize::new(0) }
    }

    pub(super) fn any_takes_batches(&self) -> bool {
        self.list.iter().any(Endpoint::takes_batches)
    }

    pub(super) fn refuse_batches(&self, host: &str) {
        for endpoint in self.list.iter().filter(|e| e.host == host) {
            endpoint.state().accepts_batches = Some(false);
            tracing::info!(host, "RPC endpoint refuses batch requests; using single calls");
        }
    }

    /// The next endpoint in rotation that is not cooling down (and takes
    /// batches, for a batch); waits for the first to cool off if all are.
    pub(super) async fn pick(&self, is_batch: bool) -> Option<&Endpoint> {
        let eligible: Vec<&Endpoint> = self.list.iter().filter(|e| !is_batch || e.takes_batches()).collect();
        if eligible.is_empty() {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut soonest: Option<(Instant, &Endpoint)> = None;
        for i in 0..eligible.len() {
            let endpoint = eligible[(start + i) % eligible.len()];
            // Read into a local so the guard is dropped before the arm runs.
            let cool_until = endpoint.state().cool_until;
            match cool_until {
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
}
