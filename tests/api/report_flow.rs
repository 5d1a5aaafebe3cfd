//! Submit → job → Solana RPC → analysis → report → exactly one email whose
//! link opens the report; and the failure path: RPC down → retries → dead.

use std::time::{Duration, Instant};

use kimiko::testing::chain::address;
use kimiko::testing::scenarios;
use kimiko::testing::{Chain, Fault};

use crate::helpers::{Options, report_link, spawn_app_with};
use crate::{on_both_backends, peek};

const EMAIL: &str = "reader@example.com";

on_both_backends! {
    async fn a_request_ends_in_one_email_whose_link_opens_the_report(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::exposed_wallet(&mut chain);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;

        let job_id = app.submit(&scenario.wallet, EMAIL).await;
        let ran = app.run_worker().await;
        assert_eq!(ran, 1, "{}", app.job_json(&job_id).await);

        let job = app.job_json(&job_id).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        assert_eq!(job["progress_done"], job["progress_total"]);
        assert_eq!(job["report_url"], format!("http://kimiko.test/report/{}", scenario.wallet));

        let mail = app.sent_mail();
        assert_eq!(mail.len(), 1, "exactly one email");
        let mail = &mail[0];
        assert_eq!(mail.to, EMAIL);
        assert!(mail.subject.contains(&kimiko::domain::shorten(&scenario.wallet)), "{}", mail.subject);
        assert!(mail.message_id.ends_with("@kimiko.test>"), "{}", mail.message_id);
        assert!(mail.raw.contains("multipart/alternative"));
        assert!(mail.raw.contains("text/plain") && mail.raw.contains("text/html"));

        let link = report_link(&mail.text);
        assert_eq!(link, format!("/report/{}", scenario.wallet));
        let page = app.get(&link).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let api: serde_json::Value =
            app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
        let score = api["score"].as_u64().unwrap();
        assert!(html.contains(&format!("privacy score {score}/100")), "the page shows the API's score");
        assert!(html.contains("og:title"), "preview meta tags are rendered on the server");
        assert_eq!(api["wallet"], scenario.wallet);
        assert!(["A", "B", "C", "D", "F"].contains(&api["grade"].as_str().unwrap()));
        assert_eq!(api["transactions_analyzed"], 27);
        let findings = api["findings"].as_array().unwrap();
        let ids: Vec<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"known_entity.exchange"), "{ids:?}");
        assert!(ids.contains(&"memo.personal_data"), "{ids:?}");
        for finding in findings {
            for key in ["id", "severity", "title", "evidence", "explanation", "recommendation", "penalty"] {
                assert!(!finding[key].is_null(), "finding lacks {key}: {finding}");
            }
        }
        assert!(score < 60, "an exposed wallet scores low, got {score}");

        // Nothing personal is left behind, and nothing more is sent.
        assert_eq!(app.count("mail_recipients").await, 0, "the address is erased once delivered");
        assert_eq!(app.run_worker().await, 0);
        assert_eq!(app.sent_mail().len(), 1);
    }
}

on_both_backends! {
    async fn when_the_rpc_keeps_failing_the_job_retries_then_dies_with_the_error_kept(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::careful_wallet(&mut chain);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
        app.rpc.fail_always(Fault::Unavailable);

        let job_id = app.submit(&scenario.wallet, EMAIL).await;
        app.run_worker().await;

        let job = app.job_json(&job_id).await;
        assert_eq!(job["status"], "dead", "{job}");
        assert_eq!(job["attempts"], 3);
        assert!(job["error"].as_str().unwrap().contains("HTTP 503"), "{job}");
        assert!(job["report_url"].is_null());
        assert_eq!(app.count("reports").await, 0);
        assert!(app.sent_mail().is_empty());
        let attempts: Vec<(i64, String)> = peek!(&app.state.db, |pool| sqlx::query_as(
            "SELECT attempt, outcome FROM job_attempts WHERE job_id = $1 ORDER BY attempt"
        )
        .bind(&job_id)
        .fetch_all(pool)
        .await
        .unwrap());
        assert_eq!(attempts, vec![(1, "retry".into()), (2, "retry".into()), (3, "dead".into())]);

        let page = app.get(&format!("/jobs/{job_id}")).await.text().await.unwrap();
        assert!(page.contains("We could not finish this report"));
        assert!(page.contains("HTTP 503"), "the page says what went wrong");
        assert_eq!(app.get(&format!("/report/{}", scenario.wallet)).await.status(), 404);
    }
}

on_both_backends! {
    async fn a_wallet_without_a_report_gets_a_real_404(database) {
        let app = spawn_app_with(Options { chain: Chain::new(), database, ..Options::default() }).await;
        let wallet = address("nobody");
        let page = app.get(&format!("/report/{wallet}")).await;
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("No report for this wallet"));
        assert_eq!(app.get(&format!("/api/reports/{wallet}")).await.status(), 404);
        assert_eq!(app.get("/report/not-a-wallet").await.status(), 404);
        assert_eq!(app.get("/jobs/unknownjob1234567890ab").await.status(), 404);
        assert_eq!(app.get("/api/jobs/unknownjob1234567890ab").await.status(), 404);
        assert_eq!(app.get("/no/such/page").await.status(), 404);
    }
}

#[tokio::test]
async fn a_submit_wakes_the_idle_worker_instead_of_waiting_for_its_next_look_at_the_queue() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    // Left alone, this worker would look at the queue again in an hour: a
    // job that runs before the test gives up was started by the wake-up.
    let app = spawn_app_with(Options {
        chain,
        background: true,
        worker_max_idle: Some(Duration::from_secs(3600)),
        ..Options::default()
    })
    .await;
    // Once the loop has turned, its first look at the (empty) queue is under
    // way, ahead of the submit's write: there is one writer.
    while app.state.health.worker_seen_ago().is_none() {
        tokio::task::yield_now().await;
    }

    let job_id = app.submit(&scenario.wallet, EMAIL).await;
    // Only a bound on how long to wait before failing, not a claim about speed.
    let give_up = Instant::now() + Duration::from_secs(120);
    while app.job_json(&job_id).await["status"] != "succeeded" {
        assert!(Instant::now() < give_up, "the job never ran: the submit did not wake the worker");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.sent_mail().len(), 1);
}

on_both_backends! {
    async fn health_check_answers_while_the_database_does(database) {
        let app = spawn_app_with(Options { chain: Chain::new(), database, ..Options::default() }).await;
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
    }
}
