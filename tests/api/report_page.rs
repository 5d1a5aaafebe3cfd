//! The report as people see and share it: preview tags and the share card,
//! HTTP caching (ETag, Cache-Control, 304), the in-process cache and its
//! invalidation, and escaping of on-chain text everywhere it is shown.

use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::testing::chain::address;
use kimiko::testing::{Chain, scenarios};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, IF_NONE_MATCH};

use crate::helpers::{Options, TEST_PUBLIC_URL, TestApp, csp_nonce, script_tags, spawn_app_with};

/// A day after the scenarios' history ends.
const NOW_MS: i64 = (scenarios::START + 40 * 86_400) * 1000;
const HOUR: Duration = Duration::from_secs(3600);

async fn app_with_report(email: &str) -> (TestApp, String) {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app =
        spawn_app_with(Options { chain, clock: Some(Clock::manual(NOW_MS)), ..Options::default() }).await;
    app.submit(&scenario.wallet, email).await;
    assert_eq!(app.run_worker().await, 1);
    (app, scenario.wallet)
}

/// The `content` of `<meta property|name="key" content="…">`.
fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    let tag = html.split("<meta ").find(|tag| tag.contains(&format!("=\"{key}\"")))?;
    tag.split("content=\"").nth(1)?.split('"').next()
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG");
    (reader.info().width, reader.info().height)
}

