//! Delivery through a real SMTP server on loopback, read back from its maildir.

use std::time::Duration;

use kimiko::server::state::Clock;
use kimiko::testing::Chain;
use kimiko::testing::scenarios;

use crate::helpers::{Options, SmtpServer, spawn_app_with};

#[tokio::test]
async fn the_report_mail_is_delivered_over_smtp_with_both_parts() {
    let smtp = SmtpServer::start();
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app = spawn_app_with(Options {
        chain,
        smtp: true,
        env: vec![("KIMIKO_SMTP_URL", smtp.url())],
        ..Options::default()
    })
    .await;

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
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app = spawn_app_with(Options {
        chain,
        smtp: true,
        clock: Some(Clock::manual(1_795_000_000_000)),
        env: vec![("KIMIKO_SMTP_URL", smtp.url()), ("KIMIKO_RETRY_BASE_SECS", "60".into())],
        ..Options::default()
    })
    .await;
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
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app = spawn_app_with(Options {
        chain,
        smtp: true,
        clock: Some(Clock::manual(1_795_000_000_000)),
        env: vec![("KIMIKO_SMTP_URL", smtp.url()), ("KIMIKO_RETRY_BASE_SECS", "60".into())],
        ..Options::default()
    })
    .await;
    let id = app.submit(&scenario.wallet, "outage@example.com").await;
    for _ in 0..3 {
        app.run_worker().await;
        app.advance(Duration::from_secs(600));
    }
    let job = app.job_json(&id).await;
    assert_eq!(job["status"], "dead", "{job}");
    assert_eq!(job["attempts"], 3);
    assert!(job["error"].as_str().unwrap().to_lowercase().contains("connection"), "{job}");

    smtp.up();
    let requeued =
        kimiko::storage::jobs::requeue_all_dead(&app.state.db, app.state.clock.now_ms()).await.unwrap();
    assert_eq!(requeued, 1);
    app.run_worker().await;
    assert_eq!(app.job_json(&id).await["status"], "succeeded");
    assert_eq!(smtp.delivered().len(), 1);
    assert_eq!(
        app.rpc.calls_of("getSignaturesForAddress"),
        1,
        "the report was made once; only the mail waited"
    );
}
