//! The edge limit on report submissions: `tower_governor`'s layer, keyed on
//! the client address as [`crate::config::client_ip`] finds it behind
//! trusted proxies ([`super::client_limiter::ClientKey`]), burst `KIMIKO_IP_RATE_BURST` (5) and one
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
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::{Layer as _, ServiceExt as _};
use tower_governor::GovernorError;

use super::http;
use super::state::ServerState;
use crate::config::client_ip::limit_key;
use crate::domain::RequestReportError;
use crate::domain::request::{Limit, humanize_wait};
use crate::storage;
use crate::ui::components::request_form::REQUEST_REPORT_PATH;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::Settings;

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
