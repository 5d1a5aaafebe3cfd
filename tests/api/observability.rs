//! `/metrics`, `/readyz` and request ids, after real traffic.

use kimiko::testing::{Chain, scenarios};

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn metrics_count_requests_jobs_mail_and_rpc_without_personal_data() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let id = app.submit(&scenario.wallet, "metrics-reader@example.com").await;
    app.run_worker().await;
    app.get(&format!("/api/jobs/{id}")).await;
    app.get(&format!("/report/{}", scenario.wallet)).await;
    app.get("/no/such/page").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let body = response.text().await.unwrap();
    for expected in [
        r#"route="/api/jobs/{id}",status="200""#,
        r#"route="/report/{wallet}",status="200""#,
        r#"route="other",status="404""#,
        "kimiko_http_request_duration_seconds_bucket",
        r#"kimiko_jobs{status="succeeded"} 1"#,
        r#"kimiko_job_attempts_total{outcome="succeeded"}"#,
        "kimiko_job_duration_seconds_bucket",
        r#"kimiko_emails_total{result="sent"}"#,
        &format!(r#"kimiko_rpc_requests_total{{endpoint="{}",outcome="ok"}}"#, app.rpc.addr),
        "kimiko_rpc_request_duration_seconds_bucket",
        r#"kimiko_cache_lookups_total{cache="reports",result="miss"}"#,
    ] {
        assert!(body.contains(expected), "/metrics lacks {expected}");
    }
    assert!(!body.contains(&scenario.wallet), "no wallet in a label");
    assert!(!body.contains(&id), "no job id in a label");
    assert!(!body.contains("metrics-reader"), "no address anywhere");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_clients() {
    let app = spawn_app(Chain::new()).await;
    let fresh = app.get("/").await;
    let id = fresh.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(id.len() >= 10, "{id}");
    let again = app.get("/").await;
    assert_ne!(again.headers()["x-request-id"].to_str().unwrap(), id, "a new id per request");
    let echoed =
        app.http.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn readyz_needs_the_database_and_a_running_worker() {
    let manual = spawn_app(Chain::new()).await;
    let response = manual.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("worker not running"));

    let serving = spawn_app_with(Options { background: true, ..Options::default() }).await;
    let mut status = 0;
    for _ in 0..50 {
        status = serving.get("/readyz").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
    assert_eq!(serving.get("/healthz").await.status(), 200);
}
