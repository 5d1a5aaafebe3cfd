//! The observability endpoints: `/metrics` (Prometheus), `/readyz`, and the
//! middleware that times every request under its route template.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use tower_http::request_id::{MakeRequestId, RequestId};

use super::startup::ServerState;
use crate::storage;

/// `GET /metrics`
pub async fn render(State(state): State<ServerState>) -> Response {
    // The queue is counted when scraped: exact, and costs one indexed query.
    if let Ok(counts) = storage::jobs::counts(&state.app.db).await {
        for status in ["queued", "running", "succeeded", "dead"] {
            let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            metrics::gauge!("kimiko_jobs", "status" => status).set(n as f64);
        }
    }
    let handle = crate::metrics::handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}

/// Copies the matched route template into the response, where
/// [`track_requests`] (outside the router, so it also sees static files and
/// 404s) can read it.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Times every request under its route template (`/report/{wallet}`, never
/// the wallet itself) and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let family = route_family(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response.extensions().get::<MatchedPath>().map_or(family, |p| p.as_str()).to_owned();
    let status = response.status().as_u16().to_string();
    metrics::histogram!("kimiko_http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A short random request id (`x-request-id`), unless the client sent one.
#[derive(Clone, Copy)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = bs58::encode(rand::random::<[u8; 9]>()).into_string();
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The span every log line of a request is written in: its id, method and
/// path (paths hold job ids and wallets, never an email address).
pub fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
}

/// Paths answered before routing (report pages from the cache) under their
/// route; unmatched ones (static files, 404s) grouped so they can't explode
/// the label space.
fn route_family(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        "/pkg/{file}"
    } else if super::conditional::report_page_wallet(path).is_some() {
        "/report/{wallet}"
    } else {
        "other"
    }
}

/// `GET /readyz`: 200 when the database answers and (in `serve`) the worker
/// loop has been seen recently; 503 with the reason otherwise.
pub async fn readyz(State(state): State<ServerState>) -> Response {
    let app = &state.app;
    if !app.db.ping().await {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    match app.health.worker_seen_ago() {
        Some(ago) if ago <= super::state::WORKER_STALE => (StatusCode::OK, "ready").into_response(),
        Some(ago) => (StatusCode::SERVICE_UNAVAILABLE, format!("worker last seen {}s ago", ago.as_secs()))
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "worker not running").into_response(),
    }
}
