//! `/metrics`, `/readyz` and request ids, after real traffic.

use std::collections::BTreeSet;

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
        r#"route="unmatched",status="404""#,
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
    // Ready once the worker loop has turned; how soon that is depends on the
    // machine, so the test waits for it (bounded only to fail, not to time it).
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while serving.get("/readyz").await.status() != 200 {
        assert!(std::time::Instant::now() < give_up, "the worker never reported in");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(serving.get("/healthz").await.status(), 200);
}

/// The methods a `method` label may hold.
const METHOD_LABELS: [&str; 10] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other"];

/// Every request-latency series in a `/metrics` body, by its labels.
fn request_series(body: &str) -> BTreeSet<String> {
    body.lines()
        .filter_map(|line| line.strip_prefix("kimiko_http_request_duration_seconds_count{"))
        .map(|rest| rest.rsplit_once('}').unwrap().0.to_owned())
        .collect()
}

/// The value of `name="…"` in a series' labels.
fn label<'a>(series: &'a str, name: &str) -> &'a str {
    series.split(&format!("{name}=\"")).nth(1).and_then(|rest| rest.split('"').next()).unwrap()
}

#[tokio::test]
async fn made_up_methods_and_paths_add_no_series_to_the_metrics() {
    let app = spawn_app(Chain::new()).await;
    let made_up = |i: usize| reqwest::Method::from_bytes(format!("ZZ{i}").as_bytes()).unwrap();
    let random_path = |i: usize| format!("/x{:016x}/{i}", rand::random::<u64>());
    let mut sent = Vec::new();
    let mut send = async |i: usize| {
        let path = random_path(i);
        app.http.request(made_up(i), app.url(&path)).send().await.unwrap();
        app.http.request(made_up(i), app.url("/")).send().await.unwrap();
        app.get(&path).await;
        sent.push(path);
    };
    // One round first, so the series these requests fall under exist already.
    send(0).await;
    let before = request_series(&app.get("/metrics").await.text().await.unwrap());
    for i in 1..=200 {
        send(i).await;
    }
    let body = app.get("/metrics").await.text().await.unwrap();
    let after = request_series(&body);
    let added: Vec<&String> = after.difference(&before).collect();
    // Other tests share the recorder and may add series of their own pages;
    // none of ours may be among them: made-up methods are all `other`, and
    // the paths no route matched all `unmatched` with a 404.
    assert!(added.iter().all(|s| label(s, "method") != "other"), "new series: {added:?}");
    assert!(before.contains(r#"method="GET",route="unmatched",status="404""#), "{before:?}");
    for series in &after {
        assert!(METHOD_LABELS.contains(&label(series, "method")), "{series}");
        assert!(label(series, "route").starts_with('/') || label(series, "route") == "unmatched", "{series}");
    }
    assert!(!body.contains("ZZ1"), "no made-up method is a label");
    assert!(sent.iter().all(|path| !body.contains(path.as_str())), "no made-up path is a label");
}

/// Log output captured in memory.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `text` without the logger's own colour codes (`ESC [ … m`).
fn without_colours(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\u{1b}[") {
        plain.push_str(&rest[..start]);
        let code = &rest[start + 2..];
        let end = code.find('m').map_or(code.len(), |m| m + 1);
        rest = &code[end..];
    }
    plain.push_str(rest);
    plain
}

#[tokio::test]
async fn a_request_id_that_could_forge_log_lines_is_replaced_by_a_fresh_one() {
    // The app runs on this test's single thread, so a thread-local logger
    // sees its lines: the text format an operator reads, request lines included.
    let logs = Captured::default();
    let writer = logs.clone();
    let filter = tracing_subscriber::EnvFilter::new("info,tower_http=debug");
    let _logging =
        tracing::subscriber::set_default(kimiko::server::telemetry::subscriber(false, filter, move || {
            writer.clone()
        }));
    let app = spawn_app(Chain::new()).await;
    // Other tests' threads may have cached "nobody listens" for these call
    // sites while this logger was being installed; ask again now.
    tracing::callsite::rebuild_interest_cache();
    let forged: [&[u8]; 4] = [
        b"x\tpath=/admin/jobs/retry-dead method=POST forged=yes",
        b"ok\" forged=\"yes",
        b"\x9b31mforged-in-red",
        &[b'a'; 65],
    ];
    for value in forged {
        let header = reqwest::header::HeaderValue::from_bytes(value).unwrap();
        let response = app.http.get(app.url("/healthz")).header("x-request-id", header).send().await.unwrap();
        let id = response.headers()["x-request-id"].as_bytes().to_vec();
        assert_ne!(id, value, "{:?} was kept", String::from_utf8_lossy(value));
        assert!(kimiko::server::observability::is_safe_request_id(&id), "a fresh id instead");
    }
    let longest = "a".repeat(64);
    let kept = app.http.get(app.url("/healthz")).header("x-request-id", &longest).send().await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], longest.as_str(), "a safe id is kept");

    let text = without_colours(&String::from_utf8(logs.0.lock().unwrap().clone()).unwrap());
    assert!(text.contains(&format!("request_id={longest}")), "requests are logged with their id: {text}");
    assert!(!text.contains("forged"), "no client text reached the log: {text}");
    assert!(!text.contains(['\u{1b}', '\u{9b}', '\u{fffd}']), "no control text of the client's: {text}");
}
