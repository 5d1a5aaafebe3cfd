//! HTTP caching for everything a report is served as — the page, the JSON,
//! the share card: an `ETag` per report version, `Cache-Control`, and `304
//! Not Modified` when the client already has that version.

use std::sync::LazyLock;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::security_headers::CspNonce;
use super::startup::ServerState;
use crate::service::cache::{CachedReport, RenderedPage};
use crate::service::reports as api;

/// How long a browser or proxy may reuse a report without asking again.
/// Short, because "Ask for a fresh analysis" can replace a report at any
/// time; after that, a revalidation costs a cache lookup and a 304.
pub const MAX_AGE_SECS: i64 = 60;

/// Changes on every start: the page's and the card's bytes depend on the
/// code as well as the report, and a deploy must not leave browsers with
/// HTML that no longer matches the WASM it loads.
static BOOT: LazyLock<String> = LazyLock::new(|| {
    let bytes: [u8; 6] = rand::random();
    hex::encode(bytes)
});

/// The validator of a page or card made from `entry` by this process.
/// Weak for the page: equal meaning, not necessarily equal bytes.
pub fn derived_etag(entry: &CachedReport, kind: &str, weak: bool) -> String {
    let core = entry.etag.trim_matches('"');
    format!("{}\"{core}-{kind}-{}\"", if weak { "W/" } else { "" }, *BOOT)
}

/// `public, max-age=…`, never past the report's expiry.
pub fn cache_control(entry: &CachedReport, now_ms: i64) -> HeaderValue {
    let left = ((entry.expires_at_ms() - now_ms) / 1000).clamp(0, MAX_AGE_SECS);
    HeaderValue::from_str(&format!("public, max-age={left}")).expect("ASCII header value")
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks
/// for `If-None-Match`), or is `*`.
pub fn client_has(headers: &HeaderMap, etag: &str) -> bool {
    let wanted = etag.trim_start_matches("W/");
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|value| {
        value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == wanted)
    })
}

/// `304` with the validators, or `200` with `body`.
pub fn respond(
    headers: &HeaderMap,
    etag: &str,
    cache_control: HeaderValue,
    content_type: &'static str,
    body: Bytes,
) -> Response {
    let etag_value = HeaderValue::from_str(etag).expect("ETags are ASCII");
    if client_has(headers, etag) {
        return not_modified(etag_value, cache_control);
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache_control),
        ],
        body,
    )
        .into_response()
}

fn not_modified(etag: HeaderValue, cache_control: HeaderValue) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    response.headers_mut().insert(header::ETAG, etag);
    response.headers_mut().insert(header::CACHE_CONTROL, cache_control);
    response
}

/// The wallet in `/report/{wallet}` (the page itself, not its card).
pub fn report_page_wallet(path: &str) -> Option<&str> {
    let wallet = path.strip_prefix("/report/")?;
    (!wallet.is_empty() && !wallet.contains('/')).then_some(wallet)
}

