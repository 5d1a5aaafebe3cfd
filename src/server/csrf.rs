//! Refuses state-changing requests that a browser sends on behalf of another
//! site, so no page elsewhere can make its visitors queue report mails.
//!
//! The check has to survive our own `Referrer-Policy: no-referrer`, under
//! which a browser sends `Origin: null` even on our own form posts. So it
//! reads, in order:
//! 1. `Sec-Fetch-Site` (every current browser): only `same-origin` or
//!    `none` (the user's own action) pass;
//! 2. otherwise `Origin`, then `Referer`: they must name this site (the
//!    public URL, or the host the request was sent to);
//! 3. with none of them it is not a browser acting for a page (curl, a
//!    script, the operator): it passes, and the other limits apply.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use url::Url;

use super::http;
use super::security_headers::CspNonce;
use super::state::ServerState;
use crate::domain::RequestReportError;
use crate::ui::components::request_form::REQUEST_REPORT_PATH;

/// Whether a request with these headers came from a page of `public_url`.
pub fn is_same_site(headers: &HeaderMap, public_url: &Url) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let host = text(header::HOST.as_str());
    let ours = |origin: &str| match Url::parse(origin) {
        Ok(url) => same_origin(&url, public_url) || host.is_some_and(|h| authority(&url) == h),
        // Includes "null": a sandboxed frame, a cross-origin redirect, a file.
        Err(_) => false,
    };
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        return ours(origin);
    }
    if let Some(referer) = text(header::REFERER.as_str()) {
        return ours(referer);
    }
    true
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `host[:port]` as it appears in a `Host` header.
fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

/// Middleware: lets safe methods through, and others only from our own pages.
pub async fn refuse_cross_site(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_same_site(request.headers(), &state.app.settings.public_url) {
        return next.run(request).await;
    }
    tracing::info!(path = request.uri().path(), "refused a cross-site request");
    if request.uri().path() == REQUEST_REPORT_PATH {
        let wants_html = http::accepts_html(request.headers());
        let nonce = request.extensions().get::<CspNonce>().cloned();
        return http::refuse(&state, wants_html, nonce, String::new(), RequestReportError::Forbidden).await;
    }
    (StatusCode::FORBIDDEN, axum::Json(json!({"error": "cross-site request refused"}))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(axum::http::HeaderName::try_from(*name).unwrap(), value.parse().unwrap());
        }
        map
    }

    fn ours(pairs: &[(&str, &str)]) -> bool {
        is_same_site(&headers(pairs), &Url::parse("https://kimiko.example").unwrap())
    }

    #[test]
    fn our_own_forms_pass_even_when_no_referrer_makes_the_origin_null() {
        assert!(ours(&[("sec-fetch-site", "same-origin"), ("origin", "null")]));
        assert!(ours(&[("sec-fetch-site", "none")]));
        assert!(ours(&[("origin", "https://kimiko.example")]));
        assert!(ours(&[("origin", "https://kimiko.example:443")]));
        assert!(ours(&[("referer", "https://kimiko.example/?wallet=x")]));
        // Reached under another name than the public URL (a local test).
        assert!(ours(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]));
    }

    #[test]
    fn other_sites_are_refused_whatever_they_claim() {
        assert!(!ours(&[("sec-fetch-site", "cross-site"), ("origin", "https://kimiko.example")]));
        // A sibling subdomain may be someone else's.
        assert!(!ours(&[("sec-fetch-site", "same-site")]));
        assert!(!ours(&[("origin", "https://evil.example")]));
        assert!(!ours(&[("origin", "http://kimiko.example")]), "another scheme is another origin");
        assert!(!ours(&[("origin", "https://kimiko.example.evil.example")]));
        assert!(!ours(&[("origin", "null")]));
        assert!(!ours(&[("referer", "https://evil.example/kimiko.example")]));
        assert!(!ours(&[("origin", "https://evil.example"), ("host", "kimiko.example")]));
    }

    #[test]
    fn clients_that_are_not_browsers_pass() {
        assert!(ours(&[]));
        assert!(ours(&[("user-agent", "curl/8.0")]));
    }
}
