//! The endpoints and their rotation: which one gets the next request, which
//! are cooling down after a 429/5xx/timeout (for their `Retry-After` when
//! they give one), which have refused a batch, and each one's pace
//! ([`Limiter`]) and whether it answers `getTransactionsForAddress`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use url::Url;

use super::error::RpcError;
use super::limiter::Limiter;
use super::limits::RpcLimits;

/// How long an endpoint rests after a 429/5xx/timeout without `Retry-After`.
const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(2);
/// The longest `Retry-After` we honour; beyond it the job's own retry is better.
const MAX_COOL_DOWN: Duration = Duration::from_secs(30);

pub(super) struct Endpoint {
    pub(super) url: Url,
    /// Host and port: what logs and metrics name the endpoint by (never the
    /// path or query, where a provider's API key usually sits).
    pub(super) host: String,
    pub(super) limiter: Limiter,
    state: Mutex<EndpointState>,
}

#[derive(Default)]
struct EndpointState {
    cool_until: Option<Instant>,
    /// `Some(false)` once the endpoint refused a batch.
    accepts_batches: Option<bool>,
    /// Whether it answers `getTransactionsForAddress`: unknown until the
    /// first call, then remembered.
    transactions_for_address: Option<bool>,
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
        self.cool_for(wait);
    }

    /// Rests the endpoint for `wait` (a 429's pause, which the limiter chose).
    pub(super) fn cool_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.state();
        if state.cool_until.is_none_or(|t| t < until) {
            state.cool_until = Some(until);
        }
    }

    fn may_answer_transactions_for_address(&self) -> bool {
        self.state().transactions_for_address != Some(false)
    }

    pub(super) fn answers_transactions_for_address(&self, answers: bool) {
        let mut state = self.state();
        if state.transactions_for_address != Some(answers) {
            tracing::info!(host = %self.host, answers, "getTransactionsForAddress probed");
        }
        state.transactions_for_address = Some(answers);
    }
}

/// What a request needs of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    Any,
    Batches,
    TransactionsForAddress,
}

pub(super) struct Endpoints {
    list: Vec<Endpoint>,
    next: AtomicUsize,
}

impl Endpoints {
    pub(super) fn new(urls: &[Url], limits: &RpcLimits) -> Self {
        let list = urls
            .iter()
            .map(|url| {
                let host = url.host_str().unwrap_or("?").to_owned()
                    + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
                Endpoint {
                    limiter: Limiter::new(limits.for_host(&host)),
                    host,
                    url: url.clone(),
                    state: Mutex::new(EndpointState::default()),
                }
            })
            .collect();
        Self { list, next: AtomicUsize::new(0) }
    }

    pub(super) fn any_takes_batches(&self) -> bool {
        self.list.iter().any(Endpoint::takes_batches)
    }

    pub(super) fn any_may_answer_transactions_for_address(&self) -> bool {
        self.list.iter().any(Endpoint::may_answer_transactions_for_address)
    }

    pub(super) fn all(&self) -> &[Endpoint] {
        &self.list
    }

    pub(super) fn refuse_batches(&self, host: &str) {
        for endpoint in self.list.iter().filter(|e| e.host == host) {
            endpoint.state().accepts_batches = Some(false);
            tracing::info!(host, "RPC endpoint refuses batch requests; using single calls");
        }
    }

    /// The next endpoint in rotation that is not cooling down and can take
    /// the request; waits for the first to cool off if all are.
    pub(super) async fn pick(&self, need: Need) -> Option<&Endpoint> {
        let eligible: Vec<&Endpoint> = self
            .list
            .iter()
            .filter(|e| match need {
                Need::Any => true,
                Need::Batches => e.takes_batches(),
                Need::TransactionsForAddress => e.may_answer_transactions_for_address(),
            })
            .collect();
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
