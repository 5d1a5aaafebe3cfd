//! The client against a mock that enforces a provider's rate limits the way
//! the public endpoint does (sliding windows overall and per method, batch
//! items counted one by one, mainnet's 429 bodies, with and without
//! `Retry-After`): jobs finish, and the 429s are few and counted. Windows are
//! shortened (calls per window unchanged) so a minute of the public
//! endpoint's pace takes seconds.

use std::time::Duration;

use kimiko::solana::client::{Limits, RpcLimits};
use kimiko::solana::{RpcError, SolanaRpc, fetch_history};
use kimiko::testing::mock_limits::Enforced;
use kimiko::testing::{Fault, MockRpc};

use crate::helpers::{Options, one_wallet, spawn_app_with};
use crate::on_both_backends;

/// The public endpoint's counts, ten times as fast.
fn public_fast() -> Limits {
    Limits::PUBLIC_MAINNET.time_scaled(10)
}

fn paced_client(rpc: &MockRpc, limits: Limits) -> SolanaRpc {
    // The default batch (50) and concurrency (4), as the worker runs.
    SolanaRpc::with_limits(&[rpc.url()], Duration::from_secs(5), 50, 4, &RpcLimits::every(Some(limits)))
}

#[tokio::test]
async fn a_300_transaction_job_finishes_under_the_public_endpoints_limits_with_retry_after() {
    let (chain, wallet) = one_wallet(300);
    let app = spawn_app_with(Options {
        chain,
        // What an operator writes for a provider with 1-second windows.
        env: vec![("KIMIKO_RPC_LIMITS", "127.0.0.1=100/40/1".to_owned())],
        ..Options::default()
    })
    .await;
    app.rpc.enforce_limits(Some(Enforced { limits: public_fast(), retry_after: true }));
    let id = app.submit(wallet.as_str(), "pace@example.com").await;
    // What the job page shows while the worker runs: the provider's wait.
    let watch = async {
        loop {
            let job = app.job_json(&id).await;
            if let Some(secs) = job["provider_wait_secs"].as_u64() {
                return Some((secs, job["progress_done"].as_u64()));
            }
            if job["status"] == "succeeded" || job["status"] == "dead" {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let (_, seen) = tokio::join!(app.run_worker(), watch);
    let (wait, done) = seen.expect("the job page said it was waiting for the provider");
    // At 40 a second, what was left of 300 takes at most 8 windows.
    assert!(wait <= 9, "{wait} s left after {done:?} fetched");
    let job = app.job_json(&id).await;
    assert_eq!(job["provider_wait_secs"], serde_json::Value::Null, "a finished job waits for nothing");
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["attempts"], 1, "no attempt was lost to a 429: {job}");
    // The wallet's 300, and a few for the addresses it is linked to.
    assert!(app.rpc.calls_of("getTransaction") >= 300);
    // Paced to the same figures the mock enforces, nothing should be refused;
    // one or two may be, when the machine stalls a request past our margin.
    assert!(app.rpc.rate_limited() <= 2, "{} answers of 429", app.rpc.rate_limited());
}

#[tokio::test]
async fn a_provider_stricter_than_configured_is_learned_from_a_few_429s_without_retry_after() {
    let (chain, wallet) = one_wallet(300);
    let rpc = MockRpc::start(chain).await;
    // The provider allows half of what we were told, and says nothing of when
    // to come back.
    let strict = Limits { per_method: 20, ..public_fast() };
    rpc.enforce_limits(Some(Enforced { limits: strict, retry_after: false }));
    let client = paced_client(&rpc, public_fast());
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 300);
    let refused = rpc.rate_limited();
    assert!((1..=8).contains(&refused), "{refused} answers of 429");
    assert_eq!(client.stats.rate_limited.load(std::sync::atomic::Ordering::Relaxed), refused);
}

#[tokio::test]
async fn an_unpaced_client_shrinks_a_batch_the_provider_can_never_take() {
    // Nothing configured for this host (loopback is unpaced by default), and
    // a first batch of 50 that can never fit a window of 40.
    let (chain, wallet) = one_wallet(120);
    let rpc = MockRpc::start(chain).await;
    rpc.enforce_limits(Some(Enforced { limits: Limits::PUBLIC_MAINNET.time_scaled(20), retry_after: true }));
    let client = SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4);
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 120);
    assert!(rpc.rate_limited() <= 12, "{} answers of 429", rpc.rate_limited());
}

