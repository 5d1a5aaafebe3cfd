//! Following links beyond one hop, over the multi-hop scenarios: the
//! JSON-RPC calls (and HTTP requests) each report spends on other addresses
//! at the default settings, their median next to the budget; and the
//! analysis CPU time with the fetched neighbourhood next to the same
//! analysis without it, measured in the same run.
//!
//!     cargo bench --features testing --bench hops
//!
//! Prints plain figures; it is not a timed test and fails nothing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kimiko::analysis::{Labels, analyze, analyze_with};
use kimiko::config::settings::Settings;
use kimiko::domain::WalletAddress;
use kimiko::domain::history::WalletHistory;
use kimiko::domain::neighbourhood::Neighbourhood;
use kimiko::service::neighbourhood::{Limits, follow_links};
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::{Chain, MockRpc, hops};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_now;

const NOW_MS: i64 = 1_800_000_000_000;
const RUNS: usize = 2_000;

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Total time of `RUNS` rounds of `work`: CPU time of this thread where the
/// platform gives it, wall time elsewhere.
fn time(mut work: impl FnMut()) -> (Duration, &'static str) {
    work();
    let (cpu, wall) = (cpu_now(), Instant::now());
    for _ in 0..RUNS {
        work();
    }
    match (cpu, cpu_now()) {
        (Some(start), Some(end)) => (end.saturating_sub(start), "CPU"),
        _ => (wall.elapsed(), "wall"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut chain = Chain::new();
    let scenarios = hops::all(&mut chain);
    let rpc = MockRpc::start(chain).await;
    let defaults = Settings::from_lookup(|_| None).expect("default settings");
    let limits = Limits::from_settings(&defaults);
    let client = SolanaRpc::new(
        &[rpc.url()],
        Duration::from_secs(10),
        defaults.rpc_batch_size,
        defaults.rpc_concurrency,
    );
    let labels = Labels::shipped();

    println!(
        "hops benchmark: {} scenarios, KIMIKO_HOPS={}, KIMIKO_HOP_BUDGET={} JSON-RPC calls per report",
        scenarios.len(),
        limits.hops,
        limits.budget
    );
    let mut calls = Vec::new();
    let mut requests = Vec::new();
    let mut inputs: Vec<(WalletHistory, Neighbourhood)> = Vec::new();
    for scenario in &scenarios {
        let wallet = WalletAddress::parse(&scenario.wallet).expect("a scenario wallet");
        let (history, _) =
            fetch_history(&client, &wallet, defaults.history_cap, &|_| {}).await.expect("history");
        rpc.reset_counters();
        let neighbourhood = follow_links(&client, None, &labels, &history, limits, NOW_MS, &|_| {}).await;
        println!(
            "  {:<32} {:>3} calls in {:>2} HTTP requests, {} lookups{}",
            scenario.name,
            rpc.calls(),
            rpc.http_requests(),
            neighbourhood.lookups.len(),
            if neighbourhood.stopped_early { ", stopped at the budget" } else { "" }
        );
        calls.push(rpc.calls());
        requests.push(rpc.http_requests());
        inputs.push((history, neighbourhood));
    }
    println!(
        "  median per report: {} JSON-RPC calls (budget {}), {} HTTP requests; most: {} calls",
        median(&mut calls.clone()),
        limits.budget,
        median(&mut requests),
        calls.iter().max().copied().unwrap_or(0)
    );

    let (without, clock) = time(|| {
        for (history, _) in &inputs {
            black_box(analyze(black_box(history), &labels, NOW_MS / 1000));
        }
    });
    let (with, _) = time(|| {
        for (history, neighbourhood) in &inputs {
            black_box(analyze_with(black_box(history), black_box(neighbourhood), &labels, NOW_MS / 1000));
        }
    });
    let per_round = |total: Duration| total.as_secs_f64() * 1e6 / RUNS as f64;
    println!("  analysis of all {} wallets, {RUNS} rounds, {clock} time:", inputs.len());
    println!("    without the neighbourhood  {:>9.1} µs per round (baseline)", per_round(without));
    println!("    with the neighbourhood     {:>9.1} µs per round", per_round(with));
    println!("    ratio with / without       {:>9.2}x", with.as_secs_f64() / without.as_secs_f64());
}
