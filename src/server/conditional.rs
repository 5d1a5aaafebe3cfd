//! HTTP caching for everything a report is served as — the page, the JSON,
//! the share card: an `ETag` per report version, `Cache-Control`, and `304
//! Not Modified` when the client already has that version. And the serving
//! of every page kept as rendered ([`crate::service::kept_pages`]): the report page
//! and the public pages, by one piece of code.

use std::sync::LazyLock;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::security_headers::{self, CspNonce};
use super::state::ServerState;
use crate::service::cache::CachedReport;
use crate::service::kept_pages::{KeptPage, PublicPage, RenderedPage};
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
    versioned_etag(entry.etag.trim_matches('"'), kind, weak)
}

/// The validator of a `kind` made by this process from what `version` names.
fn versioned_etag(version: &str, kind: &str, weak: bool) -> String {
    format!("{}\"{version}-{kind}-{}\"", if weak { "W/" } else { "" }, *BOOT)
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

/// The pages kept as rendered, from what was kept when it can be: the
/// report page ([`report_page`]) and the public pages at their paths
/// (`/`, `/methodology`, `/privacy`). The not-found page is kept too, but
/// only the router knows a path is not found: see [`not_found`], which
/// remembers such paths so they are answered here next time. Other
/// requests pass through.
pub async fn kept_page(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    if let Some(wallet) = report_page_wallet(request.uri().path()) {
        let wallet = wallet.to_owned();
        // A link by `.sol` name redirects to the wallet's canonical page.
        if let Some(Ok(name)) = super::names::as_name(&wallet) {
            let to = |wallet: &crate::domain::WalletAddress| format!("/report/{wallet}");
            let client = super::names::client_of(&state, &request);
            let answering = super::names::Answering::Page;
            if let Some(response) = super::names::redirect(&state, &name, client, answering, to).await {
                return response;
            }
        }
        return report_page(&state, &wallet, request, next).await;
    }
    // A query string could change what the page shows (`/?wallet=…` fills
    // the form in); render those afresh.
    if request.uri().query().is_some() {
        return next.run(request).await;
    }
    let page = match PublicPage::at(request.uri().path()) {
        Some(page) => page,
        None if state.pages.not_found().contains(request.uri().path()) => PublicPage::NotFound,
        None => return next.run(request).await,
    };
    serve_kept(public(&state, page), request, |request| next.run(request)).await
}

/// How a public page is kept: for the life of the process, under its name.
fn public(state: &ServerState, page: PublicPage) -> Keeping<'_> {
    Keeping {
        page: state.pages.get(page),
        version: page.name(),
        status: page.status(),
        cache_control: HeaderValue::from_static(PUBLIC_CACHE_CONTROL),
    }
}

/// Public pages change only with a deploy, which changes their ETag; the
/// same short lifetime as a report keeps a browser from pairing old HTML
/// with new WASM for long.
const PUBLIC_CACHE_CONTROL: &str = "public, max-age=60";

/// The server-rendered report page, kept with its report version when the
/// report cache is on. A database error or a missing report lets the page
/// render its own answer.
async fn report_page(state: &ServerState, wallet: &str, request: Request, next: Next) -> Response {
    let Ok(Some(entry)) = api::cached_report(&state.app, wallet).await else {
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
    let keeping = Keeping {
        page: entry.page(),
        version: entry.etag.trim_matches('"'),
        status: StatusCode::OK,
        cache_control,
    };
    serve_kept(keeping, request, |request| next.run(request)).await
}

/// The router's fallback: a file under the site root (the WASM, the CSS,
/// the icon), or else the not-found page, kept like the public pages.
/// Other methods, and paths with a query string, get the not-found page
/// rendered afresh (see [`kept_page`] on query strings).
pub async fn not_found<R, Fut>(state: ServerState, request: Request, render: R) -> Response
where
    R: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let render = |request| async move {
        let mut response = render(request).await;
        // What no route answers is not found, whatever the render said
        // (unless it chose another status, such as a redirect).
        if response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::NOT_FOUND;
        }
        response
    };
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let path = request.uri().path();
        if may_be_a_file(&state.leptos.site_root, path) {
            let file = static_file(&state.leptos.site_root, request.uri(), request.headers()).await;
            if file.status() == StatusCode::OK {
                return file;
            }
        } else if request.uri().query().is_none() {
            // No route and no file can answer it while this process runs.
            state.pages.not_found().insert(path);
        }
        if request.uri().query().is_none() {
            return serve_kept(public(&state, PublicPage::NotFound), request, render).await;
        }
    }
    render(request).await
}

/// False when the path's first segment names nothing in the site root, so
/// no file can answer it. One `stat` on the calling thread instead of the
/// file service's trip to the blocking pool: the not-found page is kept
/// too, and a crawler's stream of made-up paths should cost what it does.
fn may_be_a_file(root: &str, path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    // Anything unusual (an empty or dot segment, an encoded character) goes
    // to the file service, which has the rules for it.
    if first.is_empty() || first.starts_with('.') || first.contains('%') || first.contains('\\') {
        return true;
    }
    std::path::Path::new(root).join(first).symlink_metadata().is_ok()
}

