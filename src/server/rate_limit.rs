//! The edge limit on report submissions: `tower_governor`'s layer, keyed on
//! the client address as [`crate::config::client_ip`] finds it behind
//! trusted proxies ([`ClientKey`]), burst `KIMIKO_IP_RATE_BURST` (5) and one
//! more every `KIMIKO_IP_RATE_PERIOD_MS` (2000) — the original design's
//! "5 requests / 10 s per IP". With several processes on one Postgres
//! database the bucket lives in the database instead
//! ([`storage::client_limits`]), so the limit holds across them.
//!
//! Only submissions pass through the layer: it is put around the rest of
//! the stack per submission (a route layer cannot do it: the server
//! function's route is registered by `leptos_routes`), so pages, job status
//! and other server functions never touch a bucket. Its refusal carries
//! the wait ([`Refused`]) out to [`limit_submissions`], which answers it the
//! way the per-email limits are answered: the form again with a message
//! for browsers without JavaScript, the JSON error the hydrated form
//! understands otherwise; both with `Retry-After`, `RateLimit` and
//! `RateLimit-Policy`.
//!
//! The limiter runs on the real clock (tower_governor's), so tests use
//! windows long enough that nothing refills while they run, read the
//! limiter's own `Retry-After`, and wait it out where they test a refill.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tokio::sync::watch;
use tower::{Layer as _, ServiceExt as _};
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder, SharedRateLimiter};
use tower_governor::key_extractor::KeyExtractor;

use super::http;
use super::startup::ServerState;
use crate::config::client_ip::{ClientIpSource, limit_key};
use crate::config::settings::Settings;
use crate::domain::RequestReportError;
use crate::domain::request::{Limit, humanize_wait};
use crate::storage;
use crate::ui::components::request_form::REQUEST_REPORT_PATH;

/// How often keys whose bucket has refilled are dropped, so the table holds
/// only clients seen in the last few seconds.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The limiter's key: the client address under the trusted-proxy rules
/// (`KIMIKO_CLIENT_IP_HEADER`, `KIMIKO_TRUSTED_PROXIES`), an IPv6 client
/// counted per /64 ([`limit_key`]).
#[derive(Clone, Debug)]
pub struct ClientKey(Arc<ClientIpSource>);

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        self.0
            .for_request(request.extensions(), request.headers())
            .map(limit_key)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The key extractor for `settings`' client-address rules.
pub fn client_key(settings: &Settings) -> ClientKey {
    ClientKey(Arc::new(settings.client_ip.clone()))
}

/// The submissions limiter, shared by every request of one server.
pub type ClientLimiter = Arc<GovernorConfig<ClientKey, NoOpMiddleware<QuantaInstant>>>;

/// The limiter for `settings`: the seam the tests read the configuration
/// through.
pub fn client_limiter(settings: &Settings) -> ClientLimiter {
    let rate = settings.ip_rate;
    let config = GovernorConfigBuilder::default()
        .period(rate.period)
        .burst_size(rate.burst)
        .key_extractor(client_key(settings))
        .finish()
        .expect("settings keep the burst and the period above zero");
    Arc::new(config)
}

/// What the layer's refusal carries out to [`limit_submissions`]: how many
/// whole seconds until the client's next submission would be allowed.
#[derive(Clone, Copy, Debug)]
struct Refused {
    wait_secs: u64,
}

