//! Habits of the software that builds the wallet's transactions. Wallet apps
//! set priority fees dynamically and call a handful of common programs; a
//! fixed fee or an unusual, fixed set of programs points at one particular
//! bot or script, and at every other wallet it runs.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, tally};
use crate::domain::history::TxVersion;
use crate::domain::programs;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const PRIORITY_FEE: Detector = Detector { info: &PRIORITY_FEE_INFO, detect: priority_fee };
pub const PROGRAM_SET: Detector = Detector { info: &PROGRAM_SET_INFO, detect: program_set };

const MIN_PRICED: usize = 5;
const MIN_OWN: usize = 10;

static PRIORITY_FEE_INFO: DetectorInfo = DetectorInfo {
    id: "fingerprint.priority_fee",
    title: "The same priority fee every time",
    category: Category::Fingerprint,
    looks_at: "The priority fee of each transaction the wallet signed, compared as a total in lamports for every transaction version: v1 transactions state it directly; for legacy and v0 it is the compute-unit price times the compute-unit limit. When one exact fee appears in 60% or more of at least 5 transactions with a fee, it is low: 6 points from 80%, 4 below.",
    severity: Severity::Low,
    max_penalty: 6,
    limits: "Legacy and v0 transactions that set a price but no compute-unit limit have no exact total (the runtime's default limit depends on the instructions), so they are left out. A popular app with a fixed fee produces the same value for many users.",
};

static PROGRAM_SET_INFO: DetectorInfo = DetectorInfo {
    id: "fingerprint.program_set",
    title: "Transactions built the same way every time",
    category: Category::Fingerprint,
    looks_at: "For each transaction the wallet signed (at least 10), the set of programs it calls beyond the basic ones (System, Compute Budget, SPL Token, Token-2022, Associated Token Account, Memo). When one set that includes at least one other program makes up 60% or more of them, it is low: 5 points from 80%, 3 below.",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Kimiko does not know how many other wallets use the same programs, so it cannot say how rare the fingerprint is; using one app for everything is common and links little on its own.",
};

fn priority_fee(ctx: &Context) -> Option<Finding> {
    let priced: Vec<_> = ctx
        .own()
        .filter_map(|tx| tx.compute.priority_fee_lamports.filter(|fee| *fee > 0).map(|fee| (tx, fee)))
        .collect();
    if priced.len() < MIN_PRICED {
        return None;
    }
    let fees = tally(priced.iter().map(|(_, fee)| *fee));
    let (fee, count) = fees[0];
    let share = percent(count, priced.len());
    let strength = match share {
        80.. => 100,
        60..80 => 60,
        _ => return None,
    };
    let with_fee: Vec<_> = priced.iter().filter(|(_, f)| *f == fee).map(|(tx, _)| *tx).collect();
    let v1 = with_fee.iter().filter(|tx| tx.version == TxVersion::V1).count();
    let mut evidence = vec![
        Evidence::amount("priority fee", format!("{fee} lamports ({})", evidence::sol(fee))),
        Evidence::count("transactions with exactly this fee", format!("{count} of {}", priced.len())),
        Evidence::count(
            "of which v1 (fee stated) / legacy or v0 (price × limit)",
            format!("{v1} / {}", count - v1),
        ),
    ];
    evidence.extend(evidence::signatures(
        "transaction with this fee",
        with_fee.iter().rev().map(|tx| tx.signature.as_str()),
    ));
    Some(
        PRIORITY_FEE_INFO
            .finding(Severity::Low, strength)
            .confidence(70)
            .explanation(format!(
                "{share}% of the transactions this wallet paid a priority fee on paid exactly {fee} lamports. Wallet apps usually adjust the fee to the network's load; a constant value points at a particular bot, script or setting, and any other wallet showing the same value is likely run by the same software — or the same person."
            ))
            .recommendation("Let your wallet choose the priority fee dynamically, or vary it, instead of hard-coding one value in every tool you use.")
            .evidence(evidence)
            .build(),
    )
}

fn program_set(ctx: &Context) -> Option<Finding> {
    let own: Vec<_> = ctx.own().collect();
    if own.len() < MIN_OWN {
        return None;
    }
    let sets: Vec<Vec<&str>> = own
        .iter()
        .map(|tx| {
            let mut set: Vec<&str> =
                tx.programs.iter().map(String::as_str).filter(|p| !is_basic(p)).collect();
            set.sort_unstable();
            set
        })
        .collect();
    let counts = tally(sets.iter().filter(|s| !s.is_empty()).cloned());
    let (set, count) = counts.first()?.clone();
    let share = percent(count, own.len());
    let strength = match share {
        80.. => 100,
        60..80 => 60,
        _ => return None,
    };
    let named: Vec<String> = set.iter().map(|p| programs::short_name(p).to_owned()).collect();
    let mut evidence: Vec<Evidence> =
        set.iter().map(|p| evidence::address_noting(ctx, "program", p, programs::short_name(p))).collect();
    evidence.push(Evidence::count("transactions with exactly this set", format!("{count} of {}", own.len())));
    evidence.extend(evidence::signatures(
        "transaction",
        own.iter().zip(&sets).rev().filter(|(_, s)| **s == set).map(|(tx, _)| tx.signature.as_str()),
    ));
    Some(
        PROGRAM_SET_INFO
            .finding(Severity::Low, strength)
            .confidence(60)
            .explanation(format!(
                "{share}% of the transactions this wallet signed call exactly the same {} ({}). A fixed recipe like that is typical of one bot or app and helps tie together the wallets it runs.",
                if named.len() == 1 { "program" } else { "programs" },
                named.join(", ")
            ))
            .recommendation("Nothing urgent: just be aware that wallets you run with the same tool look alike. Keep wallets you want unlinked on different tools or settings.")
            .evidence(evidence)
            .build(),
    )
}

fn is_basic(program: &str) -> bool {
    [
        programs::SYSTEM,
        programs::COMPUTE_BUDGET,
        programs::TOKEN,
        programs::TOKEN_2022,
        programs::ASSOCIATED_TOKEN,
        programs::MEMO,
        programs::MEMO_V1,
    ]
    .contains(&program)
}
