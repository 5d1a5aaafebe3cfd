//! The edge limit on report submissions: tower_governor keyed on the client
//! address ([`super::client_ip`]), burst `KIMIKO_IP_RATE_BURST` (5) and one
//! more every `KIMIKO_IP_RATE_PERIOD_MS` (2000) — the original design's
//! "5 requests / 10 s per IP". A refusal is shown the way the per-email
//! limits are: the form again with a message for browsers without
//! JavaScript, the JSON error the hydrated form understands otherwise; both
//! with `Retry-After`, `RateLimit` and `RateLimit-Policy`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use tokio::sync::watch;
use tower::{Layer as _, ServiceExt as _};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};

use super::client_ip::ClientKey;
use super::http;
use super::settings::{Settings, SettingsError, ranged};
use super::startup::ServerState;
use crate::domain::RequestReportError;
use crate::domain::request::{Limit, humanize_wait};
use crate::pages::home::REQUEST_REPORT_PATH;

/// How often keys whose bucket has refilled are dropped, so the table holds
/// only clients seen in the last few seconds.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
const DAY_SECS: u64 = 24 * 3600;

/// The per-client quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRate {
    pub burst: u32,
    pub period: Duration,
}

impl IpRate {
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        Ok(IpRate {
            burst: ranged(var, "KIMIKO_IP_RATE_BURST", 5, 1..=1_000_000)? as u32,
            period: Duration::from_millis(ranged(var, "KIMIKO_IP_RATE_PERIOD_MS", 2000, 1..=3_600_000)?),
        })
    }

    /// The window in which `burst` requests are allowed from empty, in whole seconds.
    fn window_secs(&self) -> u64 {
        (self.period * self.burst).as_secs_f64().ceil() as u64
    }
}

pub type ClientLimiter = Arc<GovernorConfig<ClientKey, NoOpMiddleware>>;

/// The limiter for `settings`; one per server, shared by every request.
pub fn client_limiter(settings: &Settings) -> ClientLimiter {
    let config = GovernorConfigBuilder::default()
        .period(settings.ip_rate.period)
        .burst_size(settings.ip_rate.burst)
        .key_extractor(ClientKey(Arc::new(settings.client_ip.clone())))
        .finish()
        .expect("settings keep burst and period above zero");
    Arc::new(config)
}

/// Marks the governor's own refusal, so it is told apart from a 429 that
/// the per-email limits behind it answered.
#[derive(Clone, Copy)]
struct ClientLimited {
    retry_after_secs: u64,
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
    let wants_html = http::accepts_html(request.headers());
    let nonce = request.extensions().get::<super::security_headers::CspNonce>().cloned();
    let governed =
        GovernorLayer::new(state.client_limiter.clone()).error_handler(governor_refusal).layer(next);
    let response = match governed.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let Some(limited) = response.extensions().get::<ClientLimited>().copied() else {
        return response;
    };
    tracing::info!(retry_after_secs = limited.retry_after_secs, "submission refused: client rate limit");
    crate::metrics::rate_limited(Limit::Client);
    let error = RequestReportError::RateLimited {
        limit: Limit::Client,
        message: format!(
            "Too many requests from your connection in a short time. Please try again {}.",
            humanize_wait(limited.retry_after_secs)
        ),
        retry_after_secs: limited.retry_after_secs,
    };
    http::refuse(&state, wants_html, nonce, String::new(), error).await
}

fn governor_refusal(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            // tower_governor rounds the wait down to whole seconds; one more
            // keeps a client that obeys Retry-After from being refused again.
            let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
            response.extensions_mut().insert(ClientLimited { retry_after_secs: wait_time + 1 });
            response
        }
        // No socket address: the server was started without connect info.
        other => {
            tracing::error!(error = %other, "the client rate limit could not key a request");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `Retry-After` plus the IETF `RateLimit` and `RateLimit-Policy` fields
/// (draft-ietf-httpapi-ratelimit-headers) for a refusal by `limit`.
pub fn refusal_headers(settings: &Settings, limit: Limit, retry_after_secs: u64) -> HeaderMap {
    let (name, quota, window) = match limit {
        Limit::Client => ("client", u64::from(settings.ip_rate.burst), settings.ip_rate.window_secs()),
        Limit::Email => ("email", u64::from(settings.email_daily_limit), DAY_SECS),
        Limit::EmailAndWallet => ("email-wallet", 1, DAY_SECS),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    let policy = format!("\"{name}\";q={quota};w={window}");
    let state = format!("\"{name}\";r=0;t={retry_after_secs}");
    headers.insert("ratelimit-policy", HeaderValue::from_str(&policy).expect("ASCII"));
    headers.insert("ratelimit", HeaderValue::from_str(&state).expect("ASCII"));
    headers
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
    let limiter = limiter.limiter();
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn limiter(burst: u32, period_ms: u64) -> ClientLimiter {
        let mut settings = Settings::from_lookup(|_| None).unwrap();
        settings.ip_rate = IpRate { burst, period: Duration::from_millis(period_ms) };
        client_limiter(&settings)
    }

    #[test]
    fn clients_that_stopped_asking_are_forgotten() {
        let limiter = limiter(2, 20);
        for last in 1..=50u8 {
            let ip = IpAddr::from([203, 0, 113, last]);
            assert!(limiter.limiter().check_key(&ip).is_ok());
        }
        assert_eq!(limiter.limiter().len(), 50);
        // Two periods later every bucket is full again: nothing worth keeping.
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(prune(&limiter), 0);
    }

    #[test]
    fn a_client_still_inside_its_window_is_kept() {
        let limiter = limiter(2, 60_000);
        let ip = IpAddr::from([203, 0, 113, 1]);
        assert!(limiter.limiter().check_key(&ip).is_ok());
        assert_eq!(prune(&limiter), 1);
    }

    #[test]
    fn the_policy_header_states_the_configured_quota_and_window() {
        let mut settings = Settings::from_lookup(|_| None).unwrap();
        let headers = refusal_headers(&settings, Limit::Client, 3);
        assert_eq!(headers["ratelimit-policy"], "\"client\";q=5;w=10");
        assert_eq!(headers["ratelimit"], "\"client\";r=0;t=3");
        assert_eq!(headers["retry-after"], "3");
        settings.email_daily_limit = 7;
        let headers = refusal_headers(&settings, Limit::Email, 600);
        assert_eq!(headers["ratelimit-policy"], "\"email\";q=7;w=86400");
    }
}
