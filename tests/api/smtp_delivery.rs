//! Delivery through a real SMTP server on loopback, read back from its maildir.

use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::testing::Chain;
use kimiko::testing::scenarios;

use kimiko::testing::scenarios::Scenario;

use crate::helpers::{
    Options, SmtpServer, TestApp, allow_marking_mail_sent, refuse_to_mark_mail_sent, spawn_app_with,
};

#[tokio::test]
async fn the_report_mail_is_delivered_over_smtp_with_both_parts() {
    let smtp = SmtpServer::start();
    let (app, scenario) = careful_wallet_mailed_through(&smtp, None).await;

    let job_id = app.submit(&scenario.wallet, "reader@example.com").await;
    app.run_worker().await;
    assert_eq!(app.job_json(&job_id).await["status"], "succeeded");

    let delivered = smtp.delivered();
    assert_eq!(delivered.len(), 1, "exactly one message delivered");
    let message = &delivered[0];
    assert!(message.starts_with("X-Envelope-To: reader@example.com"));
    assert!(message.contains("From: Kimiko <reports@kimiko.test>"));
    assert!(message.contains(&format!("Message-ID: <report.{job_id}@kimiko.test>")), "{message}");
    let parsed = mailparse::parse_mail(message.as_bytes()).unwrap();
    let subject = parsed.headers.iter().find(|h| h.get_key() == "Subject").unwrap().get_value();
    assert!(
        subject.starts_with(&format!("Your Kimiko report for {}", kimiko::domain::shorten(&scenario.wallet))),
        "{subject}"
    );
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let types: Vec<&str> = parsed.subparts.iter().map(|p| p.ctype.mimetype.as_str()).collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let text = parsed.subparts[0].get_body().unwrap();
    let html = parsed.subparts[1].get_body().unwrap();
    let link = format!("http://kimiko.test/report/{}", scenario.wallet);
    assert!(text.contains(&link) && html.contains(&link), "both parts link to the report");
}

#[tokio::test]
async fn an_smtp_server_answering_451_for_a_while_gets_the_mail_once_it_recovers() {
    let smtp = SmtpServer::start();
    smtp.set_mode("tempfail");
    let (app, scenario) = careful_wallet_mailed_through(&smtp, Some(Clock::manual(1_795_000_000_000))).await;
    let id = app.submit(&scenario.wallet, "greylisted@example.com").await;

    app.run_worker().await;
    let job = app.job_json(&id).await;
    assert_eq!(job["status"], "queued", "a 451 is retried: {job}");
    assert!(job["error"].as_str().unwrap().contains("451"));
    assert!(smtp.delivered().is_empty());

    smtp.set_mode("accept");
    app.advance(Duration::from_secs(120));
    app.run_worker().await;
    assert_eq!(app.job_json(&id).await["status"], "succeeded");
    assert_eq!(smtp.delivered().len(), 1, "delivered exactly once");
    app.advance(Duration::from_secs(3600));
    assert_eq!(app.run_worker().await, 0);
    assert_eq!(smtp.delivered().len(), 1);
}

#[tokio::test]
async fn smtp_down_past_the_last_attempt_kills_the_job_and_a_requeue_after_recovery_delivers_once() {
    let mut smtp = SmtpServer::start();
    smtp.down();
    let (app, scenario) = careful_wallet_mailed_through(&smtp, Some(Clock::manual(1_795_000_000_000))).await;
    let id = app.submit(&scenario.wallet, "outage@example.com").await;
    app.run_worker().await;
    // The wallet's own signature page and those of the addresses it is tied to.
    let pages = app.rpc.calls_of("getSignaturesForAddress");
    for _ in 0..2 {
        app.advance(Duration::from_secs(600));
        app.run_worker().await;
    }
    app.advance(Duration::from_secs(600));
    let job = app.job_json(&id).await;
    assert_eq!(job["status"], "dead", "{job}");
    assert_eq!(job["attempts"], 3);
    assert!(job["error"].as_str().unwrap().to_lowercase().contains("connection"), "{job}");

    smtp.up();
    let requeued =
        kimiko::storage::jobs::requeue_all_dead(&app.state.db, 3, app.state.clock.now_ms()).await.unwrap();
    assert_eq!(requeued, 1);
    app.run_worker().await;
    assert_eq!(app.job_json(&id).await["status"], "succeeded");
    assert_eq!(smtp.delivered().len(), 1);
    assert_eq!(
        app.rpc.calls_of("getSignaturesForAddress"),
        pages,
        "the report was made once; only the mail waited"
    );
}

