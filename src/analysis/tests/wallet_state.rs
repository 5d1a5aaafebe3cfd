use crate::analysis::testkit::*;
use crate::domain::Severity;
use crate::domain::history::{Event, WalletHistory};

#[test]
fn a_thousand_sol_balance_is_medium() {
    let report = wallet().sends_sol_to(&addr(4), 0.3).balance_sol(1_500.0).holding(USDC, 1, 6).analyze();
    let finding = expect_finding(&report, "balance.exposure");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, "1500 SOL"));
}

#[test]
fn a_small_balance_is_not_exposure() {
    expect_no_finding(&wallet().sends_sol_to(&addr(4), 0.3).balance_sol(2.0).analyze(), "balance.exposure");
}

#[test]
fn delegating_stake_is_low() {
    let report = wallet()
        .signs()
        .event(Event::StakeDelegated { stake_account: addr(130), vote_account: addr(131), authority: me() })
        .analyze();
    let finding = expect_finding(&report, "staking.delegation");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, &addr(131)));
}

#[test]
fn someone_elses_delegation_in_our_history_is_not_ours() {
    let report = wallet()
        .touched_by(&addr(5))
        .event(Event::StakeDelegated {
            stake_account: addr(130),
            vote_account: addr(131),
            authority: addr(5),
        })
        .analyze();
    expect_no_finding(&report, "staking.delegation");
}

#[test]
fn a_few_transactions_are_information_only() {
    let report = wallet().repeat(10, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3)).analyze();
    let finding = expect_finding(&report, "history.size");
    assert_eq!((finding.severity, finding.penalty), (Severity::Info, 0));
}

#[test]
fn a_history_longer_than_the_cap_is_medium() {
    let report = wallet().repeat(120, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3)).truncated().analyze();
    let finding = expect_finding(&report, "history.size");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, "more than 120"));
}

#[test]
fn an_empty_history_gives_a_clean_sensible_report() {
    let history =
        WalletHistory { wallet: me(), balance_lamports: Some(lamports(2.0)), ..WalletHistory::default() };
    let report = report(&history);
    assert_eq!(report.score, 100);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.summary.contains("no transactions"));
    assert_eq!((report.window_start, report.window_end), (None, None));
}

#[test]
fn an_empty_history_with_a_large_balance_still_reports_the_balance() {
    let history =
        WalletHistory { wallet: me(), balance_lamports: Some(lamports(5_000.0)), ..WalletHistory::default() };
    let report = report(&history);
    assert_eq!(expect_finding(&report, "balance.exposure").severity, Severity::Medium);
    expect_no_finding(&report, "history.size");
}

#[test]
fn an_unknown_balance_is_not_guessed() {
    let report = report(&WalletHistory { wallet: me(), ..WalletHistory::default() });
    expect_no_finding(&report, "balance.exposure");
}

#[test]
fn a_report_on_a_smart_wallet_vault_says_what_it_cannot_see() {
    // A Squads-style vault is a program-derived address: it never signs, so
    // what its members do through the multisig is not read as its own.
    let vault = pda(7);
    let mut history = wallet().receives_sol_from(&addr(3), 1.5).sends_sol_to(&addr(4), 0.7).build();
    history.wallet = vault.clone();
    let report = report(&history);
    assert!(report.summary.contains("program-derived"), "{}", report.summary);
    assert!(report.summary.contains("smart wallet"), "{}", report.summary);
    let ordinary = wallet().receives_sol_from(&addr(3), 1.5).analyze();
    assert!(!ordinary.summary.contains("program-derived"), "{}", ordinary.summary);
}
