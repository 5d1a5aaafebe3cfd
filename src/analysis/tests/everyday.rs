//! Everyday wallets, built in mainnet's exact shapes and read through the
//! same normaliser as the worker: a report must be right for them first.

use crate::analysis::testkit::report;
use crate::domain::{Report, Severity};
use crate::testing::Chain;
use crate::testing::everyday::{nft_collector, ordinary_defi_user};
use crate::testing::scenarios::Scenario;
use crate::testing::trading_bot::trading_bot_user;

fn analyse(build: fn(&mut Chain) -> Scenario) -> Report {
    let mut chain = Chain::new();
    let scenario = build(&mut chain);
    report(&chain.history(&scenario.wallet))
}

/// Every finding as `id (severity, points): explanation`, for failure messages.
fn described(report: &Report) -> String {
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} ({}, {}): {}", f.id, f.severity.as_str(), f.penalty, f.explanation))
        .collect();
    format!("score {}\n{}", report.score, findings.join("\n"))
}

fn assert_everyday(report: &Report) {
    let above_low: Vec<&str> =
        report.findings.iter().filter(|f| f.severity > Severity::Low).map(|f| f.id.as_str()).collect();
    assert!(above_low.is_empty(), "above low: {above_low:?}\n{}", described(report));
    assert!(report.score >= 80, "score {}\n{}", report.score, described(report));
}

#[test]
fn an_ordinary_defi_user_scores_80_or_more_with_nothing_above_low() {
    let report = analyse(ordinary_defi_user);
    assert!(report.transactions_analyzed >= 100, "{} transactions", report.transactions_analyzed);
    assert_everyday(&report);
}

#[test]
fn an_nft_collector_scores_80_or_more_with_nothing_above_low() {
    assert_everyday(&analyse(nft_collector));
}

#[test]
fn a_trading_bot_user_with_a_fixed_fee_and_tip_on_every_trade_scores_80_or_more_with_nothing_above_low() {
    let report = analyse(trading_bot_user);
    assert!(report.transactions_analyzed >= 36, "{} transactions", report.transactions_analyzed);
    assert_everyday(&report);
}
