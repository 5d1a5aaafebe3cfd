//! Rate limits as a mail-bomber meets them: per client address at the edge
//! (tower_governor, on the real clock), per email address and per (email, wallet) pair in the
//! database — each refusal a 429 with `Retry-After`, `RateLimit` and
//! `RateLimit-Policy`, and a message that says when to try again, for the
//! plain form and the hydrated one alike.

use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::testing::chain::address;

use crate::helpers::{Database, Options, TestApp, spawn_app_with};
use crate::security_support::db_snapshot;
use crate::{on_both_backends, peek};

/// The client limit runs on the real clock (tower_governor's): tests pick a
/// period long enough that nothing refills while they run, however slow the
/// machine, and read the wait from the limiter's own `Retry-After`.
async fn app_with_client_limit(burst: u32, period_ms: u64) -> TestApp {
    spawn_app_with(Options {
        clock: Some(Clock::manual(1_795_000_000_000)),
        env: vec![
            ("KIMIKO_IP_RATE_BURST", burst.to_string()),
            ("KIMIKO_IP_RATE_PERIOD_MS", period_ms.to_string()),
            ("KIMIKO_EMAIL_DAILY_LIMIT", "1000".into()),
        ],
        ..Options::default()
    })
    .await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).unwrap_or_else(|| panic!("no {name} header")).to_str().unwrap()
}

#[tokio::test]
async fn a_sixth_quick_submission_from_one_address_gets_a_friendly_429_page_and_queues_nothing() {
    let app = app_with_client_limit(5, 600_000).await;
    for i in 0..5 {
        app.submit(&address(&format!("burst:{i}")), &format!("burst{i}@example.com")).await;
    }
    let before = db_snapshot(&app).await;

    let refused = app.post_form(&address("burst:6"), "burst6@example.com").await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    // One token period (600 s) from the first submission, a second to spare.
    assert!((540..=600).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&refused, "ratelimit-policy"), "\"client\";q=5;w=3000");
    assert_eq!(header(&refused, "ratelimit"), format!("\"client\";r=0;t={retry_after}"));
    let html = refused.text().await.unwrap();
    assert!(html.contains("Too many requests from your connection"), "the form says why");
    assert!(
        html.contains("try again in 10 minutes") || html.contains("try again in 9 minutes"),
        "and when to come back"
    );
    assert!(html.contains("<form"), "it is the form again, ready to resubmit");
    assert_eq!(db_snapshot(&app).await, before, "a refused request changes nothing");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"kimiko_rate_limited_total{limit="client"}"#), "refusals are counted");
}

#[tokio::test]
async fn the_hydrated_form_gets_the_same_refusal_as_the_json_error_it_understands() {
    let app = app_with_client_limit(2, 600_000).await;
    for i in 0..2 {
        assert_eq!(
            app.post_server_fn(&address(&format!("js:{i}")), &format!("js{i}@example.com")).await.status(),
            200
        );
    }
    let refused = app.post_server_fn(&address("js:3"), "js3@example.com").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(header(&refused, "ratelimit-policy"), "\"client\";q=2;w=1200");
    let error: serde_json::Value = refused.json().await.unwrap();
    let limited = &error["RateLimited"];
    assert_eq!(limited["limit"], "Client");
    assert!(limited["message"].as_str().unwrap().contains("Please try again in"), "{error}");
    assert!((540..=600).contains(&limited["retry_after_secs"].as_u64().unwrap()), "{error}");
    assert_eq!(app.count("jobs").await, 2);
}

#[tokio::test]
async fn a_forged_forwarding_header_sent_straight_to_kimiko_buys_no_extra_requests() {
    let app = app_with_client_limit(2, 60_000).await;
    let forged = |i: u32| {
        app.http
            .post(app.url("/api/request-report"))
            .header("Accept", "text/html")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .header("X-Real-IP", format!("203.0.113.{i}"))
            .header("CF-Connecting-IP", format!("192.0.2.{i}"))
            .header("Forwarded", format!("for=192.0.2.{i}"))
            .body(crate::helpers::form_body(&address(&format!("forged:{i}")), &format!("f{i}@example.com")))
            .send()
    };
    let statuses: Vec<u16> = futures::future::join_all((0..6).map(forged))
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 4, "{statuses:?}");
    assert_eq!(app.count("jobs").await, 2);
}

/// The one test that waits on the real clock: for as long as the refusal's
/// own `Retry-After` says, as a polite client does, after which the client
/// is let in again.
#[tokio::test]
async fn the_client_limit_refills_one_request_per_period_and_spares_other_pages() {
    let app = app_with_client_limit(1, 5_000).await;
    app.submit(&address("refill:1"), "refill@example.com").await;
    let refused = app.post_form(&address("refill:2"), "refill@example.com").await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=5).contains(&retry_after), "at most one period (5 s): {retry_after}");
    // Reading pages and job status is never limited.
    for path in ["/", "/methodology", "/healthz", "/api/jobs/unknown"] {
        assert_ne!(app.get(path).await.status(), 429, "{path}");
    }
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    app.submit(&address("refill:2"), "refill@example.com").await;
}

async fn app_with_manual_clock() -> TestApp {
    app_with_manual_clock_on(Database::Sqlite).await
}

async fn app_with_manual_clock_on(database: Database) -> TestApp {
    spawn_app_with(Options { clock: Some(Clock::manual(1_795_000_000_000)), database, ..Options::default() })
        .await
}

