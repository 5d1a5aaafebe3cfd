//! What changed since the last report: a wallet analysed, then analysed
//! again after its history gained an exchange deposit (the second report
//! names the new finding, the transaction behind it and the score change,
//! on the page, in the JSON and in the mail), then again with nothing new
//! (it says nothing changed) — and the comparison outlives the report's
//! own expiry.

use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::testing::chain::TxBuilder;
use kimiko::testing::scenarios::{self, BINANCE};
use kimiko::testing::{Chain, SOL};

use crate::helpers::{Options, TestApp, spawn_app_with};
use crate::on_both_backends;

/// One fresh analysis of `wallet`, mailed to a new address each time (the
/// per-address limit allows one report of a wallet a day); its JSON and mail.
async fn analyse(app: &TestApp, wallet: &str, n: usize) -> (serde_json::Value, kimiko::email::SentEmail) {
    let job_id = app.submit_fresh(wallet, &format!("reader{n}@example.com")).await;
    app.run_worker().await;
    assert_eq!(app.job_json(&job_id).await["status"], "succeeded");
    let api = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
    let mail = app.sent_mail().pop().expect("a mail");
    (api, mail)
}

on_both_backends! {
    async fn a_new_exchange_deposit_is_named_with_its_transaction_and_the_score_change_then_nothing_changes(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::careful_wallet(&mut chain);
        let clock = Clock::manual(1_795_000_000_000);
        let app = spawn_app_with(Options { chain, database, clock: Some(clock), ..Options::default() }).await;
        let wallet = scenario.wallet.as_str();

        let (first, mail) = analyse(&app, wallet, 1).await;
        assert!(first["changes"].is_null(), "a first report has nothing to compare with: {}", first["changes"]);
        assert!(!mail.text.contains("Since the last report"));
        let first_score = first["score"].as_u64().unwrap();
        assert!(first["findings"].as_array().unwrap().iter().all(|f| f["id"] != "known_entity.exchange"));

        // The wallet sends 5 SOL to Binance's hot wallet.
        let deposit = app.rpc.with_chain(|chain| {
            let tx = TxBuilder::new(wallet, scenarios::START + 40 * 86_400).sol_transfer(wallet, BINANCE, 5 * SOL);
            chain.add(&tx, &[wallet, BINANCE])
        });
        app.advance(Duration::from_secs(3600));
        let (second, mail) = analyse(&app, wallet, 2).await;
        let changes = &second["changes"];
        let new = changes["new"].as_array().unwrap();
        let exchange = new.iter().find(|f| f["id"] == "known_entity.exchange").unwrap_or_else(|| panic!("{changes}"));
        assert_eq!(exchange["transactions"], serde_json::json!([deposit]), "the deposit made it appear");
        assert_eq!(changes["previous_score"].as_u64().unwrap(), first_score);
        let second_score = second["score"].as_u64().unwrap();
        assert!(second_score < first_score, "{first_score} → {second_score}");
        assert_eq!(changes["previous_at"].as_i64().unwrap(), first["created_at"].as_i64().unwrap());

        let title = exchange["title"].as_str().unwrap();
        let score_line = format!("{first_score} → {second_score} (−{} points)", first_score - second_score);
        assert!(mail.text.contains("Since the last report"), "{}", mail.text);
        assert!(mail.text.contains(&format!("Score: {score_line}")), "{}", mail.text);
        assert!(mail.text.contains(title) && mail.text.contains(&deposit), "{}", mail.text);
        assert!(mail.subject.contains("new finding"), "{}", mail.subject);
        let page = app.get(&format!("/report/{wallet}")).await;
        let etag = page.headers()["etag"].clone();
        let html = page.text().await.unwrap();
        assert!(html.contains("Since the last report") && html.contains("New findings"), "{html}");
        assert!(html.contains(&score_line), "the page shows the score change");
        assert!(html.contains(&format!("/tx/{deposit}")), "the page links the deposit");
        // The page with its changes is kept and revalidates as before.
        let again = app.http.get(app.url(&format!("/report/{wallet}"))).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status(), 304);

        // Nothing new on chain: the third report says so.
        app.advance(Duration::from_secs(3600));
        let (third, mail) = analyse(&app, wallet, 3).await;
        let changes = &third["changes"];
        assert_eq!(changes["new"], serde_json::json!([]), "{changes}");
        assert_eq!(changes["gone"], serde_json::json!([]));
        assert_eq!(changes["severity_changed"], serde_json::json!([]));
        assert_eq!(changes["previous_score"], third["score"]);
        assert!(mail.text.contains("Nothing changed"), "{}", mail.text);
        let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
        assert!(html.contains("Nothing changed: the same findings and the same score."));

        // The report expires and is deleted; what it said is still remembered.
        app.advance(Duration::from_secs(25 * 3600));
        let task = kimiko::jobs::scheduler::find("expire-reports").unwrap();
        (task.run)(&app.state).await.unwrap();
        assert_eq!(app.get(&format!("/api/reports/{wallet}")).await.status(), 404);
        let (fourth, _) = analyse(&app, wallet, 4).await;
        assert_eq!(fourth["changes"]["previous_at"], third["created_at"]);
        assert_eq!(app.count("report_history").await, 1, "one row per wallet");
        let stored = crate::peek!(&app.state.db, |pool| {
            sqlx::query_scalar::<_, String>("SELECT findings FROM report_history").fetch_one(pool).await.unwrap()
        });
        assert!(!stored.contains("@example.com"), "public data only: {stored}");
    }
}
