//! The one-hop link graph: the edges a report carries for its graph.

use crate::analysis::testkit::*;
use crate::domain::{Link, LinkKind, Report};

fn links_of(report: &Report, kind: LinkKind) -> Vec<&Link> {
    report.links.iter().filter(|l| l.kind == kind).collect()
}

#[test]
fn a_wallet_funded_by_an_exchange_is_linked_to_it_by_name_and_to_the_funding_finding() {
    let report = wallet().receives_sol_from(BINANCE, 1.5).sends_sol_to(&addr(9), 0.5).analyze();
    let funded = links_of(&report, LinkKind::FundedBy);
    assert_eq!(funded.len(), 1);
    let link = funded[0];
    assert_eq!((link.from.as_str(), link.to.as_str()), (me().as_str(), BINANCE));
    assert!(link.label.as_deref().is_some_and(|l| l.starts_with("Binance")), "{link:?}");
    assert_eq!(link.finding.as_deref(), Some("funding.source"));
    assert_eq!(link.detail.as_deref(), Some("1.5 SOL"));
}

#[test]
fn the_main_counterparties_are_linked_with_how_often_and_how_much() {
    let friend = addr(20);
    let shop = addr(21);
    let report = wallet()
        .receives_sol_from(&addr(9), 10.0)
        .sends_sol_to(&shop, 1.0)
        .sends_sol_to(&shop, 1.5)
        .sends_sol_to(&shop, 10.0)
        .sends_sol_to(&friend, 2.0)
        .receives_sol_from(&friend, 1.0)
        .analyze();
    let pays = report.links.iter().find(|l| l.to == shop).expect("the shop is linked");
    assert_eq!(pays.kind, LinkKind::Pays);
    assert_eq!(pays.detail.as_deref(), Some("3 payments, 12.5 SOL"));
    let both = report.links.iter().find(|l| l.to == friend).expect("the friend is linked");
    assert_eq!(both.kind, LinkKind::TwoWay);
    assert_eq!(both.finding.as_deref(), Some("counterparty.two_way"));
    assert_eq!(both.detail.as_deref(), Some("1 out (2 SOL), 1 in (1 SOL)"));
}

#[test]
fn someone_who_only_pays_the_wallet_points_at_it() {
    let payer = addr(22);
    let report = wallet().receives_sol_from(&payer, 1.0).receives_sol_from(&payer, 2.0).analyze();
    let link = report.links.iter().find(|l| l.kind == LinkKind::Pays).expect("a payment link");
    assert_eq!((link.from.as_str(), link.to.as_str()), (payer.as_str(), me().as_str()));
    assert_eq!(link.detail.as_deref(), Some("2 payments, 3 SOL"));
}

#[test]
fn program_accounts_swap_legs_and_service_fees_are_not_counterparties() {
    let vault = pda(30);
    let pool = addr(31);
    let report = wallet()
        .receives_sol_from(&addr(9), 5.0)
        .sends_sol_to(&vault, 1.0)
        .sends_sol_to(&vault, 1.0)
        .sends_sol_to(&pool, 1.0)
        .inside_a_program()
        .sends_sol_to(JITO_TIP, 0.001)
        .analyze();
    for address in [vault.as_str(), pool.as_str(), JITO_TIP] {
        assert!(
            !report.links.iter().any(|l| l.to == address || l.from == address),
            "{address} linked: {:?}",
            report.links
        );
    }
}

#[test]
fn a_wallet_first_funded_by_a_program_account_has_no_funder_in_its_graph() {
    let report = wallet().receives_sol_from(&pda(32), 1.0).sends_sol_to(&addr(33), 0.5).analyze();
    assert!(links_of(&report, LinkKind::FundedBy).is_empty(), "{:?}", report.links);
}

#[test]
fn at_most_the_main_counterparties_are_linked_busiest_first() {
    let report = wallet()
        .repeat(12, |w, i| {
            let to = addr(40 + i as u8);
            // Counterparty i gets 12 - i payments, so the order is known.
            (0..12 - i).fold(w, |w, _| w.sends_sol_to(&to, 0.25))
        })
        .analyze();
    let counterparties: Vec<&str> =
        report.links.iter().filter(|l| l.kind == LinkKind::Pays).map(|l| l.to.as_str()).collect();
    let expected: Vec<String> = (0..8).map(|i| addr(40 + i)).collect();
    assert_eq!(counterparties, expected.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn co_signers_and_fee_payers_are_linked_to_their_findings() {
    let partner = addr(50);
    let sponsor = addr(51);
    let report = wallet()
        .repeat(4, |w, i| {
            w.sends_sol_to(&addr(60 + i as u8), 0.1).cosigned_by(&partner).fee_paid_by(&sponsor)
        })
        .analyze();
    let cosigner = links_of(&report, LinkKind::CoSigner);
    assert_eq!(cosigner.len(), 1);
    assert_eq!(cosigner[0].to, partner);
    assert_eq!(cosigner[0].finding.as_deref(), Some("signer.overlap"));
    assert_eq!(cosigner[0].detail.as_deref(), Some("co-signed 4 of 4 transactions"));
    let payer = links_of(&report, LinkKind::FeePayer);
    assert_eq!(payer.len(), 1);
    assert_eq!(payer[0].to, sponsor);
    assert_eq!(payer[0].finding.as_deref(), Some("fee_payer.external"));
}

#[test]
fn a_key_that_co_signed_once_is_not_a_relationship() {
    let report =
        wallet().sends_sol_to(&addr(60), 0.1).cosigned_by(&addr(70)).sends_sol_to(&addr(61), 0.1).analyze();
    assert!(links_of(&report, LinkKind::CoSigner).is_empty(), "{:?}", report.links);
}

#[test]
fn the_same_history_gives_the_same_links() {
    let history = wallet()
        .receives_sol_from(BINANCE, 2.0)
        .repeat(6, |w, i| w.sends_sol_to(&addr(80 + (i % 3) as u8), 0.5))
        .build();
    assert_eq!(report(&history).links, report(&history).links);
    assert!(!report(&history).links.is_empty());
}
