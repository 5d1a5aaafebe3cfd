//! How long one analysis of a busy wallet takes, next to the work no
//! analysis can avoid: parsing the same 1,000 transactions from JSON.
//!
//! `cargo bench --features ssr --bench analysis`. Prints plain figures; it is
//! not a timed test and fails nothing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kimiko::analysis::{Labels, analyze};
use kimiko::domain::history::{
    ComputeBudget, SignatureInfo, TokenHolding, Transaction, Transfer, TxVersion, WalletHistory,
};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_now;

const TRANSACTIONS: usize = 1_000;
const WARMUP: usize = 5;
const RUNS: usize = 60;

const SYSTEM: &str = "11111111111111111111111111111111";
const TOKEN: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const MEMO: &str = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";
const COMPUTE_BUDGET: &str = "ComputeBudget111111111111111111111111111111";
const JUPITER: &str = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
const BINANCE: &str = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";

/// Deterministic pseudo-random numbers: the same wallet on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn address(n: u64) -> String {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&n.to_le_bytes());
    bytes[31] = 0x5A;
    bs58::encode(bytes).into_string()
}

/// 1,000 transactions: SOL and token transfers with ~40 counterparties,
/// swaps through a program, memos, exchange withdrawals, v0 and v1 budgets.
fn busy_wallet() -> WalletHistory {
    let mut rng = Lcg(2026);
    let wallet = address(1);
    let mut time = 1_760_000_000i64;
    let mut transactions = Vec::with_capacity(TRANSACTIONS);
    for i in 0..TRANSACTIONS {
        time += 600 + (rng.next() % 20_000) as i64;
        let other = if i % 50 == 0 { BINANCE.to_owned() } else { address(100 + rng.next() % 40) };
        let outgoing = rng.next().is_multiple_of(2);
        let (from, to) =
            if outgoing { (wallet.clone(), other.clone()) } else { (other.clone(), wallet.clone()) };
        let signer = if outgoing { wallet.clone() } else { other.clone() };
        let mut programs = vec![COMPUTE_BUDGET.to_owned()];
        let mut kinds = vec!["compute-budget:raw".to_owned()];
        let token = rng.next().is_multiple_of(3);
        let swap = rng.next().is_multiple_of(7);
        let transfers = if swap {
            programs.push(JUPITER.to_owned());
            kinds.push(format!("{JUPITER}:raw"));
            let pool = address(900);
            vec![
                Transfer {
                    from: wallet.clone(),
                    to: pool.clone(),
                    amount: rng.next() % 5_000_000_000,
                    mint: None,
                    decimals: 9,
                    top_level: false,
                },
                Transfer {
                    from: pool,
                    to: wallet.clone(),
                    amount: rng.next() % 90_000_000,
                    mint: Some(USDC.into()),
                    decimals: 6,
                    top_level: false,
                },
            ]
        } else if token {
            programs.push(TOKEN.to_owned());
            kinds.push("spl-token:transferChecked".to_owned());
            vec![Transfer {
                from,
                to,
                amount: rng.next() % 500_000_000,
                mint: Some(USDC.into()),
                decimals: 6,
                top_level: true,
            }]
        } else {
            programs.push(SYSTEM.to_owned());
            kinds.push("system:transfer".to_owned());
            vec![Transfer {
                from,
                to,
                amount: rng.next() % 3_000_000_000,
                mint: None,
                decimals: 9,
                top_level: true,
            }]
        };
        let mut memos = Vec::new();
        if i % 25 == 0 {
            programs.push(MEMO.to_owned());
            kinds.push("spl-memo:memo".to_owned());
            memos.push(format!("invoice {} for order #{}", i, rng.next() % 100_000));
        }
        let v1 = i % 3 == 0;
        let compute = if v1 {
            ComputeBudget {
                unit_limit: Some(200_000),
                unit_price_micro_lamports: None,
                priority_fee_lamports: Some(rng.next() % 100_000),
            }
        } else {
            let price = rng.next() % 1_000_000;
            ComputeBudget {
                unit_limit: Some(200_000),
                unit_price_micro_lamports: Some(price),
                priority_fee_lamports: Some((price * 200_000).div_ceil(1_000_000)),
            }
        };
        transactions.push(Transaction {
            signature: bs58::encode((i as u64).to_le_bytes().repeat(8)).into_string(),
            slot: 400_000_000 + i as u64 * 17,
            block_time: Some(time),
            version: if v1 { TxVersion::V1 } else { TxVersion::V0 },
            failed: rng.next().is_multiple_of(40),
            fee_lamports: 5_000,
            fee_payer: signer.clone(),
            signers: vec![signer.clone()],
            accounts: vec![signer, other, SYSTEM.to_owned()],
            programs,
            instruction_kinds: kinds,
            memos,
            transfers,
            events: Vec::new(),
            compute,
            wallet_lamport_delta: 0,
            wallet_lamports_before: None,
        });
    }
    transactions.reverse();
    let signatures = transactions.iter().map(SignatureInfo::of).collect();
    WalletHistory {
        wallet,
        signatures,
        transactions,
        history_truncated: false,
        balance_lamports: Some(12_345_678_901),
        token_accounts: vec![TokenHolding {
            account: address(5),
            mint: USDC.into(),
            amount: 1_000_000,
            decimals: 6,
        }],
        token_account_reads: Default::default(),
    }
}

/// Median and 90th percentile of `RUNS` timings of `work`.
fn measure(mut work: impl FnMut()) -> (Duration, Duration, &'static str) {
    for _ in 0..WARMUP {
        work();
    }
    let clock = if cpu_now().is_some() { "CPU" } else { "wall" };
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let (cpu, wall) = (cpu_now(), Instant::now());
            work();
            match (cpu, cpu_now()) {
                (Some(start), Some(end)) => end.saturating_sub(start),
                _ => wall.elapsed(),
            }
        })
        .collect();
    samples.sort_unstable();
    (samples[RUNS / 2], samples[RUNS * 9 / 10], clock)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1_000.0)
}

fn main() {
    let history = busy_wallet();
    let labels = Labels::shipped();
    let json = serde_json::to_string(&history.transactions).expect("serialisable");

    let (parse_median, parse_p90, clock) = measure(|| {
        let parsed: Vec<Transaction> = serde_json::from_str(black_box(&json)).expect("parses back");
        black_box(parsed);
    });
    let (analyze_median, analyze_p90, _) = measure(|| {
        black_box(analyze(black_box(&history), &labels, 1_800_000_000));
    });
    let report = analyze(&history, &labels, 1_800_000_000);

    println!(
        "analysis benchmark: {TRANSACTIONS} transactions ({} KiB of JSON), {RUNS} runs after {WARMUP} warm-up, {clock} time",
        json.len() / 1024
    );
    println!("  baseline  serde_json parse  median {:>10}  p90 {:>10}", ms(parse_median), ms(parse_p90));
    println!("  analyze                     median {:>10}  p90 {:>10}", ms(analyze_median), ms(analyze_p90));
    println!(
        "  ratio analyze / parse       median {:>9.2}x  p90 {:>9.2}x",
        analyze_median.as_secs_f64() / parse_median.as_secs_f64(),
        analyze_p90.as_secs_f64() / parse_p90.as_secs_f64()
    );
    println!(
        "  report: score {} ({}), {} findings",
        report.score,
        report.grade.as_str(),
        report.findings.len()
    );
}
