//! Pages kept as rendered: the bytes of one render, plain and gzipped, with
//! the CSP nonce its scripts carry, filled by the first request that needs
//! them. A report's page is kept with the report ([`super::cache`]); the
//! public pages — `/`, `/methodology`, `/privacy` and the not-found page —
//! are kept here, for the life of the process. The server's conditional
//! responses serve both from one piece of code.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use tokio::sync::OnceCell;

use super::nonce::CspNonce;

/// A page as rendered once.
pub struct RenderedPage {
    /// The status it was rendered with (the not-found page keeps its 404).
    pub status: StatusCode,
    pub html: Bytes,
    /// `html`, gzipped once for every client that accepts it.
    pub gzip: Bytes,
    /// The nonce its inline scripts carry; the page's CSP header must name it.
    ///
    /// One nonce for every response of the same bytes is sound here: a
    /// nonce protects against markup injected into the response, and
    /// anything in these bytes was put there by the render, before the
    /// nonce existed. Served copies never change; a new render gets a new
    /// nonce.
    pub nonce: CspNonce,
    /// The `ETag` and `Content-Security-Policy` every copy is served with.
    /// They name what the page shows and its nonce, which never change, so
    /// the server makes them once, with the page, not on every request.
    pub etag: HeaderValue,
    pub content_security_policy: HeaderValue,
}

impl RenderedPage {
    pub fn new(
        status: StatusCode,
        html: Bytes,
        nonce: CspNonce,
        etag: HeaderValue,
        content_security_policy: HeaderValue,
    ) -> Self {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&html).expect("writing to memory cannot fail");
        let gzip = Bytes::from(encoder.finish().expect("writing to memory cannot fail"));
        Self { status, html, gzip, nonce, etag, content_security_policy }
    }
}

/// One page's place: empty until a request renders it, then that render.
#[derive(Default)]
pub struct KeptPage(OnceCell<Arc<RenderedPage>>);

impl KeptPage {
    /// The kept render, if there is one.
    pub fn get(&self) -> Option<Arc<RenderedPage>> {
        self.0.get().cloned()
    }

    /// The kept page, or the one `render` makes, which is kept. Requests
    /// that miss together wait for one render instead of all rendering (a
    /// link shared in a busy chat arrives as a crowd). A failed render
    /// (`Err`, say a 500 page) is not kept; the next request tries anew.
    pub async fn get_or_render<E, Fut>(&self, render: impl FnOnce() -> Fut) -> Result<Arc<RenderedPage>, E>
    where
        Fut: Future<Output = Result<RenderedPage, E>>,
    {
        self.0.get_or_try_init(|| async { render().await.map(Arc::new) }).await.cloned()
    }
}

/// The pages that show everyone the same thing. Nothing on them comes from
/// a request, the database or a setting that can change while the process
/// runs (the methodology page lists the detectors, which change only with
/// the binary), so one render serves until the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicPage {
    Home = 0,
    Methodology = 1,
    Privacy = 2,
    /// Any path nothing else answers (decided by the router's fallback).
    NotFound = 3,
}

impl PublicPage {
    /// The page at `path`, for the pages that have a path of their own.
    pub fn at(path: &str) -> Option<Self> {
        [Self::Home, Self::Methodology, Self::Privacy].into_iter().find(|page| page.path() == path)
    }

    /// Its path (the not-found page has none of its own).
    pub fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Methodology => "/methodology",
            Self::Privacy => "/privacy",
            Self::NotFound => "unmatched",
        }
    }

    /// What the ETag calls it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Methodology => "methodology",
            Self::Privacy => "privacy",
            Self::NotFound => "not-found",
        }
    }

    /// The status a good render answers with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        }
    }
}

/// The kept public pages, one place each, and the paths found to be none
/// of them.
#[derive(Default)]
pub struct KeptPages {
    pages: [KeptPage; 4],
    not_found: NotFoundPaths,
}

impl KeptPages {
    pub fn get(&self, page: PublicPage) -> &KeptPage {
        &self.pages[page as usize]
    }

    /// Paths the router found no route or file for.
    pub fn not_found(&self) -> &NotFoundPaths {
        &self.not_found
    }
}

