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

/// A wallet funded by a friend that stakes 5 SOL through its own stake
/// account, tops the stake up twice, pays a shop, and withdraws 2 SOL back
/// to itself: in mainnet's shapes.
fn staker() -> (crate::testing::Chain, String, String) {
    use crate::testing::chain::address;
    use crate::testing::{Chain, SOL, TxBuilder};
    let mut chain = Chain::new();
    let wallet = address("staker:wallet");
    let stake = address("staker:stake-account");
    let friend = address("staker:friend");
    let vote = address("staker:validator-vote");
    let shop = address("staker:shop");
    let at = |day: i64| START + day * DAY;
    chain.add(
        &TxBuilder::new(&friend, at(0)).seed("funding").sol_transfer(&friend, &wallet, 12 * SOL),
        &[&friend, &wallet],
    );
    chain.add(
        &TxBuilder::new(&wallet, at(1)).seed("stake").create_and_delegate_stake(
            &wallet,
            &stake,
            5 * SOL,
            &vote,
        ),
        &[&wallet, &stake],
    );
    for i in 0..2 {
        let top_up = TxBuilder::new(&wallet, at(10 + i))
            .seed(format!("top-up-{i}"))
            .sol_transfer(&wallet, &stake, SOL);
        chain.add(&top_up, &[&wallet, &stake]);
    }
    chain.add(
        &TxBuilder::new(&wallet, at(15)).seed("shop").sol_transfer(&wallet, &shop, SOL / 10),
        &[&wallet, &shop],
    );
    chain.add(
        &TxBuilder::new(&wallet, at(30)).seed("withdraw").withdraw_stake(&stake, &wallet, &wallet, 2 * SOL),
        &[&wallet, &stake],
    );
    (chain, wallet, stake)
}

#[test]
fn the_wallets_own_stake_account_is_the_wallet_not_a_counterparty() {
    let (chain, wallet, stake) = staker();
    let report = report(&chain.history(&wallet));
    expect_finding(&report, "staking.delegation");
    assert!(report.links.iter().all(|l| l.to != stake && l.from != stake), "{:?}", report.links);
    for finding in &report.findings {
        assert!(
            finding.id == "staking.delegation" || !finding.evidence.iter().any(|e| e.value == stake),
            "{} names the wallet's own stake account: {:?}",
            finding.id,
            finding.evidence
        );
    }
}

#[test]
fn sol_withdrawn_from_someone_elses_stake_account_comes_from_its_owner() {
    use crate::testing::chain::address;
    use crate::testing::{Chain, SOL, TxBuilder};
    let mut chain = Chain::new();
    let wallet = address("stake-payout:wallet");
    let owner = address("stake-payout:owner");
    let stake = address("stake-payout:stake-account");
    chain.add(
        &TxBuilder::new(&owner, START).seed("withdraw").withdraw_stake(&stake, &owner, &wallet, 3 * SOL),
        &[&owner, &stake, &wallet],
    );
    let report = report(&chain.history(&wallet));
    let funding = expect_finding(&report, "funding.source");
    assert!(has_evidence(funding, &owner), "{:?}", funding.evidence);
    assert!(!has_evidence(funding, &stake));
}
