//! A report under the public endpoint's documented limits (100 calls / 10 s,
//! 40 / 10 s per method, batch items counted one by one), enforced by the
//! mock with mainnet's 429s: wall time next to the floor those limits allow
//! for the calls made, and the 429s received.
//!
//!     cargo bench --features testing --bench rpc_pace
//!
//! A 1,000-transaction wallet needs 1,000 `getTransaction` calls: at 40 per
//! 10 s that is a 240 s floor. So the windows are shortened
//! `KIMIKO_BENCH_RPC_SCALE` times (default 10; 1 runs at the public pace)
//! for the mock and the client alike, calls per window unchanged: times
//! and floors shrink by the same factor and the ratio is what it would be
//! at full scale, less any network latency (the mock is on loopback).
//! Targets: wall time ≤ 1.2 × the floor, ≤ 10 answers of 429.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kimiko::analysis::{Labels, analyze_with};
use kimiko::config::settings::Settings;
use kimiko::domain::WalletAddress;
use kimiko::service::neighbourhood::{Limits as HopLimits, follow_links};
use kimiko::solana::client::{Limits, RpcLimits};
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::mock_limits::Enforced;
use kimiko::testing::{Chain, MockRpc, scenarios};

/// The fewest windows the calls made can be spread over, as a time: each
/// method's calls in windows of `per_method`, all of them in windows of
/// `overall`; the first window starts at once.
fn floor(calls: &BTreeMap<String, usize>, limits: Limits) -> Duration {
    let windows = |count: usize, cap: u32| count.div_ceil(cap as usize).saturating_sub(1) as u32;
    let per_method = calls.values().map(|c| windows(*c, limits.per_method)).max().unwrap_or(0);
    let overall = windows(calls.values().sum(), limits.overall);
    limits.window * per_method.max(overall)
}

struct Run {
    wall: Duration,
    floor: Duration,
    calls: usize,
    refused: u64,
    transactions: usize,
}

async fn report(transactions: usize, limits: Limits, retry_after: bool, defaults: &Settings) -> Run {
    let mut chain = Chain::new();
    let wallet = scenarios::many_wallets(&mut chain, 1, transactions).remove(0);
    let wallet = WalletAddress::parse(&wallet).unwrap();
    let rpc = MockRpc::start(chain).await;
    rpc.enforce_limits(Some(Enforced { limits, retry_after }));
    // What an operator gets by default for the public endpoint, on the
    // mock's (scaled) clock.
    let client = SolanaRpc::with_limits(
        &[rpc.url()],
        Duration::from_secs(30),
        defaults.rpc_batch_size,
        defaults.rpc_concurrency,
        &RpcLimits::every(Some(limits)),
    );
    let labels = Labels::shipped();
    let started = Instant::now();
    let (history, _) = fetch_history(&client, &wallet, defaults.history_cap, &|_| {}).await.expect("history");
    let now_ms = 1_800_000_000_000;
    let neighbourhood =
        follow_links(&client, None, &labels, &history, HopLimits::from_settings(defaults), now_ms, &|_| {})
            .await;
    let report = analyze_with(&history, &neighbourhood, &labels, now_ms / 1000);
    let wall = started.elapsed();
    std::hint::black_box(report);
    let calls = rpc.calls_by_method();
    Run {
        wall,
        floor: floor(&calls, limits),
        calls: calls.values().sum(),
        refused: rpc.rate_limited(),
        transactions: history.transactions.len(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let scale: u32 = std::env::var("KIMIKO_BENCH_RPC_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let limits = Limits::PUBLIC_MAINNET.time_scaled(scale);
    let defaults = Settings::from_lookup(|_| None).unwrap();
    println!(
        "rpc pace benchmark: the public endpoint's limits ({}), windows scaled down {scale}x to {:?}; \
         batch size {}, concurrency {}, history cap {}",
        Limits::PUBLIC_MAINNET,
        limits.window,
        defaults.rpc_batch_size,
        defaults.rpc_concurrency,
        defaults.history_cap,
    );
    println!(
        "  {:>6} {:>12} {:>6} {:>10} {:>10} {:>14} {:>7} {:>5}",
        "txs", "Retry-After", "calls", "wall", "floor", "at full scale", "ratio", "429s"
    );
    for (transactions, retry_after) in [(300, true), (300, false), (1_000, true)] {
        let run = report(transactions, limits, retry_after, &defaults).await;
        assert_eq!(run.transactions, transactions);
        let ratio = run.wall.as_secs_f64() / run.floor.as_secs_f64().max(1e-9);
        println!(
            "  {:>6} {:>12} {:>6} {:>9.2}s {:>9.2}s {:>13.0}s {:>6.2}x {:>5}   (targets: ≤ 1.20x, ≤ 10)",
            transactions,
            if retry_after { "sent" } else { "not sent" },
            run.calls,
            run.wall.as_secs_f64(),
            run.floor.as_secs_f64(),
            run.wall.as_secs_f64() * f64::from(scale),
            ratio,
            run.refused,
        );
    }
}