#[tokio::test]
async fn a_fourth_report_for_one_mailbox_in_a_day_is_refused_until_the_first_is_a_day_old() {
    let app = app_with_manual_clock().await;
    // Case and +tags do not make a new mailbox.
    for (i, email) in
        ["victim@example.com", "Victim+1@Example.com", "VICTIM+kimiko@example.COM"].iter().enumerate()
    {
        app.submit(&address(&format!("daily:{i}")), email).await;
        app.advance(Duration::from_secs(3600));
    }
    let before = db_snapshot(&app).await;
    for response in [
        app.post_form(&address("daily:4"), "victim+2@example.com").await,
        app.post_server_fn(&address("daily:4"), "victim@example.com").await,
    ] {
        assert_eq!(response.status(), 429);
        let retry_after: u64 = header(&response, "retry-after").parse().unwrap();
        assert_eq!(retry_after, 21 * 3600, "until the first of the three is 24 hours old");
        assert_eq!(header(&response, "ratelimit-policy"), "\"email\";q=3;w=86400");
        let body = response.text().await.unwrap();
        assert!(body.contains("the most we send") && body.contains("in 21 hours"), "{body}");
        assert!(!body.contains("victim"), "the refusal never repeats the address");
    }
    assert_eq!(db_snapshot(&app).await, before);
    app.advance(Duration::from_secs(21 * 3600));
    app.submit(&address("daily:4"), "victim@example.com").await;
}

#[tokio::test]
async fn every_spelling_of_one_gmail_inbox_counts_against_one_daily_limit() {
    let app = app_with_manual_clock().await;
    let spellings = ["a.b.c@gmail.com", "abc+x@googlemail.com", "ABC@gmail.com"];
    for (i, email) in spellings.iter().enumerate() {
        app.submit(&address(&format!("gmail:{i}")), email).await;
    }
    let before = db_snapshot(&app).await;
    let fourth = app.post_form(&address("gmail:4"), "a.bc+again@gmail.com").await;
    assert_eq!(fourth.status(), 429, "a fourth spelling is the same inbox");
    assert_eq!(header(&fourth, "ratelimit-policy"), "\"email\";q=3;w=86400");
    assert_eq!(db_snapshot(&app).await, before);
    // The limit counts the inbox; the mail still goes where it was asked to.
    let mut queued: Vec<String> = sqlx::query_scalar("SELECT email FROM mail_recipients")
        .fetch_all(app.state.db.reader())
        .await
        .unwrap();
    queued.sort();
    let mut asked: Vec<String> = spellings.iter().map(|s| (*s).to_owned()).collect();
    asked.sort();
    assert_eq!(queued, asked);
    // Another provider's dotted address is another inbox.
    app.submit(&address("gmail:other"), "a.b.c@example.com").await;
}

on_both_backends! {
    async fn the_same_mailbox_and_wallet_are_served_once_a_day(database) {
        let app = app_with_manual_clock_on(database).await;
        let wallet = address("pair");
        app.submit(&wallet, "pair@example.com").await;
        app.advance(Duration::from_secs(600));
        let again = app.post_form(&wallet, "Pair+again@example.com").await;
        assert_eq!(again.status(), 429);
        assert_eq!(header(&again, "ratelimit-policy"), "\"email-wallet\";q=1;w=86400");
        assert_eq!(header(&again, "retry-after"), (24 * 3600 - 600).to_string());
        assert!(again.text().await.unwrap().contains("already asked for this wallet"));
        // Another wallet for the same mailbox is still fine.
        app.submit(&address("pair:other"), "pair@example.com").await;
    }
}

on_both_backends! {
    async fn limits_count_keyed_hashes_never_the_address(database) {
        let app = app_with_manual_clock_on(database).await;
        app.submit(&address("hash"), "Hashed.Person@example.com").await;
        let (email_hash, ip_hash): (String, Option<String>) = peek!(&app.state.db, |pool| sqlx::query_as(
            "SELECT email_hash, ip_hash FROM requests"
        )
        .fetch_one(pool)
        .await
        .unwrap());
        assert_eq!(email_hash.len(), 64, "an HMAC-SHA256 in hex");
        assert!(!email_hash.contains("hashed") && !email_hash.contains("example"));
        assert_eq!(email_hash, app.state.hasher.hash("email", "hashed.person@example.com"));
        // Without the server secret the hash of a guessed address does not match.
        let other = kimiko::service::secret::KeyedHasher::new(kimiko::config::settings::Secret::new(
            "another-secret-another-secret-0001",
        ));
        assert_ne!(email_hash, other.hash("email", "hashed.person@example.com"));
        assert!(ip_hash.is_some_and(|h| !h.contains("127.0.0.1")));
    }
}

on_both_backends! {
    async fn requests_racing_for_an_addresss_last_slots_get_exactly_the_limit(database) {
        let app = spawn_app_with(Options {
            database,
            env: vec![("KIMIKO_IP_RATE_BURST", "1000".into()), ("KIMIKO_EMAIL_DAILY_LIMIT", "3".into())],
            ..Options::default()
        })
        .await;
        // Ten at once for one address (and ten more, each its own address):
        // they are written in groups, and each is checked against the ones
        // before it in the same transaction.
        let wallets: Vec<String> = (0..20).map(|i| address(&format!("race:{i}"))).collect();
        let emails: Vec<String> = (0..10).map(|i| format!("o{i}@example.com")).collect();
        let racing = wallets[..10].iter().map(|wallet| app.post_form(wallet, "racer@example.com"));
        let others = wallets[10..].iter().zip(&emails).map(|(wallet, email)| app.post_form(wallet, email));
        let (racing, others) = tokio::join!(futures::future::join_all(racing), futures::future::join_all(others));
        let statuses: Vec<u16> = racing.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 3, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 7, "{statuses:?}");
        assert!(others.iter().all(|r| r.status() == 303), "other addresses are not held up");
        let (jobs, requests) = (app.count("jobs").await, app.count("requests").await);
        assert_eq!((jobs, requests), (13, 13), "a refused request writes nothing");
    }
}