/// The file at the request's path under the site root, precompressed copies
/// preferred (what Leptos's own fallback serves).
async fn static_file(root: &str, uri: &axum::http::Uri, headers: &HeaderMap) -> Response {
    use tower::ServiceExt as _;
    let mut request = Request::get(uri.clone()).body(Body::empty()).expect("a request from a valid URI");
    if let Some(accept) = headers.get(header::ACCEPT_ENCODING) {
        request.headers_mut().insert(header::ACCEPT_ENCODING, accept.clone());
    }
    let serve = tower_http::services::ServeDir::new(root).precompressed_gzip().precompressed_br();
    match serve.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(error) => match error {},
    }
}

/// A page to serve from what was kept.
struct Keeping<'a> {
    page: &'a KeptPage,
    /// What the page shows, named in its ETag: a report version, or the
    /// public page's name (the process's boot names the binary).
    version: &'a str,
    /// The status of a render worth keeping.
    status: StatusCode,
    cache_control: HeaderValue,
}

/// One page, served from what was kept: answers `304` before rendering when
/// the client has the kept render, serves the kept render (plain or
/// gzipped), and otherwise renders it with `render`, keeps it, and serves
/// it with `ETag` and `Cache-Control`. A render with another status is
/// answered as it is and not kept.
///
/// An `ETag` names one rendered page, nonce included ([`page_etag`]): a
/// browser revalidating its copy must never be told that another render,
/// under another policy, is the same. So a page that is not kept (a query
/// string, the report cache turned off) carries no `ETag`, a page rendered
/// again (after the cache let it go) gets a new one, and a `HEAD` is
/// answered from the kept page (rendered as a `GET` if need be).
async fn serve_kept<R, Fut>(keeping: Keeping<'_>, mut request: Request, render: R) -> Response
where
    R: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let Keeping { page, version, status, cache_control } = keeping;
    let kept = page.get();
    crate::metrics::cache_lookup(crate::metrics::Cache::Pages, kept.is_some());
    if let Some(kept) = kept {
        return answer_with_page(&kept, request.headers(), cache_control);
    }
    let request_headers = request.headers().clone();
    // Render with a nonce of the page's own, which every copy served from
    // what was kept will carry (see `RenderedPage::nonce`).
    let nonce = CspNonce::random();
    let etag = HeaderValue::from_str(&page_etag(version, &nonce)).expect("ETags are ASCII");
    let policy = security_headers::policy_header(&nonce);
    let rendered = page
        .get_or_render(|| async move {
            request.extensions_mut().insert(nonce.clone());
            // A HEAD's body may come back empty; the GET it stands for is
            // the page to keep (the server drops the body for a HEAD).
            *request.method_mut() = Method::GET;
            let response = render(request).await;
            if response.status() != status {
                return Err(response);
            }
            match axum::body::to_bytes(response.into_body(), MAX_PAGE_BYTES).await {
                Ok(html) => Ok(RenderedPage::new(status, html, nonce, etag, policy)),
                Err(error) => {
                    tracing::error!(%error, "a rendered page could not be read to keep it");
                    Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
                }
            }
        })
        .await;
    match rendered {
        Ok(kept) => answer_with_page(&kept, &request_headers, cache_control),
        Err(response) => response,
    }
}

/// The validator of one rendered page: what it shows (`version`), this
/// process, and the page's nonce (public: it is in the page). Weak, since
/// the plain and gzipped bytes share it.
pub fn page_etag(version: &str, nonce: &CspNonce) -> String {
    let nonce = Sha256::digest(nonce.0.as_bytes());
    versioned_etag(version, &format!("page-{}", hex::encode(&nonce[..6])), true)
}

/// `304` when the client has `page`, else the page itself.
fn answer_with_page(page: &RenderedPage, request: &HeaderMap, cache_control: HeaderValue) -> Response {
    if client_has(request, page.etag.to_str().expect("ETags are ASCII")) {
        return not_modified(page.etag.clone(), cache_control);
    }
    serve_page(page, request, cache_control)
}

/// A rendered page is tens of kilobytes; anything near this is a bug.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The kept page, with the status it was rendered with (gzipped when the
/// client accepts it), and the policy naming the nonce its scripts carry.
fn serve_page(page: &RenderedPage, request: &HeaderMap, cache_control: HeaderValue) -> Response {
    let gzip = accepts_gzip(request);
    let mut response = Response::new(Body::from(if gzip { page.gzip.clone() } else { page.html.clone() }));
    *response.status_mut() = page.status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(header::CONTENT_SECURITY_POLICY, page.content_security_policy.clone());
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

    #[test]
    fn a_path_whose_first_segment_is_in_the_site_root_may_be_a_file_and_others_may_not() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join("pkg")).expect("pkg dir");
        std::fs::write(root.path().join("favicon.ico"), b"icon").expect("icon");
        let root = root.path().to_str().expect("utf-8 path");
        assert!(may_be_a_file(root, "/pkg/kimiko.wasm"));
        assert!(may_be_a_file(root, "/favicon.ico"));
        assert!(!may_be_a_file(root, "/no-such-page"));
        assert!(!may_be_a_file(root, "/wp-admin/setup.php"));
        // Unusual paths are left to the file service's own rules.
        assert!(may_be_a_file(root, "/%70kg/kimiko.wasm"));
        assert!(may_be_a_file(root, "/../etc/passwd"));
    }
}