#[tokio::test]
async fn a_greylisting_server_is_tried_again_and_only_a_classified_reason_of_its_reply_is_kept() {
    const ADDRESS: &str = "grey.listed.person@example.com";
    let smtp = SmtpServer::start();
    smtp.set_mode("tempfail-rcpt");
    let (app, scenario) = careful_wallet_mailed_through(&smtp, Some(Clock::manual(1_795_000_000_000))).await;
    let id = app.submit(&scenario.wallet, ADDRESS).await;
    app.run_worker().await;

    let json = app.get(&format!("/api/jobs/{id}")).await.text().await.unwrap();
    assert!(!json.contains(ADDRESS), "{json}");
    let job: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(job["status"], "queued", "a 450 is tried again: {job}");
    assert!(job["error"].as_str().unwrap().contains("(450 4.2.0)"), "{job}");
    let page = app.get(&format!("/jobs/{id}")).await.text().await.unwrap();
    assert!(!page.contains(ADDRESS));
    let kept: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT error FROM job_attempts WHERE job_id = ?1
         UNION ALL SELECT last_error FROM jobs WHERE id = ?1
         UNION ALL SELECT last_error FROM outbox WHERE job_id = ?1",
    )
    .bind(&id)
    .fetch_all(app.state.db.reader())
    .await
    .unwrap();
    assert_eq!(kept.len(), 3);
    for text in kept.iter().flatten() {
        assert!(!text.contains(ADDRESS) && !text.contains("Greylisted"), "kept verbatim: {text}");
    }

    smtp.set_mode("accept");
    app.advance(Duration::from_secs(120));
    app.run_worker().await;
    assert_eq!(app.job_json(&id).await["status"], "succeeded");
    assert_eq!(smtp.delivered().len(), 1);
}

#[tokio::test]
async fn a_mail_the_server_accepted_is_never_sent_again_when_recording_it_fails() {
    let smtp = SmtpServer::start();
    let (app, scenario) = careful_wallet_mailed_through(&smtp, None).await;
    let id = app.submit(&scenario.wallet, "accepted.once@example.com").await;
    // The commit that marks the mail sent fails (a full disk, a write
    // timeout) until the test lifts the fault.
    refuse_to_mark_mail_sent(&app).await;

    let lift_the_fault = async {
        // Once the server has the message and Kimiko has failed to record
        // it at least once (however it reacts to that), writes work again.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (noted, finished): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE job_id = ?1 AND last_error IS NOT NULL),
                        (SELECT COUNT(*) FROM job_attempts WHERE job_id = ?1 AND outcome IS NOT NULL)",
            )
            .bind(&id)
            .fetch_one(app.state.db.reader())
            .await
            .unwrap();
            if !smtp.delivered().is_empty() && noted + finished > 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the mail was never sent");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        allow_marking_mail_sent(&app).await;
    };
    let (ran, ()) = tokio::join!(app.worker.run_due(), lift_the_fault);
    ran.unwrap();
    app.run_worker().await;

    let job = app.job_json(&id).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["attempts"], 1, "recorded by the attempt that sent it: {job}");
    let delivered = smtp.delivered();
    assert_eq!(delivered.len(), 1, "exactly one message reached the server");
    assert!(delivered[0].contains(&format!("Message-ID: <report.{id}@kimiko.test>")));
    assert!(
        delivered[0].contains(&format!("Resend-Idempotency-Key: kimiko-report/{id}")),
        "a provider that deduplicates over SMTP gets a key derived from the job: {}",
        delivered[0]
    );
}

/// A careful wallet on the chain and an app that mails through `smtp`. With a
/// manual `clock`, retries wait 60 s of it, so a test steps through them.
async fn careful_wallet_mailed_through(smtp: &SmtpServer, clock: Option<Clock>) -> (TestApp, Scenario) {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let mut env = vec![("KIMIKO_SMTP_URL", smtp.url())];
    if clock.is_some() {
        env.push(("KIMIKO_RETRY_BASE_SECS", "60".into()));
    }
    let app = spawn_app_with(Options { chain, smtp: true, clock, env, ..Options::default() }).await;
    (app, scenario)
}
