//! The analysis never panics, whatever the normalised history holds:
//! random histories (seeded, so a failure reproduces) with extreme amounts,
//! times, decimals, unicode memos and every kind of event, drawn from a
//! small pool of addresses so relationships actually form.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::analysis::detectors::infos;
use crate::analysis::testkit::*;
use crate::analysis::{Labels, analyze};
use crate::domain::history::{
    ComputeBudget, Event, SignatureInfo, TokenHolding, Transaction, Transfer, TxVersion, WalletHistory,
};

/// Addresses a random history draws from: the wallet, strangers, labelled
/// entities, a look-alike of a stranger, well-known programs.
fn pool() -> Vec<String> {
    let mut pool = vec![me(), me(), me()];
    pool.extend((2..14).map(addr));
    pool.push(lookalike(&addr(2)));
    pool.extend(
        [BINANCE, WORMHOLE_TOKEN_BRIDGE, PRIVACY_CASH, JITO_TIP, KEY_APP_RELAYER, USDC]
            .iter()
            .map(|a| (*a).to_owned()),
    );
    pool.extend(
        [
            crate::domain::programs::SYSTEM,
            crate::domain::programs::TOKEN,
            crate::domain::programs::MEMO,
            crate::domain::programs::STAKE,
            crate::domain::programs::NAME_SERVICE,
        ]
        .iter()
        .map(|a| (*a).to_owned()),
    );
    pool
}

/// Amounts around every boundary the detectors use, and the extremes.
fn amount(rng: &mut StdRng) -> u64 {
    match rng.random_range(0..6) {
        0 => 0,
        1 => u64::MAX - rng.random_range(0..3),
        2 => rng.random_range(1..200_000),
        3 => rng.random_range(1..20) * 1_000_000_000,
        4 => rng.random_range(0..1_000) * 10_000_000,
        _ => rng.random(),
    }
}

fn memo(rng: &mut StdRng) -> String {
    let parts = [
        "jane.doe@example.com",
        "+44 20 7946 0958",
        "my name is Jan Novak",
        "paid 15.01.2024 12:30",
        "🦀 ünïcödé ✓",
        "",
        "<script>alert(1)</script>",
        "rent for october",
        "1234567890123456789012345678901234567890",
    ];
    let mut text = String::new();
    for _ in 0..rng.random_range(1..4) {
        text.push_str(parts.choose(rng).unwrap());
        text.push(' ');
    }
    if rng.random_bool(0.1) {
        text = "x".repeat(rng.random_range(500..3_000));
    }
    text
}

fn event(rng: &mut StdRng, pick: &mut impl FnMut(&mut StdRng) -> String) -> Event {
    match rng.random_range(0..6) {
        0 => Event::TokenAccountCreated {
            account: pick(rng),
            owner: pick(rng),
            mint: rng.random_bool(0.8).then(|| pick(rng)),
            payer: pick(rng),
        },
        1 => Event::TokenAccountClosed { account: pick(rng), destination: pick(rng), owner: pick(rng) },
        2 => {
            Event::StakeDelegated { stake_account: pick(rng), vote_account: pick(rng), authority: pick(rng) }
        }
        3 => Event::MintInitialized {
            mint: pick(rng),
            mint_authority: rng.random_bool(0.7).then(|| pick(rng)),
            decimals: rng.random(),
        },
        4 => Event::TokensMinted {
            mint: pick(rng),
            account: pick(rng),
            authority: pick(rng),
            amount: amount(rng),
        },
        _ => Event::AccountCreated {
            source: pick(rng),
            new_account: pick(rng),
            lamports: amount(rng),
            owner_program: pick(rng),
        },
    }
}

/// Token decimals a mint may declare: any u8 (the dust threshold and the
/// evidence's digits must hold past 42, where 10^(decimals − 4) leaves u128).
const MAX_DECIMALS: u8 = u8::MAX;

