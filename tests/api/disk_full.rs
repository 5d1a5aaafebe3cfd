//! A full disk, simulated with SQLite's `max_page_count` on the one write
//! connection: the database cannot grow, as when the file system is full.
//! Submissions are refused with a 503 and leave nothing behind, queued jobs
//! wait without spending their attempts, and all of it resumes once there
//! is room again.

use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::testing::{Chain, scenarios};

use crate::helpers::{Options, TestApp, spawn_app_with};

/// Lets the database grow by no more than `pages` pages from now on.
async fn limit_growth(app: &TestApp, pages: u64) {
    let now: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(app.state.db.writer()).await.unwrap();
    app.state.db.set_max_pages(Some(now as u64 + pages)).await.unwrap();
}

#[tokio::test]
async fn a_full_disk_refuses_requests_with_503_loses_no_job_and_everything_resumes_when_space_returns() {
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, 2, 5);
    let app = spawn_app_with(Options {
        chain,
        clock: Some(Clock::manual(1_795_000_000_000)),
        env: vec![("KIMIKO_EMAIL_DAILY_LIMIT", "1000".into())],
        ..Options::default()
    })
    .await;
    let queued = [
        app.submit(&wallets[0], "before-1@example.com").await,
        app.submit(&wallets[1], "before-2@example.com").await,
    ];

    // The disk fills up: requests are taken until one needs a new page.
    limit_growth(&app, 0).await;
    let mut accepted = queued.len() as i64;
    let refused = loop {
        let response = app.post_form(&wallets[0], &format!("during-{accepted}@example.com")).await;
        if response.status() != 303 {
            break response;
        }
        accepted += 1;
        assert!(accepted < 2_000, "the database never filled up");
    };
    assert_eq!(refused.status(), 503, "a full disk is the server's trouble, said plainly");
    assert!(refused.headers().contains_key("retry-after"));
    let page = refused.text().await.unwrap();
    assert!(page.contains("could not be saved"), "the form says what happened");
    assert_eq!(app.count("jobs").await, accepted, "the refused request left no job");
    assert_eq!(app.count("requests").await, accepted, "…and counts against no limit");

    // The worker cannot store reports: the jobs wait, no attempt is spent.
    let _ = app.worker.run_due().await;
    let states: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, attempts FROM jobs").fetch_all(app.state.db.reader()).await.unwrap();
    assert!(states.iter().all(|(s, a)| s == "queued" && *a == 0), "{states:?}");
    assert!(app.sent_mail().is_empty());

    // Space returns: everything that was accepted finishes, each mailed once.
    app.state.db.set_max_pages(None).await.unwrap();
    app.advance(Duration::from_secs(600));
    app.run_worker().await;
    let done: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'succeeded'")
        .fetch_one(app.state.db.reader())
        .await
        .unwrap();
    assert_eq!(done, accepted);
    assert_eq!(app.sent_mail().len() as i64, accepted);
    assert_eq!(app.post_form(&wallets[1], "after@example.com").await.status(), 303);
}