/// The server-rendered report page, from the cache when it can be: answers
/// `304` before rendering when the client has the kept version, serves the
/// page as first rendered for this report version (plain or gzipped), and
/// otherwise renders it, keeps it, and adds `ETag` and `Cache-Control`.
/// Other requests pass through.
///
/// An `ETag` names one rendered page, nonce included ([`page_etag`]): a
/// browser revalidating its copy must never be told that another render,
/// under another policy, is the same. So a page that is not kept (a query
/// string, the cache turned off) carries no `ETag`, a page rendered again
/// (after the cache let it go) gets a new one, and a `HEAD` is answered
/// from the kept page (rendered as a `GET` if need be).
pub async fn report_page(State(state): State<ServerState>, mut request: Request, next: Next) -> Response {
    let wallet = match (request.method(), report_page_wallet(request.uri().path())) {
        (&Method::GET | &Method::HEAD, Some(wallet)) => wallet.to_owned(),
        _ => return next.run(request).await,
    };
    // A database error or a missing report: let the page render its own answer.
    let Ok(Some(entry)) = api::cached_report(&state.app, &wallet).await else {
        return next.run(request).await;
    };
    let cache_control = cache_control(&entry, state.app.clock.now_ms());
    // A query string could change what the page shows; render those afresh.
    let keep = state.app.reports.is_enabled() && request.uri().query().is_none();
    if !keep {
        let mut response = next.run(request).await;
        if response.status() == StatusCode::OK {
            response.headers_mut().insert(header::CACHE_CONTROL, cache_control);
        }
        return response;
    }
    let page = entry.page();
    crate::metrics::cache_lookup(crate::metrics::Cache::Pages, page.is_some());
    if let Some(page) = page {
        return answer_with_page(&entry, &page, request.headers(), cache_control);
    }
    let request_headers = request.headers().clone();
    let page = entry
        .page_or_render(|| async move {
            // Render with a nonce of the page's own, which every copy
            // served from the cache will carry (see `RenderedPage::nonce`).
            let nonce = CspNonce::random();
            request.extensions_mut().insert(nonce.clone());
            // A HEAD's body may come back empty; the GET it stands for is
            // the page to keep (the server drops the body for a HEAD).
            *request.method_mut() = Method::GET;
            let response = next.run(request).await;
            if response.status() != StatusCode::OK {
                return Err(response);
            }
            match axum::body::to_bytes(response.into_body(), MAX_PAGE_BYTES).await {
                Ok(html) => Ok(RenderedPage::new(html, nonce)),
                Err(error) => {
                    tracing::error!(%error, "the rendered report page could not be read for the cache");
                    Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
                }
            }
        })
        .await;
    match page {
        Ok(page) => answer_with_page(&entry, &page, &request_headers, cache_control),
        Err(response) => response,
    }
}

/// The validator of one rendered page: the report version, this process,
/// and the page's nonce (public: it is in the page). Weak, since the plain
/// and gzipped bytes share it.
pub fn page_etag(entry: &CachedReport, page: &RenderedPage) -> String {
    let nonce = Sha256::digest(page.nonce.0.as_bytes());
    derived_etag(entry, &format!("page-{}", hex::encode(&nonce[..6])), true)
}

/// `304` when the client has `page`, else the page itself.
fn answer_with_page(
    entry: &CachedReport,
    page: &RenderedPage,
    request: &HeaderMap,
    cache_control: HeaderValue,
) -> Response {
    let etag = HeaderValue::from_str(&page_etag(entry, page)).expect("ETags are ASCII");
    if client_has(request, etag.to_str().expect("ASCII")) {
        return not_modified(etag, cache_control);
    }
    serve_page(page, request, etag, cache_control)
}

/// A rendered report page is tens of kilobytes; anything near this is a bug.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The kept page: gzipped when the client accepts it. Carries the page's
/// nonce for [`super::security_headers::set`] to name in the policy.
fn serve_page(
    page: &RenderedPage,
    request: &HeaderMap,
    etag: HeaderValue,
    cache_control: HeaderValue,
) -> Response {
    let gzip = accepts_gzip(request);
    let mut response = Response::new(Body::from(if gzip { page.gzip.clone() } else { page.html.clone() }));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, cache_control);
    response.extensions_mut().insert(page.nonce.clone());
    response
}

/// Whether `Accept-Encoding` allows gzip (`gzip` or `*`, not at `q=0`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|value| {
        value.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts
                .any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn if_none_match_matches_weakly_in_lists_and_for_a_star() {
        assert!(client_has(&if_none_match("\"abc\""), "\"abc\""));
        assert!(client_has(&if_none_match("W/\"abc\""), "\"abc\""));
        assert!(client_has(&if_none_match("\"x\", W/\"abc\""), "W/\"abc\""));
        assert!(client_has(&if_none_match("*"), "\"abc\""));
        assert!(!client_has(&if_none_match("\"abcd\""), "\"abc\""));
        assert!(!client_has(&HeaderMap::new(), "\"abc\""));
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        let accept = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            accepts_gzip(&headers)
        };
        assert!(accept("gzip, deflate, br, zstd"));
        assert!(accept("br;q=1.0, GZIP;q=0.5"));
        assert!(accept("*"));
        assert!(!accept("gzip;q=0"));
        assert!(!accept("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn only_the_report_page_path_is_recognised() {
        assert_eq!(report_page_wallet("/report/abc"), Some("abc"));
        assert_eq!(report_page_wallet("/report/abc/card.png"), None);
        assert_eq!(report_page_wallet("/report/"), None);
        assert_eq!(report_page_wallet("/reports/abc"), None);
    }
}
