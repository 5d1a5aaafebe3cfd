//! Following links in a real report job: the report carries the findings,
//! the graph's edges and what following them cost; the job page names the
//! phase; a second report of the same wallet reads every lookup from the
//! shared cache.

use kimiko::testing::Chain;
use kimiko::testing::hops;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_report_job_follows_the_funding_chain_and_a_second_report_reuses_the_lookups() {
    let mut chain = Chain::new();
    let scenario = hops::exchange_two_hops(&mut chain);
    let app = spawn_app(chain).await;

    let job = app.submit(&scenario.wallet, "first@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let view = app.job_json(&job).await;
    assert_eq!(view["status"], "succeeded", "{view}");
    assert_eq!(view["progress_phase"], "following_links", "the last phase it reported");

    let report: serde_json::Value =
        app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
    let ids: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"funding.indirect_exchange"), "{ids:?}");
    let followed = &report["links_followed"];
    assert!(followed["rpc_calls"].as_u64().unwrap() <= 25, "{followed}");
    assert_eq!(followed["rpc_budget"], 25);
    assert!(report["links"].as_array().unwrap().iter().any(|l| l["kind"] == "funded_by"));
    assert_eq!(app.count("address_lookups").await, followed["lookups"].as_i64().unwrap());

    let pages_before = app.rpc.calls_of("getSignaturesForAddress");
    let again = app.submit_fresh(&scenario.wallet, "second@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    assert_eq!(app.job_json(&again).await["status"], "succeeded");
    // The wallet's own signature page, and its two payees' newest pages: a
    // fresh analysis reads what can change again; the funder's page before
    // the funding cannot change and came from the shared cache.
    assert_eq!(app.rpc.calls_of("getSignaturesForAddress") - pages_before, 3);
    let second: serde_json::Value =
        app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
    assert_eq!(second["links_followed"]["lookups"], report["links_followed"]["lookups"]);
    assert_eq!(second["findings"], report["findings"]);

    // A plain request minutes later (no fresh analysis) is the stored report.
    let pages_before = app.rpc.calls_of("getSignaturesForAddress");
    app.submit(&scenario.wallet, "third@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    assert_eq!(app.rpc.calls_of("getSignaturesForAddress"), pages_before, "the stored report, mailed again");
}

#[tokio::test]
async fn the_job_page_says_it_is_following_links_and_how_far_it_got() {
    let mut chain = Chain::new();
    let scenario = hops::exchange_two_hops(&mut chain);
    let app = spawn_app(chain).await;
    let job = app.submit(&scenario.wallet, "reader@example.com").await;
    // A job caught mid-way, as the worker's progress writer leaves it.
    sqlx::query(
        "UPDATE jobs SET status = 'running', progress_phase = 'following_links', progress_done = 3, progress_total = 8
         WHERE id = $1",
    )
    .bind(&job)
    .execute(app.state.db.writer())
    .await
    .unwrap();

    let view = app.job_json(&job).await;
    assert_eq!(
        (view["progress_phase"].as_str(), view["progress_done"].as_u64()),
        (Some("following_links"), Some(3))
    );
    let html = app.get(&format!("/jobs/{job}")).await.text().await.unwrap();
    assert!(html.contains("Following links 3/8"), "{html}");
    assert!(html.contains(r#"aria-label="Links followed""#));
}

#[tokio::test]
async fn a_provider_failing_while_links_are_followed_still_gives_a_report_that_says_it_stopped_early() {
    let mut chain = Chain::new();
    let scenario = hops::exchange_two_hops(&mut chain);
    let app = spawn_app(chain).await;
    // The node answers everything about the wallet, nothing about its funder.
    app.rpc.fail_for(&scenario.funders[0], kimiko::testing::Fault::Unavailable);

    let job = app.submit(&scenario.wallet, "links@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let view = app.job_json(&job).await;
    assert_eq!(view["status"], "succeeded", "{view}");
    assert_eq!(view["attempts"], 1, "the lookup's failure costs no attempt");

    let report: serde_json::Value =
        app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
    assert_eq!(report["links_followed"]["stopped_early"], true, "{}", report["links_followed"]);
    let ids: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"funding.indirect_exchange"), "nothing was read past the funder: {ids:?}");
    let page = app.get(&format!("/report/{}", scenario.wallet)).await.text().await.unwrap();
    assert!(page.contains("could not fully read"), "the coverage line says why");
}

#[tokio::test]
async fn a_lookup_that_fails_while_following_links_never_fails_the_job() {
    let mut chain = Chain::new();
    let scenario = hops::exchange_two_hops(&mut chain);
    let app = spawn_app(chain).await;
    // Every call about the wallet's funder fails with an error worth
    // retrying; the wallet's own history reads fine.
    app.rpc.refuse_address(&scenario.funders[0], -32005, "Node is behind by 142 slots");

    let job = app.submit(&scenario.wallet, "first@example.com").await;
    assert_eq!(app.run_worker().await, 1);
    let view = app.job_json(&job).await;
    assert_eq!(view["status"], "succeeded", "{view}");
    let report: serde_json::Value =
        app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
    assert_eq!(report["links_followed"]["stopped_early"], true, "{}", report["links_followed"]);
    let ids: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"funding.indirect_exchange"), "{ids:?}");
}
