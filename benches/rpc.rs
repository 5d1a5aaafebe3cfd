//! RPC cost of one wallet: HTTP requests and JSON-RPC calls needed to fetch a
//! 1,000-transaction history at the default settings, next to the minimum
//! possible, and the wall time against a local mock (no network latency, so
//! it measures our client's own overhead) — the standard way
//! (`getSignaturesForAddress` + `getTransaction`) and through
//! `getTransactionsForAddress` where the endpoint has it (target ≤ 15 calls).
//! The mock here enforces no rate limit; `benches/rpc_pace.rs` does.
//!
//!     cargo bench --features testing --bench rpc

use std::time::{Duration, Instant};

use kimiko::config::settings::Settings;
use kimiko::domain::WalletAddress;
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::{Chain, MockRpc, scenarios};

const TRANSACTIONS: usize = 1_000;
const ROUNDS: usize = 5;

/// Fetches the wallet `ROUNDS` times; the median time (the mock's counters
/// then hold the last round's).
async fn rounds(rpc: &MockRpc, client: &SolanaRpc, wallet: &WalletAddress, cap: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        rpc.reset_counters();
        let started = Instant::now();
        let (history, _) = fetch_history(client, wallet, cap, &|_| {}).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(history.transactions.len(), TRANSACTIONS);
    }
    times.sort();
    times[ROUNDS / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut chain = Chain::new();
    let wallet = scenarios::many_wallets(&mut chain, 1, TRANSACTIONS).remove(0);
    let wallet = WalletAddress::parse(&wallet).unwrap();
    let rpc = MockRpc::start(chain).await;
    let defaults = Settings::from_lookup(|_| None).unwrap();
    println!(
        "rpc benchmark: {TRANSACTIONS}-transaction wallet, history cap {}, batch size {}, concurrency {}",
        defaults.history_cap, defaults.rpc_batch_size, defaults.rpc_concurrency
    );
    for batch in [defaults.rpc_batch_size, 1, 100] {
        let client = SolanaRpc::new(&[rpc.url()], Duration::from_secs(10), batch, defaults.rpc_concurrency);
        let median = rounds(&rpc, &client, &wallet, defaults.history_cap).await;
        println!(
            "  batch {batch:>4}: {:>5} HTTP requests, {:>5} JSON-RPC calls, median {median:?} against the local mock",
            rpc.http_requests(),
            rpc.calls(),
        );
    }
    // One getSignaturesForAddress page (1,000 is the node's maximum), every
    // getTransaction in one batch, and balance + token accounts in one batch.
    println!("  minimum possible: 3 HTTP requests, {} JSON-RPC calls", 1 + TRANSACTIONS + 2);
    println!(
        "  (the second signature page asks for 1 more signature, to tell a history of exactly the cap from a longer one)"
    );
    println!("  (each client's first report also probes for getTransactionsForAddress once: 1 call)");

    // The same wallet where the endpoint answers getTransactionsForAddress.
    rpc.serve_transactions_for_address(true);
    let client = SolanaRpc::new(
        &[rpc.url()],
        Duration::from_secs(10),
        defaults.rpc_batch_size,
        defaults.rpc_concurrency,
    );
    let median = rounds(&rpc, &client, &wallet, defaults.history_cap).await;
    println!(
        "  getTransactionsForAddress: {:>5} HTTP requests, {:>5} JSON-RPC calls ({} pages of 100 + 3 for the holdings), median {median:?} (target ≤ 15 calls)",
        rpc.http_requests(),
        rpc.calls(),
        rpc.calls_of("getTransactionsForAddress"),
    );
}