/// Paths already answered with the not-found page, so the same path asked
/// again is answered before routing. Scanners probe the same few hundred
/// paths (`/wp-login.php`, `/.env`) on every server; each costs a kept page
/// instead of a trip through the router and the file system. Routes do not
/// change while the process runs, and only paths whose first segment names
/// nothing in the site root are remembered (see the server's fallback): a
/// file added inside an existing folder (`pkg/`) is still found. A new
/// top-level file comes with a deploy, which starts a new process.
#[derive(Default)]
pub struct NotFoundPaths(std::sync::RwLock<std::collections::HashSet<Box<str>>>);

impl NotFoundPaths {
    /// At most this many paths, each at most this long: a crawler making
    /// up paths cannot grow the set without bound.
    const MAX_PATHS: usize = 4096;
    const MAX_PATH_BYTES: usize = 256;

    pub fn contains(&self, path: &str) -> bool {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).contains(path)
    }

    /// Remembers `path`, unless it is too long or the set is full.
    pub fn insert(&self, path: &str) {
        if path.len() > Self::MAX_PATH_BYTES {
            return;
        }
        let mut paths = self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if paths.len() < Self::MAX_PATHS {
            paths.insert(path.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(html: &'static str) -> RenderedPage {
        RenderedPage::new(
            StatusCode::OK,
            Bytes::from_static(html.as_bytes()),
            CspNonce(html.into()),
            HeaderValue::from_static("W/\"test\""),
            HeaderValue::from_static("default-src 'self'"),
        )
    }

    #[tokio::test]
    async fn requests_that_miss_together_wait_for_one_render() {
        let kept = KeptPage::default();
        assert!(kept.get().is_none());
        let renders = std::sync::atomic::AtomicUsize::new(0);
        let render = |html: &'static str| {
            let renders = &renders;
            move || async move {
                renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Hands the turn to the other request mid-render.
                tokio::task::yield_now().await;
                Ok::<_, ()>(rendered(html))
            }
        };
        let (first, second) = tokio::join!(
            kept.get_or_render(render("<p>first</p>")),
            kept.get_or_render(render("<p>second</p>"))
        );
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1, "one render for both");
        assert_eq!(first.unwrap().html, second.unwrap().html);
        let page = kept.get().unwrap();
        assert_eq!(
            page.nonce,
            CspNonce("<p>first</p>".into()),
            "the page keeps the nonce it was rendered with"
        );
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&page.gzip[..]), &mut unzipped)
            .unwrap();
        assert_eq!(unzipped, "<p>first</p>");
    }

    #[tokio::test]
    async fn a_failed_render_is_not_kept() {
        let kept = KeptPage::default();
        let failed = kept.get_or_render(|| async { Err::<RenderedPage, _>("500") }).await;
        assert_eq!(failed.err(), Some("500"));
        assert!(kept.get().is_none());
        let page = kept.get_or_render(|| async { Ok::<_, ()>(rendered("ok")) }).await;
        assert_eq!(page.unwrap().html, Bytes::from_static(b"ok"));
    }

    #[test]
    fn not_found_paths_are_remembered_up_to_a_bound() {
        let paths = NotFoundPaths::default();
        paths.insert("/wp-login.php");
        assert!(paths.contains("/wp-login.php"));
        assert!(!paths.contains("/wp-login.php/"));
        paths.insert(&format!("/{}", "a".repeat(NotFoundPaths::MAX_PATH_BYTES)));
        for i in 0..NotFoundPaths::MAX_PATHS + 10 {
            paths.insert(&format!("/probe-{i}"));
        }
        let kept = paths.0.read().unwrap();
        assert_eq!(kept.len(), NotFoundPaths::MAX_PATHS);
        assert!(kept.iter().all(|path| path.len() <= NotFoundPaths::MAX_PATH_BYTES));
    }

    #[test]
    fn each_public_page_has_its_own_place() {
        let pages = KeptPages::default();
        let all = [PublicPage::Home, PublicPage::Methodology, PublicPage::Privacy, PublicPage::NotFound];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(!std::ptr::eq(pages.get(*a), pages.get(*b)), "{a:?} and {b:?} share a place");
            }
        }
        assert_eq!(PublicPage::at("/"), Some(PublicPage::Home));
        assert_eq!(PublicPage::at("/privacy"), Some(PublicPage::Privacy));
        assert_eq!(PublicPage::at("/methodology/"), None);
        assert_eq!(PublicPage::NotFound.status(), StatusCode::NOT_FOUND);
    }
}