fn on_refusal(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
            response.extensions_mut().insert(Refused { wait_secs: wait_time });
            response
        }
        GovernorError::UnableToExtractKey | GovernorError::Other { .. } => {
            // No socket address: the server was started without connect info.
            tracing::error!("the client rate limit could not key a request");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Applies the client limit to `POST /api/request-report`; every other
/// request goes straight on.
pub async fn limit_submissions(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != REQUEST_REPORT_PATH {
        return next.run(request).await;
    }
    let wants_html = http::accepts_html(request.headers());
    let nonce = request.extensions().get::<super::security_headers::CspNonce>().cloned();
    let wait = if state.app.db.is_shared() {
        let client = state.app.settings.client_ip.for_request(request.extensions(), request.headers());
        match shared_refusal(&state, client).await {
            Ok(None) => return next.run(request).await,
            Ok(Some(wait)) => wait.as_secs(),
            Err(response) => return response,
        }
    } else {
        let layer =
            tower_governor::GovernorLayer::new(state.client_limiter.clone()).error_handler(on_refusal);
        let response: Response = match layer.layer(next).oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let Some(refused) = response.extensions().get::<Refused>().copied() else {
            return response;
        };
        refused.wait_secs
    };
    // One more than the wait rounded down, so a client that obeys
    // Retry-After is not refused again.
    let retry_after_secs = wait + 1;
    tracing::info!(retry_after_secs, "submission refused: client rate limit");
    crate::metrics::rate_limited(Limit::Client);
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

/// Postgres, where other processes share the database: takes one
/// submission from the client's bucket there (one limit across them all,
/// keyed on a keyed hash of the address). `None` when allowed, how long
/// until the next one would be when refused.
async fn shared_refusal(state: &ServerState, client: Option<IpAddr>) -> Result<Option<Duration>, Response> {
    let app = &state.app;
    let Some(client) = client else {
        return Err(on_refusal(GovernorError::UnableToExtractKey));
    };
    let rate = app.settings.ip_rate;
    let hash = app.hasher.hash("client", &limit_key(client).to_string());
    match storage::client_limits::take(&app.db, &hash, app.clock.now_ms(), rate.period, rate.burst).await {
        Ok(wait) => Ok(wait),
        Err(error) => {
            // The submission itself needs the database and reports its
            // failure; refusing here too would only hide which failed.
            tracing::error!(error = format!("{error:#}"), "the shared client limit could not be read");
            Ok(None)
        }
    }
}

/// Takes one token from `client`'s submission bucket for work a submission
/// would cost without being one (a `.sol` name lookup): `None` when
/// allowed, how long until the next one would be when refused. The same
/// bucket the layer uses: in the database where processes share it, else
/// the in-memory limiter's.
pub(super) async fn refusal(state: &ServerState, client: IpAddr) -> Option<Duration> {
    use governor::clock::Clock as _;
    if state.app.db.is_shared() {
        return shared_refusal(state, Some(client)).await.unwrap_or(None);
    }
    let limiter = state.client_limiter.limiter();
    limiter
        .check_key(&limit_key(client))
        .err()
        .map(|not_until| not_until.wait_time_from(limiter.clock().now()))
}

/// Drops, every minute until shutdown, the keys whose bucket is full again.
pub async fn prune_stale_keys(limiter: ClientLimiter, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {
                prune(limiter.limiter());
            }
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Forgets clients whose limit state is the same as a newcomer's.
pub fn prune(limiter: &SharedRateLimiter<IpAddr, NoOpMiddleware<QuantaInstant>>) -> usize {
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    fn settings(burst: u32, period: Duration, env: &[(&str, &str)]) -> Settings {
        let env: std::collections::HashMap<String, String> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut settings = Settings::from_lookup(|name| env.get(name).cloned()).unwrap();
        settings.ip_rate = crate::config::client_ip::IpRate { burst, period };
        settings
    }

    fn request_from(peer: &str, forwarded_for: Option<&str>) -> axum::http::Request<()> {
        let mut request = axum::http::Request::post(REQUEST_REPORT_PATH).body(()).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(value) = forwarded_for {
            request.headers_mut().insert("x-forwarded-for", value.parse().unwrap());
        }
        request
    }

    #[test]
    fn the_layer_is_configured_from_the_settings() {
        let limiter = client_limiter(&settings(2, Duration::from_secs(600), &[]));
        let ip = IpAddr::from([203, 0, 113, 9]);
        let limiter = limiter.limiter();
        assert!(limiter.check_key(&ip).is_ok() && limiter.check_key(&ip).is_ok(), "a burst of two");
        let refused = limiter.check_key(&ip).expect_err("the third at once is refused");
        let wait = refused.wait_time_from(governor::clock::Clock::now(limiter.clock()));
        // A whole period, less however long this test took to get here.
        assert!(wait <= Duration::from_secs(600) && wait > Duration::from_secs(540), "{wait:?}");
        assert!(limiter.check_key(&IpAddr::from([203, 0, 113, 10])).is_ok(), "another client has its own");
    }

    #[test]
    fn the_key_follows_the_trusted_proxy_rules() {
        let direct = settings(1, Duration::from_secs(1), &[]);
        let key = |settings: &Settings, request| client_key(settings).extract(&request).unwrap();
        let forged = request_from("198.51.100.7:5000", Some("203.0.113.1"));
        assert_eq!(key(&direct, forged), IpAddr::from([198, 51, 100, 7]), "no header believed by default");

        let proxied = settings(
            1,
            Duration::from_secs(1),
            &[("KIMIKO_CLIENT_IP_HEADER", "X-Forwarded-For"), ("KIMIKO_TRUSTED_PROXIES", "10.0.0.2")],
        );
        let through_proxy = request_from("10.0.0.2:5000", Some("203.0.113.1, 10.0.0.9"));
        assert_eq!(key(&proxied, through_proxy), IpAddr::from([10, 0, 0, 9]), "the entry the proxy appended");
        let not_the_proxy = request_from("198.51.100.7:5000", Some("203.0.113.1"));
        assert_eq!(key(&proxied, not_the_proxy), IpAddr::from([198, 51, 100, 7]), "an untrusted peer");
        let ipv6 = request_from("[2001:db8:1:2:3:4:5:6]:5000", None);
        assert_eq!(key(&proxied, ipv6), "2001:db8:1:2::".parse::<IpAddr>().unwrap(), "IPv6 per /64");
        let mut bare = request_from("10.0.0.2:5000", None);
        bare.extensions_mut().clear();
        assert!(client_key(&proxied).extract(&bare).is_err(), "no socket address, no key");
    }

    #[test]
    fn clients_that_stopped_asking_are_forgotten_and_recent_ones_kept() {
        let limiter = client_limiter(&settings(2, Duration::from_millis(1), &[]));
        for last in 1..=50u8 {
            assert!(limiter.limiter().check_key(&IpAddr::from([203, 0, 113, last])).is_ok());
        }
        assert_eq!(limiter.limiter().len(), 50);
        // Two periods later every bucket is full again: nothing worth keeping.
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(prune(limiter.limiter()), 0);

        let slow = client_limiter(&settings(2, Duration::from_secs(600), &[]));
        assert!(slow.limiter().check_key(&IpAddr::from([203, 0, 113, 1])).is_ok());
        assert_eq!(prune(slow.limiter()), 1, "a bucket still refilling is kept");
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
