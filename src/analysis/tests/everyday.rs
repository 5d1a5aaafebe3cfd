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

#[test]
fn everyday_wallets_link_no_program_account_and_none_of_their_own_accounts() {
    use crate::analysis::address::is_program_derived;
    use crate::testing::chain::token_account;
    for build in [ordinary_defi_user, nft_collector, trading_bot_user] {
        let mut chain = Chain::new();
        let scenario = build(&mut chain);
        let history = chain.history(&scenario.wallet);
        let report = report(&history);
        let own_accounts: Vec<&str> = history.token_accounts.iter().map(|h| h.account.as_str()).collect();
        for link in &report.links {
            for end in [&link.from, &link.to] {
                assert!(!is_program_derived(end), "{} links a program account: {link:?}", scenario.name);
                assert!(
                    !own_accounts.contains(&end.as_str()),
                    "{} links its own account: {link:?}",
                    scenario.name
                );
                assert_ne!(
                    *end,
                    token_account(&scenario.wallet, crate::testing::chain::USDC),
                    "{}: its USDC account is the wallet",
                    scenario.name
                );
            }
        }
    }
}
