//! The job page's live progress: `GET /api/jobs/{id}/events` streams the
//! job's public view as Server-Sent Events, read here from the real server
//! while the worker runs the job.

use std::time::Duration;

use kimiko::service::job_events::MAX_STREAMS_PER_CLIENT;
use kimiko::testing::{Chain, scenarios};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

const EMAIL: &str = "stream-reader@example.com";

/// An open event stream, read event by event.
struct Events {
    response: reqwest::Response,
    buffer: String,
    /// Every byte received, to check what was never sent.
    raw: String,
}

impl Events {
    async fn open(app: &TestApp, job_id: &str) -> Events {
        let response = app.get(&format!("/api/jobs/{job_id}/events")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events { response, buffer: String::new(), raw: String::new() }
    }

    /// The next event's JSON, or `None` once the server ended the stream.
    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data: Vec<&str> = block.lines().filter_map(|line| line.strip_prefix("data:")).collect();
                if data.is_empty() {
                    // A keep-alive comment or a bare retry hint.
                    continue;
                }
                return Some(serde_json::from_str(data.join("\n").trim()).expect("each event is JSON"));
            }
            let chunk = self.response.chunk().await.expect("the stream reads")?;
            let text = String::from_utf8(chunk.to_vec()).expect("events are UTF-8");
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
        }
    }

    async fn all(&mut self) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(event) = self.next().await {
            events.push(event);
        }
        events
    }
}

#[tokio::test]
async fn the_event_stream_shows_the_job_running_then_its_final_state_and_ends() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let job_id = app.submit(&scenario.wallet, EMAIL).await;

    let mut events = Events::open(&app, &job_id).await;
    let first = events.next().await.expect("the current state comes at once");
    assert_eq!(first["status"], "queued");
    assert_eq!(first["id"], job_id);

    // A slow RPC keeps the job in each phase long enough to be seen.
    app.rpc.set_delay(Duration::from_millis(200));
    let (ran, rest) = tokio::join!(app.run_worker(), events.all());
    assert_eq!(ran, 1);

    let statuses: Vec<&str> = rest.iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.last(), Some(&"succeeded"), "{statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == "running"), "{statuses:?}");
    assert!(
        rest.iter().any(|e| e["status"] == "running" && e["progress_total"] == 27),
        "progress was pushed while the job ran: {rest:#?}"
    );
    // Each phase counts its own steps: fetching, then following links.
    let phase_rank = |e: &Value| match e["progress_phase"].as_str() {
        Some("fetching") => 0,
        Some("following_links") => 1,
        other => panic!("an unknown phase: {other:?}"),
    };
    let done: Vec<(u8, u64)> =
        rest.iter().map(|e| (phase_rank(e), e["progress_done"].as_u64().unwrap())).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {done:?}");
    let last = rest.last().unwrap();
    assert_eq!(last["report_url"], format!("http://kimiko.test/report/{}", scenario.wallet));
    assert!(!events.raw.contains(EMAIL) && !events.raw.contains("stream-reader"), "no email in any event");
}

#[tokio::test]
async fn a_finished_job_streams_its_final_state_once_and_ends() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let job_id = app.submit(&scenario.wallet, EMAIL).await;
    app.run_worker().await;

    let events = Events::open(&app, &job_id).await.all().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["status"], "succeeded");
}

#[tokio::test]
async fn unknown_and_malformed_job_ids_get_a_404_like_the_json_endpoint() {
    let app = spawn_app(Chain::new()).await;
    for id in ["9xQeWvG816bUx9EPjHmaT2", "not-a-job", "..%2F..%2Fetc"] {
        let response = app.get(&format!("/api/jobs/{id}/events")).await;
        assert_eq!(response.status(), 404, "{id}");
        assert_eq!(app.get(&format!("/api/jobs/{id}")).await.status(), 404, "{id}");
    }
}

#[tokio::test]
async fn one_client_may_hold_only_a_few_streams_open_at_once() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let job_id = app.submit(&scenario.wallet, EMAIL).await;

    let mut open = Vec::new();
    for _ in 0..MAX_STREAMS_PER_CLIENT {
        let mut stream = Events::open(&app, &job_id).await;
        stream.next().await.expect("each stream starts with the job");
        open.push(stream);
    }
    let refused = app.get(&format!("/api/jobs/{job_id}/events")).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(app.state.job_events.open_streams(), MAX_STREAMS_PER_CLIENT);
}

#[tokio::test]
async fn streams_are_timed_under_their_route_template_and_end_at_shutdown() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let app = spawn_app(chain).await;
    let job_id = app.submit(&scenario.wallet, EMAIL).await;
    let mut events = Events::open(&app, &job_id).await;
    events.next().await.unwrap();

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"route="/api/jobs/{id}/events""#), "{metrics}");
    assert!(!metrics.contains(&job_id), "the job id is not a label");

    // An open job page must not hold the server up at shutdown.
    app.shutdown().await;
    assert!(events.next().await.is_none(), "the stream ended");
}
