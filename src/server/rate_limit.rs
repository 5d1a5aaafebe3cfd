//! The edge limit on report submissions: a `governor` rate limiter keyed on
//! the client address ([`crate::config::client_ip`]), burst `KIMIKO_IP_RATE_BURST`
//! (5) and one more every `KIMIKO_IP_RATE_PERIOD_MS` (2000) — the original
//! design's "5 requests / 10 s per IP". It reads the application's
//! [`Clock`], so tests step through its windows instead of waiting them out.
//! With several processes on one Postgres database the bucket lives in the
//! database instead ([`storage::client_limits`]), so the limit holds across
//! them.
//! A refusal is shown the way the per-email limits are: the form again with
//! a message for browsers without JavaScript, the JSON error the hydrated
//! form understands otherwise; both with `Retry-After`, `RateLimit` and
//! `RateLimit-Policy`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use tokio::sync::watch;

use super::http;
use super::startup::ServerState;
use crate::config::client_ip::limit_key;
use crate::config::settings::Settings;
use crate::domain::RequestReportError;
use crate::domain::request::{Limit, humanize_wait};
use crate::service::state::Clock;
use crate::storage;
use crate::ui::pages::home::REQUEST_REPORT_PATH;

/// How often keys whose bucket has refilled are dropped, so the table holds
/// only clients seen in the last few seconds.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The limiter's time: the application's [`Clock`], as a monotonic offset.
/// The system clock is read as time since start (the wall clock can step
/// back); a manual clock as its own milliseconds.
#[derive(Clone, Debug)]
pub struct LimiterClock(Clock);

impl governor::clock::Clock for LimiterClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);
        match &self.0 {
            Clock::System => STARTED.elapsed(),
            manual => Duration::from_millis(manual.now_ms().max(0) as u64),
        }
    }
}

/// Submissions per client; one per server, shared by every request.
pub type ClientLimiter =
    Arc<RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, LimiterClock, NoOpMiddleware<Duration>>>;

/// The limiter for `settings`, on `clock`.
pub fn client_limiter(settings: &Settings, clock: Clock) -> ClientLimiter {
    let rate = settings.ip_rate;
    let quota = Quota::with_period(rate.period)
        .expect("settings keep the period above zero")
        .allow_burst(NonZeroU32::new(rate.burst).expect("settings keep the burst above zero"));
    Arc::new(RateLimiter::new(quota, DefaultKeyedStateStore::default(), LimiterClock(clock)))
}