#[tokio::test]
async fn a_shared_link_carries_preview_tags_and_a_card_that_loads() {
    let (app, wallet) = app_with_report("sharer@example.com").await;
    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    let report_url = format!("{TEST_PUBLIC_URL}/report/{wallet}");
    let title = meta(&html, "og:title").expect("og:title");
    assert!(title.contains("privacy score ") && title.contains("/100 ("), "{title}");
    assert!(meta(&html, "og:description").unwrap().contains("Top findings:"));
    assert_eq!(meta(&html, "og:url"), Some(report_url.as_str()));
    assert_eq!(meta(&html, "og:image"), Some(format!("{report_url}/card.png").as_str()));
    assert_eq!(meta(&html, "twitter:card"), Some("summary_large_image"));
    assert_eq!(meta(&html, "twitter:image"), meta(&html, "og:image"));
    let canonical =
        html.split("<link ").find(|tag| tag.contains(r#"rel="canonical""#)).expect("a canonical link");
    assert!(canonical.contains(&format!(r#"href="{report_url}""#)), "{canonical}");
    assert_eq!(html.matches(r#"<meta name="description""#).count(), 1, "one description, the report's");

    let card = app.get(&format!("/report/{wallet}/card.png")).await;
    assert_eq!(card.status(), 200);
    assert_eq!(card.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(png_size(&card.bytes().await.unwrap()), (1200, 630));
    assert_eq!(app.get(&format!("/report/{}/card.png", address("nobody"))).await.status(), 404);

    // The page shows what the issue asks for, all in the first response.
    for expected in [
        "Analysed 27 of 27 transactions between",
        "analyser ",
        "By hour of day (UTC)",
        "Top counterparties",
        "Copy link",
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}");
    }
    assert!(!html.contains("Loading…"), "no placeholder is left for JavaScript to fill");
    assert!(!html.contains("sharer@example.com"), "the requester's address is never on the page");
}

#[tokio::test]
async fn the_page_the_json_and_the_card_answer_304_to_their_etag() {
    let (app, wallet) = app_with_report("etag@example.com").await;
    for path in
        [format!("/report/{wallet}"), format!("/api/reports/{wallet}"), format!("/report/{wallet}/card.png")]
    {
        let first = app.get(&path).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
        let cache_control = first.headers()[CACHE_CONTROL].to_str().unwrap();
        assert!(cache_control.starts_with("public, max-age="), "{path}: {cache_control}");

        let again = app.http.get(app.url(&path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()[ETAG], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());

        let other =
            app.http.get(app.url(&path)).header(IF_NONE_MATCH, "\"something-else\"").send().await.unwrap();
        assert_eq!(other.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn reports_are_read_from_the_cache_until_a_newer_one_is_stored() {
    let (app, wallet) = app_with_report("first@example.com").await;
    let json = format!("/api/reports/{wallet}");
    let first = app.get(&json).await;
    let first_etag = first.headers()[ETAG].to_str().unwrap().to_owned();
    let first: serde_json::Value = first.json().await.unwrap();

    // Gone from the database, still served: the read came from the cache.
    sqlx::query("DELETE FROM reports").execute(app.state.db.writer()).await.unwrap();
    let cached = app.get(&json).await;
    assert_eq!(cached.status(), 200);
    assert_eq!(cached.headers()[ETAG], first_etag.as_str());

    // Two hours on, someone asks for a fresh analysis: a new report is
    // stored and replaces the cached one.
    app.advance(2 * HOUR);
    app.submit_fresh(&wallet, "second@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let fresh = app.http.get(app.url(&json)).header(IF_NONE_MATCH, &first_etag).send().await.unwrap();
    assert_eq!(fresh.status(), 200, "the old version is not the current one");
    assert_ne!(fresh.headers()[ETAG], first_etag.as_str());
    let fresh: serde_json::Value = fresh.json().await.unwrap();
    assert_eq!(fresh["created_at"].as_i64().unwrap(), first["created_at"].as_i64().unwrap() + 7200);

    // Past its lifetime, a cached report is no longer served.
    app.advance(25 * HOUR);
    assert_eq!(app.get(&json).await.status(), 404);
    assert_eq!(app.get(&format!("/report/{wallet}")).await.status(), 404);
}

/// The nonce the response's CSP allows, and the nonces the page's scripts carry.
fn nonces(headers: &HeaderMap, html: &str) -> (String, Vec<String>) {
    let carried = script_tags(html).into_iter().map(|tag| {
        tag.split("nonce=\"").nth(1).expect("every script has a nonce").split('"').next().unwrap().to_owned()
    });
    (csp_nonce(headers), carried.collect())
}

/// The page's headers and its HTML, asking for gzip or not.
async fn page(app: &TestApp, path: &str, gzip: bool) -> (HeaderMap, String) {
    let (status, headers, html) = app.page(path, gzip).await;
    assert_eq!(status, 200, "{path}");
    if gzip {
        assert_eq!(headers["content-encoding"], "gzip", "{path}");
    }
    (headers, html)
}

#[tokio::test]
async fn the_page_is_rendered_once_per_report_and_served_plain_or_gzipped() {
    let (app, wallet) = app_with_report("pages@example.com").await;
    let path = format!("/report/{wallet}");
    let (first, first_html) = page(&app, &path, false).await;
    let (allowed, carried) = nonces(&first, &first_html);
    assert!(
        !carried.is_empty() && carried.iter().all(|n| *n == allowed),
        "scripts run under the header's nonce"
    );
    assert!(first.get("content-encoding").is_none());
    assert_eq!(first["vary"], "accept-encoding");

    // The same bytes again, and gzipped for a browser that accepts it.
    let (second, second_html) = page(&app, &path, false).await;
    assert_eq!(second_html, first_html, "served from the cache, not rendered again");
    assert_eq!(nonces(&second, &second_html).0, allowed, "the header names the kept page's nonce");
    let (zipped, zipped_html) = page(&app, &path, true).await;
    assert_eq!(zipped["content-encoding"], "gzip");
    assert_eq!(zipped_html, first_html);
    assert_eq!(nonces(&zipped, &zipped_html).0, allowed);
    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()[ETAG], first[ETAG]);

    // A query string could change the page: rendered afresh, its own nonce.
    let (tracked, tracked_html) = page(&app, &format!("{path}?utm_source=chat"), false).await;
    let (tracked_nonce, tracked_carried) = nonces(&tracked, &tracked_html);
    assert_ne!(tracked_nonce, allowed);
    assert!(tracked_carried.iter().all(|n| *n == tracked_nonce));

    // A fresh analysis replaces the report, and with it the kept page.
    app.advance(2 * HOUR);
    app.submit_fresh(&wallet, "again@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let (fresh, fresh_html) = page(&app, &path, false).await;
    assert_ne!(fresh_html, first_html, "the new report's page");
    let (fresh_nonce, fresh_carried) = nonces(&fresh, &fresh_html);
    assert_ne!(fresh_nonce, allowed, "a new render, a new nonce");
    assert!(fresh_carried.iter().all(|n| *n == fresh_nonce));
}

#[tokio::test]
async fn a_current_report_is_mailed_again_as_it_is_unless_a_fresh_analysis_is_asked_for() {
    let (app, wallet) = app_with_report("first@example.com").await;
    let before: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    let calls = app.rpc.calls();
    // Most of a day later, still within the report's lifetime.
    app.advance(20 * HOUR);
    app.submit(&wallet, "second@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    assert_eq!(app.rpc.calls(), calls, "the chain was not read again");
    let reused: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    assert_eq!(reused["created_at"], before["created_at"]);
    assert_eq!(app.sent_mail().len(), 2);

    // The report page's "Ask for a fresh analysis" form analyses again.
    app.submit_fresh(&wallet, "third@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    assert!(app.rpc.calls() > calls, "the chain was read again");
    let fresh: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    assert_eq!(fresh["created_at"].as_i64().unwrap(), before["created_at"].as_i64().unwrap() + 20 * 3600);
    assert_eq!(app.sent_mail().len(), 3);
}

#[tokio::test]
async fn the_report_says_what_each_finding_cost_and_how_the_score_was_built() {
    let (app, wallet) = app_with_report("first@example.com").await;
    let api: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    let findings = api["findings"].as_array().unwrap();
    let cost: u64 =
        findings.iter().map(|f| f["points"].as_u64().expect("every finding has its points")).sum();
    assert_eq!(cost, 100 - api["score"].as_u64().unwrap(), "the points add up to what the score lost");
    for finding in findings {
        assert!(finding["points"].as_u64() <= finding["penalty"].as_u64(), "{finding}");
    }

    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    assert!(html.contains("How the score was built"));
    let costly =
        findings.iter().find(|f| f["points"].as_u64() > Some(1)).expect("a finding that cost points");
    assert!(html.contains(&format!("−{} points", costly["points"])), "the page shows what it cost");
    assert!(html.contains(&format!("Score: {}/100", api["score"])));

    let mail = &app.sent_mail()[0];
    assert!(mail.text.contains(&format!(
        "{} (−{} points)",
        costly["title"].as_str().unwrap(),
        costly["points"]
    )));
}

#[tokio::test]
async fn the_methodology_page_explains_how_findings_combine_and_the_principles() {
    let app = spawn_app_with(Options::default()).await;
    let html = app.get("/methodology").await.text().await.unwrap();
    for text in [
        "How findings combine",
        "One fact, one penalty",
        "Program-derived addresses",
        "top-level instruction of a transaction the wallet signed",
        "are not payments and not counterparties",
        "when the wallet is active",
    ] {
        assert!(html.contains(text), "the methodology page lacks {text:?}");
    }
}

#[tokio::test]
async fn a_current_report_made_by_an_older_analyser_is_analysed_again_on_request() {
    let (app, wallet) = app_with_report("first@example.com").await;
    // The stored report was made by the analyser before this one.
    let older = "2000.01.1";
    sqlx::query(
        "UPDATE reports SET analyzer_version = ?1, data = json_set(data, '$.analyzer_version', ?1) WHERE wallet = ?2",
    )
    .bind(older)
    .bind(&wallet)
    .execute(app.state.db.writer())
    .await
    .unwrap();
    let before: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    assert_eq!(before["analyzer_version"], older);
    let calls = app.rpc.calls();

    // Still within its lifetime, and asked for from the home page (no refresh).
    app.advance(HOUR);
    app.submit(&wallet, "second@example.com").await;
    assert_eq!(app.run_worker().await, 1);

    assert!(app.rpc.calls() > calls, "the chain was read again");
    let after: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    assert_eq!(after["analyzer_version"], kimiko::analysis::ANALYZER_VERSION);
    assert_eq!(after["created_at"].as_i64().unwrap(), before["created_at"].as_i64().unwrap() + 3600);
    let page = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    assert!(page.contains(kimiko::analysis::ANALYZER_VERSION), "the page shows the new report");
    assert_eq!(app.sent_mail().len(), 2);
}

#[tokio::test]
async fn on_chain_markup_is_escaped_on_the_page_in_the_mail_and_on_the_card() {
    let mut chain = Chain::new();
    let wallet = scenarios::hostile_memo_wallet(&mut chain).wallet;
    let app =
        spawn_app_with(Options { chain, clock: Some(Clock::manual(NOW_MS)), ..Options::default() }).await;
    app.submit(&wallet, "victim@example.com").await;
    assert_eq!(app.run_worker().await, 1);

    let api: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    assert!(api.to_string().contains("alert(\\\"pwned\\\")"), "the memo reached the report: {api}");

    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert("), "the memo is shown, escaped");
    assert!(!html.contains("<script>alert("), "and never as markup");
    assert!(!html.contains("<b onclick"), "{html}");

    let mail = &app.sent_mail()[0];
    assert!(!mail.html.contains("<script>alert(") && !mail.html.contains("<b onclick"));

    let published: kimiko::domain::PublishedReport = serde_json::from_value(api).unwrap();
    let card = kimiko::card::svg(&published);
    assert!(!card.contains("<script") && !card.contains("<b onclick"));
    let png = app.get(&format!("/report/{wallet}/card.png")).await;
    assert_eq!(png_size(&png.bytes().await.unwrap()), (1200, 630));
}

/// The policy a response runs its scripts under, if it names one.
fn policy(headers: &HeaderMap) -> Option<&str> {
    headers.get("content-security-policy").map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_revalidated_page_keeps_the_policy_its_scripts_were_served_with() {
    let (app, wallet) = app_with_report("revalidate@example.com").await;
    let path = format!("/report/{wallet}");
    // A link checker asks with HEAD before anyone has seen the page.
    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let (kept, kept_html) = page(&app, &path, false).await;
    let etag = kept[ETAG].to_str().unwrap().to_owned();
    let kept_policy = policy(&kept).unwrap().to_owned();
    assert_eq!(head.headers()[ETAG], etag.as_str());
    assert_eq!(policy(head.headers()), Some(kept_policy.as_str()), "the HEAD describes the page a GET gets");

    // The browser revalidates what it kept: the 304 must not name another nonce.
    let revalidated = app.http.get(app.url(&path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(revalidated.status(), 304);
    let answered = policy(revalidated.headers());
    assert!(answered.is_none_or(|p| p == kept_policy), "the 304 names another policy: {answered:?}");

    // Whatever else is answered under that ETag is the kept page, with its policy.
    for other in [format!("{path}?utm_source=chat"), format!("{path}?ref=1"), path.clone()] {
        let (headers, html) = page(&app, &other, false).await;
        if headers.get(ETAG).is_some_and(|e| *e == etag) {
            assert_eq!(html, kept_html, "{other}: other bytes under the kept page's ETag");
            assert_eq!(policy(&headers), Some(kept_policy.as_str()), "{other}");
        }
    }
}

#[tokio::test]
async fn without_the_page_cache_no_two_renders_share_an_etag() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app = spawn_app_with(Options {
        chain,
        clock: Some(Clock::manual(NOW_MS)),
        env: vec![("KIMIKO_REPORT_CACHE_SIZE", "0".into())],
        ..Options::default()
    })
    .await;
    app.submit(&scenario.wallet, "uncached@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let path = format!("/report/{}", scenario.wallet);
    let (first, first_html) = page(&app, &path, false).await;
    let (second, second_html) = page(&app, &path, false).await;
    assert_ne!(csp_nonce(&first), csp_nonce(&second), "each render has its own nonce");
    if let (Some(a), Some(b)) = (first.get(ETAG), second.get(ETAG)) {
        assert!(a != b || first_html == second_html, "two different pages under one ETag");
    }
}

#[tokio::test]
async fn a_page_rendered_again_after_the_cache_let_it_go_gets_a_new_etag() {
    let mut chain = Chain::new();
    let first = scenarios::exposed_wallet(&mut chain).wallet;
    let second = scenarios::careful_wallet(&mut chain).wallet;
    let app = spawn_app_with(Options {
        chain,
        clock: Some(Clock::manual(NOW_MS)),
        env: vec![("KIMIKO_REPORT_CACHE_SIZE", "1".into())],
        ..Options::default()
    })
    .await;
    app.submit(&first, "evicted@example.com").await;
    app.submit(&second, "evicter@example.com").await;
    assert_eq!(app.run_worker().await, 2);
    let path = format!("/report/{first}");
    let (kept, kept_html) = page(&app, &path, false).await;
    let etag = kept[ETAG].to_str().unwrap().to_owned();
    // The other report takes the cache's one place, and this page with it.
    page(&app, &format!("/report/{second}"), false).await;

    app.http.get(app.url(&path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    let (again, again_html) = page(&app, &path, false).await;
    if again[ETAG] == etag.as_str() {
        assert_eq!(again_html, kept_html, "another render under the ETag the browser kept");
        assert_eq!(policy(&again), policy(&kept));
    }
}

#[tokio::test]
async fn the_methodology_page_states_the_rules_for_a_hop_and_a_hub() {
    let app = spawn_app_with(Options::default()).await;
    let html = app.get("/methodology").await.text().await.unwrap();
    for text in [
        "Beyond one hop",
        "A hop is followed only where the money passed through",
        "each at least half of the other",
        "within 6 hours",
        "A hub",
        "3 or more other wallets",
        "15 minutes",
        "never used",
    ] {
        assert!(html.contains(text), "the methodology page lacks {text:?}");
    }
}
