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
async fn rounds(
    rpc: &MockRpc,
    client: impl Fn() -> SolanaRpc,
    wallet: &WalletAddress,
    cap: usize,
) -> Duration {
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        // A new client each round: one keeps what it read (`tx_cache`).
        let client = client();
        rpc.reset_counters();
        let started = Instant::now();
        let (history, _) = fetch_history(&client, wallet, cap, &|_| {}).await.unwrap();
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
        let client =
            || SolanaRpc::new(&[rpc.url()], Duration::from_secs(10), batch, defaults.rpc_concurrency);
        let median = rounds(&rpc, client, &wallet, defaults.history_cap).await;
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
    let client = || {
        SolanaRpc::new(
            &[rpc.url()],
            Duration::from_secs(10),
            defaults.rpc_batch_size,
            defaults.rpc_concurrency,
        )
    };
    let median = rounds(&rpc, client, &wallet, defaults.history_cap).await;
    println!(
        "  getTransactionsForAddress: {:>5} HTTP requests, {:>5} JSON-RPC calls ({} pages of 100 + 3 for the holdings), median {median:?} (target ≤ 15 calls)",
        rpc.http_requests(),
        rpc.calls(),
        rpc.calls_of("getTransactionsForAddress"),
    );
    history_reads().await;
}

// ---- Token accounts and kept transactions (issue 19, history half) ----

/// Calls for the standard path of a 1,000-transaction wallet whose token
/// accounts hold transactions its own list lacks, then for a fresh analysis
/// of it unchanged (target ≤ 3), and what a kept transaction weighs.
async fn history_reads() {
    use kimiko::domain::programs;
    use kimiko::testing::chain::{TxBuilder, USDC, address, token_account};
    use kimiko::testing::scenarios::{BINANCE, START};

    const VIA_TOKENS: usize = 60;
    const SPAM: usize = 200;
    let mut chain = Chain::new();
    let wallet = scenarios::many_wallets(&mut chain, 1, TRANSACTIONS - VIA_TOKENS).remove(0);
    let ata = token_account(&wallet, USDC);
    for n in 0..VIA_TOKENS {
        let tx = TxBuilder::new(BINANCE, START + 3_600 * (5 * n as i64) + 1_800)
            .seed(format!("bench-withdrawal-{n}"))
            .token_transfer(BINANCE, &wallet, USDC, 1_000_000 * (n as u64 + 1), 6);
        chain.add(&tx, &[BINANCE, &ata]);
    }
    chain.add_token_account(&wallet, USDC, 5_000_000, 6);
    for n in 0..SPAM {
        let mint = address(&format!("bench-spam-mint-{n}"));
        chain.add_token_account_of(programs::TOKEN_2022, &wallet, &mint, (n % 2) as u64, 0);
    }
    let wallet = WalletAddress::parse(&wallet).unwrap();
    let rpc = MockRpc::start(chain).await;
    let defaults = Settings::from_lookup(|_| None).unwrap();
    let client = SolanaRpc::new(
        &[rpc.url()],
        Duration::from_secs(10),
        defaults.rpc_batch_size,
        defaults.rpc_concurrency,
    );
    println!(
        "history reads: {} transactions ({} of them only in the USDC account's list), {} spam token accounts, history cap {}",
        TRANSACTIONS, VIA_TOKENS, SPAM, defaults.history_cap
    );
    let started = Instant::now();
    let (history, _) = fetch_history(&client, &wallet, defaults.history_cap, &|_| {}).await.unwrap();
    let first = (rpc.http_requests(), rpc.calls(), started.elapsed());
    let reads = history.token_account_reads;
    println!(
        "  standard path, first read: {:>5} HTTP requests, {:>5} JSON-RPC calls ({} getSignaturesForAddress, {} getTransaction), {:?}; {} token accounts read, {} skipped, {} transactions through them",
        first.0,
        first.1,
        rpc.calls_of("getSignaturesForAddress"),
        rpc.calls_of("getTransaction"),
        first.2,
        reads.read,
        reads.skipped,
        reads.transactions
    );
    let floor = 1 + TRANSACTIONS as u64 + 3;
    println!(
        "    vs the owner-only floor (1 signature page + 1 per transaction + balance and 2 token lists = {floor}): {:.3}x",
        first.1 as f64 / floor as f64
    );
    rpc.reset_counters();
    let started = Instant::now();
    fetch_history(&client, &wallet, defaults.history_cap, &|_| {}).await.unwrap();
    println!(
        "  fresh analysis, unchanged: {:>5} HTTP requests, {:>5} JSON-RPC calls (target <= 3), {:?}; {:.4}x the first read's calls",
        rpc.http_requests(),
        rpc.calls(),
        started.elapsed(),
        rpc.calls() as f64 / first.1 as f64
    );

    // What a kept transaction weighs: the real mainnet fixtures, deflated.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mainnet");
    let (mut raw, mut kept, mut count) = (0usize, 0usize, 0usize);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let result = &value["result"];
        raw += serde_json::to_vec(result).unwrap().len();
        kept += kimiko::storage::transactions::deflate(result).unwrap().len();
        count += 1;
    }
    println!(
        "  a kept transaction ({count} mainnet fixtures): {} bytes of JSON on average, {} deflated ({:.2}x); {} MB for the default {} kept",
        raw / count,
        kept / count,
        kept as f64 / raw as f64,
        (kept / count) as u64 * defaults.tx_cache_size / 1_000_000,
        defaults.tx_cache_size
    );
}
