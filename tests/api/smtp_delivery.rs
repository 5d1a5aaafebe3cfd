//! Delivery through a real SMTP server on loopback, read back from its maildir.

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
    assert!(
        message.contains(&format!("Message-ID: <report.{job_id}@kimiko.test>")),
        "{message}"
    );
    let parsed = mailparse::parse_mail(message.as_bytes()).unwrap();
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key() == "Subject")
        .unwrap()
        .get_value();
    assert!(
        subject.starts_with(&format!(
            "Your Kimiko report for {}",
            kimiko::domain::shorten(&scenario.wallet)
        )),
        "{subject}"
    );
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let types: Vec<&str> = parsed
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.as_str())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let text = parsed.subparts[0].get_body().unwrap();
    let html = parsed.subparts[1].get_body().unwrap();
    let link = format!("http://kimiko.test/report/{}", scenario.wallet);
    assert!(
        text.contains(&link) && html.contains(&link),
        "both parts link to the report"
    );
}