fn transaction(rng: &mut StdRng, index: usize, pool: &[String]) -> Transaction {
    let mut pick = |rng: &mut StdRng| pool.choose(rng).unwrap().clone();
    let fee_payer = pick(rng);
    let mut signers = vec![fee_payer.clone()];
    for _ in 0..rng.random_range(0..3) {
        signers.push(pick(rng));
    }
    let transfers = (0..rng.random_range(0..6))
        .map(|_| Transfer {
            from: pick(rng),
            to: pick(rng),
            amount: amount(rng),
            mint: rng.random_bool(0.4).then(|| pick(rng)),
            decimals: rng.random_range(0..=MAX_DECIMALS),
            top_level: rng.random_bool(0.6),
        })
        .collect();
    let events = (0..rng.random_range(0..3)).map(|_| event(rng, &mut pick)).collect();
    let block_time = match rng.random_range(0..8) {
        0 => None,
        1 => Some(i64::MIN + rng.random_range(0..1_000)),
        2 => Some(i64::MAX - rng.random_range(0..1_000)),
        3 => Some(-rng.random_range(0..1_000_000_000)),
        _ => Some(START + rng.random_range(0..400 * DAY)),
    };
    let unit_limit = rng.random_bool(0.5).then(|| rng.random());
    Transaction {
        signature: format!("sig{index:05}"),
        slot: rng.random(),
        block_time,
        version: *[TxVersion::Legacy, TxVersion::V0, TxVersion::V1].choose(rng).unwrap(),
        failed: rng.random_bool(0.1),
        fee_lamports: amount(rng),
        fee_payer,
        accounts: signers.iter().cloned().chain((0..rng.random_range(0..4)).map(|_| pick(rng))).collect(),
        signers,
        programs: (0..rng.random_range(0..4)).map(|_| pick(rng)).collect(),
        instruction_kinds: (0..rng.random_range(0..3))
            .map(|_| {
                ["system:transfer", "spl-token:closeAccount", "x:y", ""].choose(rng).unwrap().to_string()
            })
            .collect(),
        memos: (0..rng.random_range(0..2)).map(|_| memo(rng)).collect(),
        transfers,
        events,
        compute: ComputeBudget {
            unit_limit,
            unit_price_micro_lamports: rng.random_bool(0.5).then(|| amount(rng)),
            priority_fee_lamports: rng.random_bool(0.5).then(|| amount(rng)),
        },
        wallet_lamport_delta: rng.random(),
        wallet_lamports_before: None,
    }
}

fn history(rng: &mut StdRng, pool: &[String]) -> WalletHistory {
    let count = match rng.random_range(0..4) {
        0 => rng.random_range(0..3),
        1 => rng.random_range(0..40),
        _ => rng.random_range(40..300),
    };
    let transactions: Vec<Transaction> = (0..count).map(|i| transaction(rng, i, pool)).collect();
    let mut signatures: Vec<SignatureInfo> = transactions.iter().map(SignatureInfo::of).collect();
    // Signatures the RPC listed but could not return.
    for extra in 0..rng.random_range(0..5) {
        signatures.push(SignatureInfo {
            signature: format!("lost{extra}"),
            slot: 0,
            block_time: None,
            failed: false,
        });
    }
    WalletHistory {
        wallet: me(),
        signatures,
        transactions,
        history_truncated: rng.random_bool(0.2),
        balance_lamports: rng.random_bool(0.7).then(|| amount(rng)),
        token_accounts: (0..rng.random_range(0..4))
            .map(|i| TokenHolding {
                account: addr(100 + i),
                mint: pool.choose(rng).unwrap().clone(),
                amount: amount(rng),
                decimals: rng.random_range(0..=MAX_DECIMALS),
            })
            .collect(),
        token_account_reads: Default::default(),
    }
}

const SEED: u64 = 2026;

#[test]
fn the_analysis_never_panics_and_always_gives_a_consistent_report() {
    let labels = Labels::shipped();
    let pool = pool();
    let mut rng = StdRng::seed_from_u64(SEED);
    for round in 0..400 {
        let history = history(&mut rng, &pool);
        // The seed and round reproduce a failure; the panic message says where.
        let report = std::panic::catch_unwind(|| analyze(&history, &labels, ANALYZED_AT))
            .unwrap_or_else(|_| panic!("round {round} of seed {SEED} panicked"));
        assert!(report.score <= 100);
        let points: u32 = report.findings.iter().map(|f| u32::from(f.points.unwrap_or(0))).sum();
        assert_eq!(points, 100 - u32::from(report.score), "round {round}");
        for finding in &report.findings {
            let info = infos().find(|i| i.id == finding.id).expect("a declared detector");
            assert!(
                finding.penalty <= info.max_penalty && finding.severity <= info.severity,
                "{}",
                finding.id
            );
        }
    }
}
