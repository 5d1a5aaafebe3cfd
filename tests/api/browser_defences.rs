//! What a browser is told to enforce, and what a hostile page cannot make a
//! visitor's browser do: security headers on every answer, a CSP nonce that
//! changes per render and marks every inline script (a page served as kept
//! keeps the nonce it was rendered with: report_page.rs, public_pages.rs),
//! HSTS on https sites,
//! cross-site form posts refused, admin endpoints closed without the token.

use kimiko::testing::chain::address;
use kimiko::testing::{Chain, scenarios};

use crate::helpers::{Options, TestApp, csp_nonce, form_body, script_tags, spawn_app, spawn_app_with};
use crate::security_support::db_snapshot;

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app(Chain::new()).await;
    let big = app
        .http
        .post(app.url("/api/request-report"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let mut answers = vec![("a 413", big)];
    for path in
        ["/", "/methodology", "/privacy", "/no-such-page", "/api/jobs/nope", "/healthz", "/favicon.svg"]
    {
        answers.push((path, app.get(path).await));
    }
    for (what, response) in &answers {
        let csp = header(response, "content-security-policy");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{what}: {csp}");
        let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(header(response, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(response, "referrer-policy"), "no-referrer", "{what}");
        assert_eq!(header(response, "x-frame-options"), "DENY", "{what}");
        assert!(header(response, "permissions-policy").contains("camera=()"), "{what}");
        assert!(
            response.headers().get("strict-transport-security").is_none(),
            "{what}: no HSTS on plain http"
        );
    }
}

#[tokio::test]
async fn each_render_gets_a_fresh_nonce_and_every_inline_script_carries_it() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let id = app.submit(&scenario.wallet, "nonce@example.com").await;
    app.run_worker().await;
    let mut seen = Vec::new();
    // The job page is rendered for every request; the others once each and
    // then kept with their nonce (public_pages.rs, report_page.rs).
    let job = format!("/jobs/{id}");
    let report = format!("/report/{}", scenario.wallet);
    for path in ["/", &job, &job, &report, "/methodology", "/privacy", "/no-such-page"] {
        let response = app.get(path).await;
        let nonce = csp_nonce(response.headers());
        let html = response.text().await.unwrap();
        let tags = script_tags(&html);
        assert!(!tags.is_empty(), "{path} hydrates with scripts");
        for tag in tags {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: {tag} lacks the nonce");
        }
        assert!(!seen.contains(&nonce), "{path}: nonce {nonce} was used before");
        seen.push(nonce);
    }
}

#[tokio::test]
async fn the_refused_form_page_runs_under_the_same_nonce_as_its_header() {
    let app = spawn_app(Chain::new()).await;
    let response = app.post_form("not-a-wallet", "x@example.com").await;
    assert_eq!(response.status(), 422);
    let nonce = csp_nonce(response.headers());
    let html = response.text().await.unwrap();
    assert!(script_tags(&html).iter().all(|tag| tag.contains(&format!("nonce=\"{nonce}\""))));
}

#[tokio::test]
async fn an_https_site_pins_browsers_to_https() {
    let app = spawn_app_with(Options {
        env: vec![
            ("KIMIKO_PUBLIC_URL", "https://kimiko.example".into()),
            // Production mails over SMTP (the test reads mail from memory).
            ("KIMIKO_SMTP_URL", "smtp://127.0.0.1:2525".into()),
        ],
        ..Options::default()
    })
    .await;
    let response = app.get("/").await;
    assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
}

async fn post_with(app: &TestApp, accept: &str, headers: &[(&str, &str)], seed: &str) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url("/api/request-report"))
        .header("Accept", accept)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&address(seed), &format!("{seed}@example.com")));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn another_site_cannot_make_a_visitors_browser_queue_a_report() {
    let app = spawn_app(Chain::new()).await;
    let before = db_snapshot(&app).await;
    let attacks: [&[(&str, &str)]; 5] = [
        &[("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example")],
        &[("Sec-Fetch-Site", "same-site"), ("Origin", "https://sub.kimiko.test")],
        &[("Origin", "https://evil.example")],
        &[("Origin", "null")],
        &[("Referer", "https://evil.example/page.html")],
    ];
    for headers in attacks {
        let page = post_with(&app, "text/html", headers, "csrf").await;
        assert_eq!(page.status(), 403, "{headers:?}");
        assert!(page.text().await.unwrap().contains("came from another site"), "the form says why");
        let json = post_with(&app, "application/json", headers, "csrf").await;
        assert_eq!(json.status(), 403, "{headers:?}");
        assert_eq!(json.json::<serde_json::Value>().await.unwrap(), "Forbidden");
    }
    // Other state-changing endpoints too, such as the pages' server functions.
    let page_fn = app
        .http
        .post(app.url("/api/page/job"))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("id=x")
        .send()
        .await
        .unwrap();
    assert_eq!(page_fn.status(), 403);
    assert_eq!(db_snapshot(&app).await, before, "nothing was queued");
}

#[tokio::test]
async fn our_own_forms_still_post_under_no_referrer_and_so_do_plain_clients() {
    let app = spawn_app(Chain::new()).await;
    let ours: [&[(&str, &str)]; 5] = [
        // What Chromium sends for our form under Referrer-Policy: no-referrer.
        &[("Sec-Fetch-Site", "same-origin"), ("Origin", "null")],
        &[("Sec-Fetch-Site", "same-origin"), ("Origin", "http://kimiko.test")],
        &[("Origin", "http://kimiko.test")],
        &[("Referer", "http://kimiko.test/")],
        // curl, scripts: no browser headers at all.
        &[],
    ];
    for (i, headers) in ours.iter().enumerate() {
        let response = post_with(&app, "text/html", headers, &format!("ours{i}")).await;
        assert_eq!(response.status(), 303, "{headers:?}");
    }
    assert_eq!(app.count("jobs").await, 5);
}

#[tokio::test]
async fn admin_endpoints_answer_401_to_anything_but_the_exact_token() {
    let token = "admin-token-0123456789abcdef";
    let app =
        spawn_app_with(Options { env: vec![("KIMIKO_ADMIN_TOKEN", token.into())], ..Options::default() })
            .await;
    let wrong = [
        None,
        Some("".to_owned()),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
        Some(format!("Bearer {token}x")),
        Some(format!("Bearer {}", token.to_uppercase())),
        Some(format!("bearer{token}")),
        Some(format!("Basic {token}")),
        Some(format!("Bearer  {token}")),
    ];
    for authorization in wrong {
        let mut request = app.http.get(app.url("/admin/queue"));
        if let Some(value) = &authorization {
            request = request.header("Authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        assert!(header(&response, "www-authenticate").starts_with("Bearer"));
    }
    let right = app.http.get(app.url("/admin/queue")).bearer_auth(token).send().await.unwrap();
    assert_eq!(right.status(), 200);
    // A re-queue attempt with a wrong token changes nothing.
    let before = db_snapshot(&app).await;
    let retry = app.http.post(app.url("/admin/jobs/retry-dead")).bearer_auth("nope").send().await.unwrap();
    assert_eq!(retry.status(), 401);
    assert_eq!(db_snapshot(&app).await, before);
}