#[tokio::test]
async fn more_429s_in_a_row_than_tries_do_not_fail_a_request_while_the_provider_answers() {
    let (chain, wallet) = one_wallet(5);
    let rpc = MockRpc::start(chain).await;
    for _ in 0..10 {
        rpc.fail_next(Fault::RateLimited { retry_after_secs: 0 });
    }
    let client = SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4);
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 5);
    assert!(rpc.http_requests() >= 10 + 3);
}

#[tokio::test]
async fn a_provider_that_only_ever_answers_429_ends_in_a_retryable_error() {
    let (chain, wallet) = one_wallet(5);
    let rpc = MockRpc::start(chain).await;
    rpc.fail_always(Fault::RateLimited { retry_after_secs: 1 });
    let client =
        SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4).with_patience(Duration::from_secs(2));
    let error = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap_err();
    assert!(matches!(error, RpcError::Http { status: 429, .. }), "{error}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_mock_refuses_in_mainnets_exact_shape_naming_the_window_that_is_full() {
    let (chain, wallet) = one_wallet(1);
    let rpc = MockRpc::start(chain).await;
    let limits = Limits { overall: 3, per_method: 2, window: Duration::from_secs(60), connections: 40 };
    rpc.enforce_limits(Some(Enforced { limits, retry_after: true }));
    let http = reqwest::Client::new();
    let call = |method: &str, id: u32| serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": [wallet.as_str()]});
    for id in 1..=2 {
        let response = http.post(rpc.url()).json(&call("getBalance", id)).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = http.post(rpc.url()).json(&call("getBalance", 3)).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"jsonrpc":"2.0","error":{"code": 429, "message":"Too many requests for a specific RPC call, contact your app developer or support@rpcpool.com."}, "id": 3 }"#
    );
    // One more of another method fits the overall window; the next does not.
    let response = http.post(rpc.url()).json(&call("getHealth", 4)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    rpc.enforce_limits(Some(Enforced { limits, retry_after: false }));
    for (id, method) in [(5, "getHealth"), (6, "getBalance"), (7, "getSlot")] {
        assert_eq!(http.post(rpc.url()).json(&call(method, id)).send().await.unwrap().status(), 200);
    }
    let response = http.post(rpc.url()).json(&call("getHealth", 8)).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_none());
    assert!(response.text().await.unwrap().contains("Too many requests from your IP"));
}

on_both_backends! {
    async fn the_job_page_says_it_waits_for_the_provider_and_how_long_the_rest_takes(database) {
        let (chain, wallet) = one_wallet(3);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
        let job = app.submit(wallet.as_str(), "wait@example.com").await;
        // A job caught mid-way, as the worker's pace watcher leaves it.
        let sql = "UPDATE jobs SET status = 'running', progress_done = 120, progress_total = 300,
                   provider_wait_secs = 263 WHERE id = $1";
        let db = &app.state.db;
        if db.is_postgres() {
            sqlx::query(sql).bind(&job).execute(db.pg_pool()).await.unwrap();
        } else {
            sqlx::query(sql).bind(&job).execute(db.writer()).await.unwrap();
        }
        let view = app.job_json(&job).await;
        assert_eq!(view["provider_wait_secs"], 263, "{view}");
        let html = app.get(&format!("/jobs/{job}")).await.text().await.unwrap();
        assert!(html.contains("120 of 300 transactions fetched."), "{html}");
        assert!(html.contains("Waiting for the Solana RPC provider"), "{html}");
        assert!(html.contains("about 4 min 23 s"), "{html}");
    }
}