/// Applies the client limit to `POST /api/request-report`; every other
/// request goes straight on. (A route layer cannot do it: the server
/// function's route is registered by `leptos_routes`.)
pub async fn limit_submissions(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    if request.method() != Method::POST || request.uri().path() != REQUEST_REPORT_PATH {
        return next.run(request).await;
    }
    let Some(client) = state.app.settings.client_ip.for_request(request.extensions(), request.headers())
    else {
        // No socket address: the server was started without connect info.
        tracing::error!("the client rate limit could not key a request");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(wait) = refusal(&state, limit_key(client)).await else {
        return next.run(request).await;
    };
    // Whole seconds, one more than the wait rounded down, so a client that
    // obeys Retry-After is not refused again.
    let retry_after_secs = wait.as_secs() + 1;
    tracing::info!(retry_after_secs, "submission refused: client rate limit");
    crate::metrics::rate_limited(Limit::Client);
    let wants_html = http::accepts_html(request.headers());
    let nonce = request.extensions().get::<super::security_headers::CspNonce>().cloned();
    let error = RequestReportError::RateLimited {
        limit: Limit::Client,
        message: format!(
            "Too many requests from your connection in a short time. Please try again {}.",
            humanize_wait(retry_after_secs)
        ),
        retry_after_secs,
    };
    http::refuse(&state, wants_html, nonce, String::new(), error).await
}

/// Takes one submission from `client`'s bucket: `None` when allowed, how
/// long until the next one would be when refused. Where other processes
/// share the database, the bucket is there (so the limit is one across
/// them all, keyed on a keyed hash of the address); otherwise in memory.
pub(super) async fn refusal(state: &ServerState, client: IpAddr) -> Option<Duration> {
    let app = &state.app;
    if !app.db.is_shared() {
        let limiter = &state.client_limiter;
        return limiter
            .check_key(&client)
            .err()
            .map(|not_until| not_until.wait_time_from(limiter.clock().now()));
    }
    let rate = app.settings.ip_rate;
    let hash = app.hasher.hash("client", &client.to_string());
    match storage::client_limits::take(&app.db, &hash, app.clock.now_ms(), rate.period, rate.burst).await {
        Ok(wait) => wait,
        Err(error) => {
            // The submission itself needs the database and reports its
            // failure; refusing here too would only hide which failed.
            tracing::error!(error = format!("{error:#}"), "the shared client limit could not be read");
            None
        }
    }
}

/// Drops, every minute until shutdown, the keys whose bucket is full again.
pub async fn prune_stale_keys(limiter: ClientLimiter, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {
                prune(&limiter);
            }
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Forgets clients whose limit state is the same as a newcomer's.
pub fn prune(limiter: &ClientLimiter) -> usize {
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn limiter(burst: u32, period_ms: u64, clock: &Clock) -> ClientLimiter {
        let mut settings = Settings::from_lookup(|_| None).unwrap();
        settings.ip_rate =
            crate::config::client_ip::IpRate { burst, period: Duration::from_millis(period_ms) };
        client_limiter(&settings, clock.clone())
    }

    #[test]
    fn clients_that_stopped_asking_are_forgotten() {
        let clock = Clock::manual(1_795_000_000_000);
        let limiter = limiter(2, 20, &clock);
        for last in 1..=50u8 {
            let ip = IpAddr::from([203, 0, 113, last]);
            assert!(limiter.check_key(&ip).is_ok());
        }
        assert_eq!(limiter.len(), 50);
        clock.advance(Duration::from_millis(19));
        assert_eq!(prune(&limiter), 50, "a bucket still refilling is kept");
        // Two periods later every bucket is full again: nothing worth keeping.
        clock.advance(Duration::from_millis(21));
        assert_eq!(prune(&limiter), 0);
    }

    #[test]
    fn a_client_still_inside_its_window_is_kept() {
        let clock = Clock::manual(1_795_000_000_000);
        let limiter = limiter(2, 60_000, &clock);
        let ip = IpAddr::from([203, 0, 113, 1]);
        assert!(limiter.check_key(&ip).is_ok());
        clock.advance(Duration::from_secs(59));
        assert_eq!(prune(&limiter), 1);
    }

    #[test]
    fn the_limit_refills_on_the_application_clock() {
        let clock = Clock::manual(1_795_000_000_000);
        let limiter = limiter(1, 2000, &clock);
        let ip = IpAddr::from([203, 0, 113, 9]);
        assert!(limiter.check_key(&ip).is_ok());
        let refused = limiter.check_key(&ip).unwrap_err();
        assert_eq!(refused.wait_time_from(limiter.clock().now()), Duration::from_secs(2));
        clock.advance(Duration::from_millis(1999));
        assert!(limiter.check_key(&ip).is_err());
        clock.advance(Duration::from_millis(1));
        assert!(limiter.check_key(&ip).is_ok());
    }

    #[test]
    fn the_policy_header_states_the_configured_quota_and_window() {
        let mut settings = Settings::from_lookup(|_| None).unwrap();
        let headers = crate::service::refusal::limit_headers(&settings, Limit::Client, 3);
        assert_eq!(headers["ratelimit-policy"], "\"client\";q=5;w=10");
        assert_eq!(headers["ratelimit"], "\"client\";r=0;t=3");
        assert_eq!(headers["retry-after"], "3");
        settings.email_daily_limit = 7;
        let headers = crate::service::refusal::limit_headers(&settings, Limit::Email, 600);
        assert_eq!(headers["ratelimit-policy"], "\"email\";q=7;w=86400");
    }
}
