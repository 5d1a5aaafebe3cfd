//! The observability endpoints: `/metrics` (Prometheus), `/readyz`, and the
//! middleware that times every request under its route template.

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use tower_http::request_id::{MakeRequestId, RequestId};

use super::state::ServerState;
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

/// Times every request under its method, route template (`/report/{wallet}`,
/// never the wallet itself) and status. Every label comes from a closed set
/// (the recorder keeps each series it has seen for good): the standard
/// methods or `other`, the router's templates or a fixed family, and the
/// status code the application chose.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let family = route_family(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    // Static labels where they can be: the recorder copies nothing for them.
    let route: metrics::SharedString = match response.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_owned().into(),
        None => family.into(),
    };
    let status = status_label(response.status());
    metrics::histogram!("kimiko_http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The status code as a label, from a table made once.
fn status_label(status: StatusCode) -> &'static str {
    static LABELS: LazyLock<Vec<String>> =
        LazyLock::new(|| (100..1000).map(|code| code.to_string()).collect());
    &LABELS[usize::from(status.as_u16()) - 100]
}

/// The method as a label: one of RFC 9110's (and PATCH), or `other` — a
/// client can send any token as a method, and each would be a new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::CONNECT => "CONNECT",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Longest client-supplied request id kept.
const MAX_REQUEST_ID: usize = 64;

/// Whether a client's `x-request-id` is a short token of letters, digits,
/// `.`, `_` and `-`: it is written into every log line of the request, and
/// anything else (spaces, `=`, quotes, control or non-ASCII bytes) could
/// forge fields or whole lines in text logs, or smuggle terminal escapes.
pub fn is_safe_request_id(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID
        && value.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops a client's `x-request-id` that is not a safe token, so
/// [`NewRequestId`] makes one instead (goes before `SetRequestIdLayer`).
pub fn drop_unsafe_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let ids = headers.get_all(REQUEST_ID);
    let mut values = ids.iter();
    let keep = match (values.next(), values.next()) {
        (None, _) => true,
        (Some(one), None) => is_safe_request_id(one.as_bytes()),
        // Two ids: neither is the request's.
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove(REQUEST_ID);
    }
    request
}

const REQUEST_ID: &str = "x-request-id";

/// A short random request id (`x-request-id`), unless the client sent a
/// safe one (see [`drop_unsafe_request_id`]).
#[derive(Clone, Copy)]
pub struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        // Hex: as short to read as base58 for 72 bits, and a tenth of the work.
        HeaderValue::try_from(hex::encode(rand::random::<[u8; 9]>())).ok().map(RequestId::new)
    }
}

/// The span every log line of a request is written in: its id, method and
/// path (paths hold job ids and wallets, never an email address).
pub fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
}

/// Paths answered before routing (kept pages) under their
/// route; the rest that no route matched (static files, 404s) as one
/// `unmatched`, so made-up paths can't grow the label space.
fn route_family(path: &str) -> &'static str {
    use crate::ui::components::request_form::REQUEST_REPORT_PATH;
    if path.starts_with("/pkg/") {
        "/pkg/{file}"
    } else if path == REQUEST_REPORT_PATH {
        // A plain form post is answered by middleware, before routing.
        REQUEST_REPORT_PATH
    } else if super::conditional::report_page_wallet(path).is_some() {
        "/report/{wallet}"
    } else if let Some(page) = crate::service::kept_pages::PublicPage::at(path) {
        page.path()
    } else {
        "unmatched"
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
        Some(ago) if ago <= crate::service::state::WORKER_STALE => (StatusCode::OK, "ready").into_response(),
        Some(ago) => (StatusCode::SERVICE_UNAVAILABLE, format!("worker last seen {}s ago", ago.as_secs()))
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "worker not running").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_code_has_its_own_label() {
        assert_eq!(status_label(StatusCode::CONTINUE), "100");
        assert_eq!(status_label(StatusCode::NOT_MODIFIED), "304");
        assert_eq!(status_label(StatusCode::from_u16(999).unwrap()), "999");
    }

    #[test]
    fn only_short_plain_tokens_are_kept_as_request_ids() {
        for ok in ["trace-me-42", "a.b_c-D", &"x".repeat(64)] {
            assert!(is_safe_request_id(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "a b", "a=b", "a\tb", "a\"b", "a\u{1b}[31m", "é", &"x".repeat(65)] {
            assert!(!is_safe_request_id(bad.as_bytes()), "{bad:?}");
        }
    }

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::from_bytes(b"ZZ1").unwrap()), "other");
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND").unwrap()), "other");
    }
}
