use crate::analysis::testkit::*;
use crate::domain::Severity;
use crate::domain::history::Event;

#[test]
fn a_wallet_first_funded_by_an_exchange_is_high() {
    let report = wallet().receives_sol_from(BINANCE, 1.5).receives_sol_from(&addr(9), 4.0).analyze();
    let finding = expect_finding(&report, "funding.source");
    assert_eq!(finding.severity, Severity::High);
    assert_eq!(finding.penalty, 20);
    assert!(has_evidence(finding, BINANCE));
    assert!(has_evidence(finding, "1.5 SOL"));
    assert!(finding.confidence >= 80);
}

#[test]
fn the_oldest_funding_counts_not_the_biggest() {
    let report = wallet().receives_sol_from(&addr(9), 0.2).receives_sol_from(BINANCE, 40.0).analyze();
    let finding = expect_finding(&report, "funding.source");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, &addr(9)));
}

#[test]
fn account_creation_with_sol_counts_as_funding() {
    let report = wallet()
        .touched_by(&addr(9))
        .event(Event::AccountCreated {
            source: addr(9),
            new_account: me(),
            lamports: lamports(0.5),
            owner_program: "11111111111111111111111111111111".into(),
        })
        .analyze();
    assert!(has_evidence(expect_finding(&report, "funding.source"), &addr(9)));
}

#[test]
fn a_truncated_history_makes_the_funder_uncertain() {
    let report = wallet().receives_sol_from(BINANCE, 1.5).truncated().analyze();
    let finding = expect_finding(&report, "funding.source");
    assert!(finding.confidence <= 40, "{}", finding.confidence);
    assert!(finding.explanation.contains("not necessarily the first"));
}

#[test]
fn a_wallet_that_never_received_sol_has_no_funder() {
    let report = wallet().signs().sends_tokens_to(&addr(4), USDC, 5_000_000, 6).analyze();
    expect_no_finding(&report, "funding.source");
}

#[test]
fn a_sponsor_paying_most_fees_is_high() {
    let sponsor = addr(30);
    let report = wallet()
        .repeat(4, |w, i| w.sends_sol_to(&addr(40 + i as u8), 0.1234).fee_paid_by(&sponsor))
        .signs()
        .analyze();
    let finding = expect_finding(&report, "fee_payer.external");
    assert_eq!(finding.severity, Severity::High);
    assert!(has_evidence(finding, &sponsor));
    assert!(finding.explanation.contains("80%"), "{}", finding.explanation);
}

#[test]
fn a_labelled_gasless_relayer_paying_the_fees_is_a_service_not_the_same_person() {
    let report = wallet()
        .repeat(4, |w, i| w.sends_sol_to(&addr(40 + i as u8), 0.1234).fee_paid_by(KEY_APP_RELAYER))
        .signs()
        .analyze();
    let finding = expect_finding(&report, "fee_payer.external");
    assert!(finding.severity <= Severity::Low, "{:?}", finding.severity);
    assert!(finding.penalty <= 5, "{}", finding.penalty);
    assert!(finding.explanation.contains("a service paid"), "{}", finding.explanation);
    assert!(!finding.explanation.contains("same person"), "{}", finding.explanation);
    assert!(has_evidence(finding, "Key App"));
}

#[test]
fn an_unlabelled_sponsor_is_still_very_likely_the_same_person() {
    let report = wallet()
        .repeat(4, |w, i| w.sends_sol_to(&addr(40 + i as u8), 0.1234).fee_paid_by(&addr(30)))
        .analyze();
    let finding = expect_finding(&report, "fee_payer.external");
    assert!(finding.explanation.contains("same person"), "{}", finding.explanation);
}

#[test]
fn fees_paid_by_the_wallet_itself_are_not_reported() {
    let report = wallet().sends_sol_to(&addr(4), 1.0).signs().receives_sol_from(&addr(5), 2.0).analyze();
    expect_no_finding(&report, "fee_payer.external");
}

#[test]
fn a_co_signer_on_every_transaction_is_medium() {
    let partner = addr(31);
    let report =
        wallet().repeat(4, |w, i| w.sends_sol_to(&addr(50 + i as u8), 0.37).cosigned_by(&partner)).analyze();
    let finding = expect_finding(&report, "signer.overlap");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &partner));
}

#[test]
fn an_occasional_co_signer_or_the_fee_payer_is_not_overlap() {
    let partner = addr(31);
    let report = wallet()
        .sends_sol_to(&addr(50), 0.37)
        .cosigned_by(&partner)
        .repeat(4, |w, i| w.sends_sol_to(&addr(60 + i as u8), 0.41).fee_paid_by(&addr(32)))
        .analyze();
    expect_no_finding(&report, "signer.overlap");
}

#[test]
fn dust_a_stranger_sent_first_is_not_the_wallets_funding() {
    // Spammers dust fresh wallets within minutes; the money came from later.
    let report = wallet().receives_lamports_from(&addr(200), 1).receives_sol_from(BINANCE, 2.5).analyze();
    let finding = expect_finding(&report, "funding.source");
    assert_eq!(finding.severity, Severity::High);
    assert!(has_evidence(finding, BINANCE));
    assert!(!has_evidence(finding, &addr(200)));
}

/// A wallet whose oldest readable transaction is a payment it made out of
/// SOL it already held (its funding lies in history the provider no longer
/// serves), then a Binance withdrawal a day later: in mainnet's shapes.
fn wallet_whose_first_funding_is_out_of_view() -> (crate::testing::Chain, String) {
    use crate::testing::chain::address;
    use crate::testing::{Chain, SOL, TxBuilder};
    let mut chain = Chain::new();
    let wallet = address("out-of-view:wallet");
    let shop = address("out-of-view:shop");
    chain.add(
        &TxBuilder::new(&wallet, START).seed("spend").sol_transfer(&wallet, &shop, SOL / 2),
        &[&wallet, &shop],
    );
    chain.add(
        &TxBuilder::new(BINANCE, START + DAY).seed("withdrawal").sol_transfer(BINANCE, &wallet, 2 * SOL),
        &[BINANCE, &wallet],
    );
    (chain, wallet)
}

#[test]
fn when_the_oldest_readable_transaction_already_starts_with_a_balance_the_first_funder_is_out_of_view() {
    let (chain, wallet) = wallet_whose_first_funding_is_out_of_view();
    let report = report(&chain.history(&wallet));
    expect_no_finding(&report, "funding.source");
    let note = expect_finding(&report, "funding.out_of_view");
    assert_eq!((note.severity, note.penalty), (Severity::Info, 0));
    assert!(has_evidence(note, BINANCE), "the oldest funding seen is named as such: {:?}", note.evidence);
    assert!(
        report.links.iter().all(|l| l.kind != crate::domain::LinkKind::FundedBy),
        "no one is drawn as the first funder: {:?}",
        report.links
    );
}

#[test]
fn a_wallet_whose_oldest_transaction_is_its_funding_still_names_its_first_funder() {
    use crate::testing::chain::address;
    use crate::testing::{Chain, SOL, TxBuilder};
    let mut chain = Chain::new();
    let wallet = address("in-view:wallet");
    chain.add(
        &TxBuilder::new(BINANCE, START).seed("withdrawal").sol_transfer(BINANCE, &wallet, 2 * SOL),
        &[BINANCE, &wallet],
    );
    let report = report(&chain.history(&wallet));
    assert_eq!(expect_finding(&report, "funding.source").severity, Severity::High);
    expect_no_finding(&report, "funding.out_of_view");
}
