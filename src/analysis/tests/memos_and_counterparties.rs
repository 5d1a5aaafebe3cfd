use crate::analysis::testkit::*;
use crate::domain::Severity;

#[test]
fn an_email_in_a_memo_is_critical() {
    let report = wallet().sends_sol_to(&addr(4), 0.31).memo("invoice for alice.smith@example.com").analyze();
    let finding = expect_finding(&report, "memo.personal_data");
    assert_eq!(finding.severity, Severity::Critical);
    assert_eq!(finding.penalty, 35);
    assert!(has_evidence(finding, "alice.smith@example.com"));
    assert!(has_evidence(finding, "sig00000"));
}

#[test]
fn a_name_in_a_memo_is_personal_data() {
    let report = wallet().sends_sol_to(&addr(4), 0.31).memo("rent march, my name is Maria Lopez").analyze();
    assert!(expect_finding(&report, "memo.personal_data").explanation.contains("a name"));
}

#[test]
fn ordinary_memos_are_not_personal_data_but_are_memo_usage() {
    let report = wallet().sends_sol_to(&addr(4), 0.31).memo("order #4411").analyze();
    expect_no_finding(&report, "memo.personal_data");
    let usage = expect_finding(&report, "memo.usage");
    assert_eq!(usage.severity, Severity::Low);
    assert!(has_evidence(usage, "order #4411"));
}

#[test]
fn many_memos_weigh_more_than_one() {
    let one = wallet().sends_sol_to(&addr(4), 0.31).memo("a").analyze();
    let many = wallet().repeat(12, |w, i| w.sends_sol_to(&addr(4 + i as u8), 0.31).memo("note")).analyze();
    assert!(expect_finding(&many, "memo.usage").penalty > expect_finding(&one, "memo.usage").penalty);
}

#[test]
fn no_memos_no_memo_findings() {
    let report = wallet().sends_sol_to(&addr(4), 0.31).analyze();
    expect_no_finding(&report, "memo.usage");
    expect_no_finding(&report, "memo.personal_data");
}

#[test]
fn most_payments_with_one_wallet_is_concentration() {
    let friend = addr(20);
    let report = wallet()
        .repeat(6, |w, i| w.sends_sol_to(&friend, 0.11 + i as f64 * 0.013))
        .sends_sol_to(&addr(21), 0.29)
        .analyze();
    let finding = expect_finding(&report, "counterparty.concentration");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &friend));
    assert!(finding.explanation.contains("85%"), "{}", finding.explanation);
}

#[test]
fn swaps_through_one_pool_are_not_concentration() {
    let pool = addr(22);
    let report = wallet().repeat(6, |w, _| w.sends_sol_to(&pool, 0.5).inside_a_program()).analyze();
    expect_no_finding(&report, "counterparty.concentration");
}

#[test]
fn spread_payments_are_not_concentration() {
    let report = wallet().repeat(8, |w, i| w.sends_sol_to(&addr(60 + i as u8), 0.21)).analyze();
    expect_no_finding(&report, "counterparty.concentration");
}

#[test]
fn sending_to_and_receiving_from_the_same_wallets_is_two_way() {
    let (a, b, c) = (addr(70), addr(71), addr(72));
    let report = wallet()
        .sends_sol_to(&a, 0.3)
        .receives_sol_from(&a, 0.25)
        .sends_sol_to(&b, 0.7)
        .receives_sol_from(&b, 0.6)
        .sends_sol_to(&c, 1.1)
        .receives_sol_from(&c, 1.3)
        .analyze();
    let finding = expect_finding(&report, "counterparty.two_way");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &a) && has_evidence(finding, &c));
}

#[test]
fn one_way_flows_and_exchanges_are_not_two_way() {
    let report = wallet()
        .receives_sol_from(&addr(70), 0.3)
        .sends_sol_to(&addr(71), 0.25)
        .sends_sol_to(BINANCE, 1.0)
        .receives_sol_from(BINANCE, 2.0)
        .analyze();
    expect_no_finding(&report, "counterparty.two_way");
}

#[test]
fn contact_details_a_stranger_wrote_on_dust_are_not_the_wallets_personal_data() {
    let report = wallet()
        .receives_sol_from(&addr(7), 1.3)
        .receives_lamports_from(&addr(201), 1)
        .memo("claim your reward: airdrop.desk@claim-rewards.io or +1 415 555 0199")
        .analyze();
    expect_no_finding(&report, "memo.personal_data");
    let usage = expect_finding(&report, "memo.usage");
    assert_eq!((usage.severity, usage.penalty), (Severity::Info, 0));
}

#[test]
fn a_memo_the_wallet_signed_with_an_email_stays_critical_among_strangers_spam() {
    let report = wallet()
        .receives_lamports_from(&addr(201), 1)
        .memo("spam@claim-rewards.io")
        .sends_sol_to(&addr(4), 0.31)
        .memo("invoice for alice.smith@example.com")
        .analyze();
    let finding = expect_finding(&report, "memo.personal_data");
    assert_eq!(finding.severity, Severity::Critical);
    assert!(has_evidence(finding, "alice.smith@example.com"));
    assert!(!has_evidence(finding, "spam@claim-rewards.io"));
}

#[test]
fn a_program_derived_address_is_never_a_two_way_counterparty() {
    let escrow = pda(70);
    let report = wallet()
        .sends_sol_to(&escrow, 0.3)
        .receives_sol_from(&escrow, 0.25)
        .sends_sol_to(&escrow, 0.7)
        .receives_sol_from(&escrow, 0.6)
        .analyze();
    expect_no_finding(&report, "counterparty.two_way");
    expect_no_finding(&report, "counterparty.concentration");
}

#[test]
fn a_memo_in_a_transaction_someone_else_paid_for_is_attributed_with_care() {
    let relayer = addr(91);
    let report =
        wallet().sends_sol_to(&addr(60), 0.1).memo("my name is John Smith").fee_paid_by(&relayer).analyze();
    let finding = expect_finding(&report, "memo.personal_data");
    assert!(finding.explanation.contains("paid the fee"), "{}", finding.explanation);
    assert!(finding.confidence < 80, "{}", finding.confidence);
    let usage = expect_finding(&report, "memo.usage");
    assert!(usage.explanation.contains("paid the fee"), "{}", usage.explanation);
}

#[test]
fn a_memo_the_wallet_paid_for_itself_is_its_own_without_a_caveat() {
    let report = wallet().sends_sol_to(&addr(60), 0.1).memo("my name is John Smith").analyze();
    let finding = expect_finding(&report, "memo.personal_data");
    assert!(!finding.explanation.contains("paid the fee"), "{}", finding.explanation);
    assert_eq!(finding.confidence, 80);
}
