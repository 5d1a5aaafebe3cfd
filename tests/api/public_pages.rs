//! The public pages — `/`, `/methodology`, `/privacy` and the not-found
//! page — kept as first rendered, like the report page: served again as the
//! same bytes under the same ETag (a new render would carry a new CSP
//! nonce, so equal bytes mean no render), gzipped for browsers that accept
//! it, answered with a 304 on revalidation, and rendered afresh only where a
//! request could change what they show.

use reqwest::StatusCode;
use reqwest::header::{ETAG, HeaderMap, IF_NONE_MATCH};

use crate::helpers::{Options, TestApp, csp_nonce, script_tags, spawn_app, spawn_app_with};
use kimiko::testing::Chain;

/// Each page with the status it answers with.
const PAGES: [(&str, u16); 4] =
    [("/", 200), ("/methodology", 200), ("/privacy", 200), ("/no-such-page", 404)];

/// The nonces a page's scripts carry.
fn script_nonces(html: &str) -> Vec<String> {
    script_tags(html)
        .into_iter()
        .map(|tag| {
            tag.split("nonce=\"")
                .nth(1)
                .expect("every script has a nonce")
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn etag(headers: &HeaderMap) -> &str {
    headers.get(ETAG).expect("a kept page names its render").to_str().unwrap()
}

#[tokio::test]
async fn every_public_page_is_served_again_as_first_rendered_plain_or_gzipped() {
    let app = spawn_app(Chain::new()).await;
    for (path, status) in PAGES {
        let (first_status, first, first_html) = app.page(path, false).await;
        assert_eq!(first_status.as_u16(), status, "{path}");
        let allowed = csp_nonce(&first);
        let carried = script_nonces(&first_html);
        assert!(
            !carried.is_empty() && carried.iter().all(|n| *n == allowed),
            "{path}: scripts run under the header's nonce"
        );
        assert!(first.get("content-encoding").is_none(), "{path}");
        assert_eq!(first["vary"], "accept-encoding", "{path}");

        let (again_status, again, again_html) = app.page(path, false).await;
        assert_eq!(again_status.as_u16(), status, "{path}");
        assert_eq!(again_html, first_html, "{path}: served as kept, not rendered again");
        assert_eq!(etag(&again), etag(&first), "{path}");
        assert_eq!(csp_nonce(&again), allowed, "{path}: the header names the kept page's nonce");

        let (zipped_status, zipped, zipped_html) = app.page(path, true).await;
        assert_eq!(zipped_status.as_u16(), status, "{path}");
        assert_eq!(zipped["content-encoding"], "gzip", "{path}");
        assert_eq!(zipped_html, first_html, "{path}");
        assert_eq!(etag(&zipped), etag(&first), "{path}");
        assert_eq!(csp_nonce(&zipped), allowed, "{path}");

        let head = app.http.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status().as_u16(), status, "{path}");
        assert_eq!(etag(head.headers()), etag(&first), "{path}: a HEAD describes the kept page");
    }
}

#[tokio::test]
async fn a_public_page_revalidated_with_its_etag_is_a_304_that_names_no_policy() {
    let app = spawn_app(Chain::new()).await;
    for (path, _) in PAGES {
        let (_, kept, _) = app.page(path, false).await;
        let revalidated =
            app.http.get(app.url(path)).header(IF_NONE_MATCH, etag(&kept)).send().await.unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert!(
            revalidated.headers().get("content-security-policy").is_none(),
            "{path}: a 304 must not replace the policy the kept copy's scripts run under"
        );
        assert_eq!(etag(revalidated.headers()), etag(&kept), "{path}");
        assert!(revalidated.bytes().await.unwrap().is_empty());

        let stale =
            app.http.get(app.url(path)).header(IF_NONE_MATCH, "W/\"another-render\"").send().await.unwrap();
        assert_ne!(stale.status(), StatusCode::NOT_MODIFIED, "{path}: another ETag gets the page");
    }
}

#[tokio::test]
async fn every_missing_path_gets_the_one_kept_not_found_page_with_a_404() {
    let app = spawn_app(Chain::new()).await;
    let (status, first, first_html) = app.page("/no-such-page", false).await;
    assert_eq!(status, 404);
    assert!(first_html.contains("Page not found"), "{first_html}");
    for path in ["/wp-login.php", "/report/abc/nothing/here", "/pkg/missing.js"] {
        let (status, headers, html) = app.page(path, true).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(html, first_html, "{path}: the kept not-found page");
        assert_eq!(etag(&headers), etag(&first), "{path}");
    }
    // Pages with their own "not found" are not the kept one.
    let (status, headers, html) = app.page("/jobs/00000000-0000-0000-0000-000000000000", false).await;
    assert_eq!(status, 404);
    assert!(html.contains("No such request"), "{html}");
    assert!(headers.get(ETAG).is_none_or(|e| e != etag(&first)));
}

#[tokio::test]
async fn files_under_the_site_root_are_served_before_the_not_found_page() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("robots.txt"), "User-agent: *\nAllow: /\n").unwrap();
    let app = spawn_app_with(Options {
        env: vec![("LEPTOS_SITE_ROOT", site.path().display().to_string())],
        ..Options::default()
    })
    .await;
    // Kept first, so the file must win over a kept not-found page.
    assert_eq!(app.get("/no-such-page").await.status(), 404);
    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status(), 200);
    assert_eq!(robots.text().await.unwrap(), "User-agent: *\nAllow: /\n");
    assert_eq!(app.get("/robots.txt?v=2").await.status(), 200, "a query string does not hide a file");
    // A file that appears in a folder after its path was not found (a
    // rebuild writing `pkg/`) is served, not the remembered 404.
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    assert_eq!(app.get("/pkg/late.js").await.status(), 404);
    std::fs::write(site.path().join("pkg/late.js"), "late()").unwrap();
    assert_eq!(app.get("/pkg/late.js").await.status(), 200);
    assert_eq!(app.get("/no-such-page").await.status(), 404, "asked again");
}

#[tokio::test]
async fn the_home_page_asked_with_a_wallet_is_rendered_for_that_wallet() {
    let app: TestApp = spawn_app(Chain::new()).await;
    let (_, kept, kept_html) = app.page("/", false).await;
    let wallet = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
    let (status, filled, filled_html) = app.page(&format!("/?wallet={wallet}"), false).await;
    assert_eq!(status, 200);
    assert!(filled_html.contains(&format!("value=\"{wallet}\"")), "the form is filled in");
    assert_ne!(csp_nonce(&filled), csp_nonce(&kept), "a render of its own, with its own nonce");
    assert!(script_nonces(&filled_html).iter().all(|n| *n == csp_nonce(&filled)));
    assert!(filled.get(ETAG).is_none_or(|e| e != etag(&kept)), "never under the kept page's ETag");
    let (_, _, again_html) = app.page("/", false).await;
    assert_eq!(again_html, kept_html, "the kept home page is still the empty form");
}

#[tokio::test]
async fn the_kept_home_page_form_still_posts_without_javascript() {
    let app = spawn_app(Chain::new()).await;
    let (_, _, html) = app.page("/", false).await;
    assert!(html.contains("action=\"/api/request-report\""), "the form posts to the server function");
    let (_, _, again) = app.page("/", true).await;
    assert_eq!(again, html);
    let wallet = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
    let response = app.post_form(wallet, "kept-form@example.com").await;
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/jobs/"));
}
