//! Metrics recording through the `metrics` facade, exported in Prometheus
//! format at `/metrics`. Labels are route templates, endpoint hosts and fixed
//! words — never a wallet, a job id or an address.
//!
//! Layer: may import `domain` only; every layer above may record.

use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const JOB_BUCKETS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// The process-wide recorder (the `metrics` facade is global, so tests that
/// start several apps in one process share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full("kimiko_job_duration_seconds".into()), JOB_BUCKETS)
            })
            .expect("static bucket lists are valid")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be global (a test harness); then ours
        // still renders what is recorded through it directly.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// How often recorded histogram samples are folded into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Folds histogram samples into their buckets every few seconds until
/// `shutdown`. The recorder keeps every sample until upkeep runs (a scrape
/// runs it too); unscraped, a busy server grew by megabytes a second.
pub async fn upkeep(mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval(UPKEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => handle().run_upkeep(),
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// A job attempt ended: `outcome` is succeeded, retry, dead, lease_lost or panic.
pub fn job_finished(outcome: &'static str, took: Duration) {
    metrics::counter!("kimiko_job_attempts_total", "outcome" => outcome).increment(1);
    metrics::histogram!("kimiko_job_duration_seconds", "outcome" => outcome).record(took.as_secs_f64());
}

/// A mail was handed to the transport: `result` is sent, transient or permanent.
pub fn mail(result: &'static str) {
    metrics::counter!("kimiko_emails_total", "result" => result).increment(1);
}

/// One HTTP request to an RPC endpoint (`host` only: paths can hold API keys).
pub fn rpc_request(host: &str, outcome: &'static str, took: Duration) {
    metrics::counter!("kimiko_rpc_requests_total", "endpoint" => host.to_owned(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("kimiko_rpc_request_duration_seconds", "endpoint" => host.to_owned())
        .record(took.as_secs_f64());
}

/// The in-process caches, as labelled in `kimiko_cache_lookups_total`.
#[derive(Clone, Copy, Debug)]
pub enum Cache {
    Reports = 0,
    Pages = 1,
}

/// A cache lookup. Two of them on every cached page, so the counters are
/// looked up in the recorder once (a lookup hashes and allocates the labels).
pub fn cache_lookup(cache: Cache, hit: bool) {
    static COUNTERS: LazyLock<[[metrics::Counter; 2]; 2]> = LazyLock::new(|| {
        handle();
        ["reports", "pages"].map(|cache| {
            ["miss", "hit"].map(|result| {
                metrics::counter!("kimiko_cache_lookups_total", "cache" => cache, "result" => result)
            })
        })
    });
    COUNTERS[cache as usize][usize::from(hit)].increment(1);
}

/// A request refused by a rate limit.
pub fn rate_limited(limit: crate::domain::request::Limit) {
    use crate::domain::request::Limit;
    let label = match limit {
        Limit::Client => "client",
        Limit::Email => "email",
        Limit::EmailAndWallet => "email_and_wallet",
    };
    metrics::counter!("kimiko_rate_limited_total", "limit" => label).increment(1);
}
