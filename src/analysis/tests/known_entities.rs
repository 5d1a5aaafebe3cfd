use crate::analysis::testkit::*;
use crate::domain::Severity;

#[test]
fn withdrawing_from_binance_is_a_high_exchange_finding() {
    let report = wallet().receives_sol_from(BINANCE, 2.5).sends_sol_to(&addr(7), 1.2).analyze();
    let finding = expect_finding(&report, "known_entity.exchange");
    assert_eq!(finding.severity, Severity::High);
    assert_eq!(finding.penalty, 18, "one or two transfers: 70% of 25");
    assert!(has_evidence(finding, BINANCE));
    assert!(has_evidence(finding, "Binance"));
    assert!(has_evidence(finding, "sig00000"));
}

#[test]
fn three_exchange_transfers_take_the_full_penalty() {
    let report = wallet()
        .receives_sol_from(BINANCE, 2.5)
        .sends_sol_to(BINANCE, 1.0)
        .receives_sol_from(BINANCE, 0.7)
        .analyze();
    assert_eq!(expect_finding(&report, "known_entity.exchange").penalty, 25);
}

#[test]
fn unlabelled_counterparties_are_not_known_entities() {
    let report = wallet().receives_sol_from(&addr(7), 2.5).sends_sol_to(&addr(8), 1.0).analyze();
    for id in [
        "known_entity.exchange",
        "known_entity.bridge",
        "known_entity.privacy_protocol",
        "known_entity.other",
    ] {
        expect_no_finding(&report, id);
    }
}

#[test]
fn calling_a_bridge_program_is_a_bridge_finding_even_without_a_transfer_to_it() {
    let report = wallet().receives_sol_from(&addr(7), 3.0).signs().invoking(WORMHOLE_TOKEN_BRIDGE).analyze();
    let finding = expect_finding(&report, "known_entity.bridge");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, WORMHOLE_TOKEN_BRIDGE));
    assert!(has_evidence(finding, "1 call of its program"));
}

#[test]
fn a_bridge_call_that_failed_moved_nothing_and_is_not_counted() {
    let report = wallet().signs().invoking(WORMHOLE_TOKEN_BRIDGE).failed().analyze();
    expect_no_finding(&report, "known_entity.bridge");
}

#[test]
fn using_a_privacy_pool_is_reported_as_low() {
    let report = wallet().signs().invoking(PRIVACY_CASH).analyze();
    let finding = expect_finding(&report, "known_entity.privacy_protocol");
    assert_eq!(finding.severity, Severity::Low);
    assert_eq!(finding.penalty, 5);
    assert!(has_evidence(finding, "Privacy Cash"));
}

#[test]
fn tipping_jito_is_informational_and_costs_no_points() {
    // Most swap front-ends add a Jito tip to every swap: it says which kind of
    // software sent the transaction, not who the owner is.
    let report = wallet()
        .repeat(8, |w, i| w.signs().and_sends_sol_to(JITO_TIP, 0.001 + f64::from(i as u8) * 0.0001))
        .analyze();
    let finding = expect_finding(&report, "known_entity.other");
    assert_eq!((finding.severity, finding.penalty), (Severity::Info, 0));
    assert!(has_evidence(finding, JITO_TIP));
    assert!(finding.explanation.contains("tip"), "{}", finding.explanation);
}

#[test]
fn a_labelled_service_that_is_not_a_tip_account_still_costs_points() {
    let labels = r#"{"labels":[{"address":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","name":"Some service","kind":"other","source":"operator","confidence":70}]}"#;
    let mut shipped = crate::analysis::Labels::shipped();
    shipped.extend_from_json(labels).unwrap();
    let history = wallet()
        .signs()
        .and_sends_sol_to(JITO_TIP, 0.001)
        .sends_sol_to("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", 0.5)
        .build();
    let report = crate::analysis::analyze(&history, &shipped, ANALYZED_AT);
    let finding = expect_finding(&report, "known_entity.other");
    assert_eq!(finding.severity, Severity::Low);
    assert!(finding.penalty > 0);
}

#[test]
fn disputed_labels_carry_their_note_into_the_evidence() {
    let disputed = "2ojv9BAiHUrvsm9gxDe7fJSzbNZSJcxZvf8dqmWGHG8S";
    let report = wallet().receives_sol_from(disputed, 1.0).analyze();
    let finding = expect_finding(&report, "known_entity.exchange");
    assert!(has_evidence(finding, "Public lists disagree"));
    assert_eq!(finding.confidence, 65);
}

#[test]
fn a_bloxroute_tip_on_every_trade_is_named_as_a_tip_and_costs_no_points() {
    // The recorded pump.fun sell pays 0.003 SOL to this address: bloXroute's
    // Trader API tip wallet, not a person and not the bot's own fee wallet.
    const BLOXROUTE_TIP: &str = "HWEoBxYs7ssKuudEjzjmpfJVX7Dvi7wescFsVx2L5yoY";
    let report = wallet().repeat(8, |w, _| w.signs().and_sends_sol_to(BLOXROUTE_TIP, 0.003)).analyze();
    let finding = expect_finding(&report, "known_entity.other");
    assert_eq!((finding.severity, finding.penalty), (Severity::Info, 0));
    assert!(has_evidence(finding, "bloXroute"), "{:?}", finding.evidence);
    expect_no_finding(&report, "amount.repeated");
    expect_no_finding(&report, "counterparty.concentration");
}
