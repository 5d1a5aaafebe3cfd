//! Properties of the report as a whole: calibration, determinism, scoring.

use crate::analysis::detectors::infos;
use crate::analysis::score::score;
use crate::analysis::testkit::*;
use crate::analysis::{Labels, analyze};
use crate::domain::history::WalletHistory;
use crate::domain::{Finding, Grade, Severity};

/// A tiny deterministic generator, so "varied" fixtures are reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Diverse counterparties, uneven amounts, activity at all hours, own fees,
/// no memos, no labelled entities.
fn clean_wallet() -> WalletHistory {
    let mut rng = Lcg(7);
    let gaps = [2, 7, 3, 11, 5, 1, 8, 4, 13, 6, 9];
    let mut time = START;
    wallet()
        .receives_sol_from(&addr(10), 4.1732)
        .repeat(60, |w, i| {
            time += gaps[i % gaps.len()] * HOUR + (rng.next() % 3_000) as i64;
            let sol = 0.05 + (rng.next() % 900_000) as f64 / 1_000_000.0 + 0.000_123;
            if i % 2 == 0 {
                w.receives_sol_from(&addr(20 + i as u8), sol).at(time)
            } else {
                w.sends_sol_to(&addr(120 + i as u8), sol).at(time)
            }
        })
        .balance_sol(3.2)
        .build()
}

#[test]
fn a_clean_wallet_scores_high_with_nothing_medium_or_worse() {
    let report = report(&clean_wallet());
    let serious: Vec<(&str, Severity)> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| (f.id.as_str(), f.severity))
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
    assert!(report.score >= 90, "score {} with {:#?}", report.score, report.findings);
    assert_eq!(report.grade, Grade::A);
}

#[test]
fn a_wallet_funded_by_an_exchange_that_posts_an_email_scores_badly() {
    let report = wallet()
        .receives_sol_from(BINANCE, 2.5)
        .sends_sol_to(&addr(4), 0.7312)
        .memo("payment from jane.doe@example.com")
        .sends_sol_to(&addr(5), 0.412)
        .analyze();
    // The Binance withdrawal and the Binance funding are one fact, and past
    // 50 points lost each point weighs less: an F, though no longer ≤ 30.
    assert!(report.score < 40, "score {} with {:#?}", report.score, report.findings);
    assert_eq!(report.grade, Grade::F);
    assert_eq!(report.findings[0].id, "memo.personal_data", "most severe first");
    for id in ["funding.source", "known_entity.exchange"] {
        assert_eq!(expect_finding(&report, id).severity, Severity::High, "{id}");
    }
}

#[test]
fn the_same_history_gives_the_same_report_byte_for_byte() {
    let history = clean_wallet();
    // Two label sets parsed separately have differently seeded hash maps, so
    // any iteration order leaking into the report would show up here.
    let first = analyze(&history, &Labels::shipped(), ANALYZED_AT);
    let second = analyze(&history.clone(), &Labels::shipped(), ANALYZED_AT);
    assert_eq!(serde_json::to_string(&first).unwrap(), serde_json::to_string(&second).unwrap());

    let busy = wallet()
        .receives_sol_from(BINANCE, 2.5)
        .repeat(20, |w, i| w.sends_sol_to(&addr(50 + (i % 4) as u8), 0.5).memo("x").cosigned_by(&addr(9)))
        .receives_lamports_from(&lookalike(&addr(50)), 1)
        .build();
    let runs: Vec<String> = (0..3)
        .map(|_| serde_json::to_string(&analyze(&busy, &Labels::shipped(), ANALYZED_AT)).unwrap())
        .collect();
    assert!(runs.windows(2).all(|w| w[0] == w[1]));
}

/// Findings from a few very different wallets, to draw subsets from.
fn pool_of_findings() -> Vec<Finding> {
    let reports = [
        report(&clean_wallet()),
        wallet()
            .receives_sol_from(BINANCE, 2.5)
            .repeat(12, |w, i| {
                w.sends_sol_to(&addr(50 + (i % 3) as u8), 1.0)
                    .memo("call +44 20 7946 0958")
                    .fee_paid_by(&addr(9))
            })
            .receives_lamports_from(&lookalike(&addr(50)), 1)
            .receives_sol_from(&addr(50), 0.3)
            .balance_sol(2_000.0)
            .analyze(),
    ];
    reports.into_iter().flat_map(|r| r.findings).collect()
}

#[test]
fn adding_a_finding_never_raises_the_score() {
    let pool = pool_of_findings();
    assert!(pool.len() >= 10, "the pool should be varied: {}", pool.len());
    let mut rng = Lcg(42);
    for _ in 0..500 {
        let subset: Vec<Finding> = pool.iter().filter(|_| rng.next().is_multiple_of(2)).cloned().collect();
        let extra = pool[(rng.next() as usize) % pool.len()].clone();
        let mut with_extra = subset.clone();
        with_extra.push(extra);
        assert!(score(&with_extra) <= score(&subset));
    }
    let many: Vec<Finding> = pool.iter().chain(&pool).chain(&pool).cloned().collect();
    let (all, once) = (score(&many), score(&pool));
    assert!(all <= once && all > 0, "approaches 0 without reaching it, never wraps: {all} vs {once}");
}

#[test]
fn a_personal_data_leak_never_improves_a_report() {
    let clean = report(&clean_wallet());
    let mut leaky_history = clean_wallet();
    // A memo the wallet wrote: in a transaction it signed.
    let own =
        leaky_history.transactions.iter().position(|tx| tx.signers.contains(&me())).expect("a sent payment");
    leaky_history.transactions[own].memos.push("my name is Jan Novak".into());
    let leaky = report(&leaky_history);
    assert!(leaky.score < clean.score);
    assert!(leaky.findings.len() > clean.findings.len());
}

#[test]
fn findings_stay_within_what_the_methodology_declares() {
    for report in [report(&clean_wallet()), pool_report()] {
        for finding in &report.findings {
            let info = infos().find(|i| i.id == finding.id).expect("declared detector");
            assert!(finding.penalty <= info.max_penalty, "{}", finding.id);
            assert!(finding.severity <= info.severity, "{}", finding.id);
            assert_eq!(finding.category, info.category);
            assert!(!finding.explanation.is_empty() && !finding.recommendation.is_empty());
            assert!(!finding.evidence.is_empty(), "{} has no evidence", finding.id);
        }
    }
}

fn pool_report() -> crate::domain::Report {
    wallet()
        .receives_sol_from(BINANCE, 2.5)
        .repeat(12, |w, i| w.sends_sol_to(&addr(50 + (i % 3) as u8), 1.0).memo("hi").fee_paid_by(&addr(9)))
        .balance_sol(200.0)
        .analyze()
}

#[test]
fn a_history_whose_transactions_could_not_be_read_never_says_nothing_links_it() {
    let mut history = wallet().sends_sol_to(&addr(4), 0.31).sends_sol_to(&addr(5), 0.77).build();
    history.transactions.clear();
    let report = report(&history);
    assert!(!report.summary.contains("nothing on chain links"), "{}", report.summary);
    assert!(report.summary.contains("none of the 2 transactions found could be read"), "{}", report.summary);
}

#[test]
fn a_partly_read_history_says_how_many_transactions_could_not_be_read() {
    let mut history = wallet().repeat(4, |w, i| w.sends_sol_to(&addr(4 + i as u8), 0.31)).build();
    history.transactions.truncate(3);
    let report = report(&history);
    assert!(report.summary.ends_with("1 of 4 transactions could not be read."), "{}", report.summary);
}
