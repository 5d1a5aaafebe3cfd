//! The multi-hop detectors on hand-made lookups: the rules every hop obeys,
//! without a network. (The scenarios in mainnet shapes, fetched through the
//! RPC client, are in `tests/api/hops.rs`.)

use crate::analysis::hops::merge_links;
use crate::analysis::testkit::*;
use crate::analysis::{Labels, analyze_with, leads};
use crate::domain::history::{SignatureInfo, Transaction, Transfer, WalletHistory};
use crate::domain::neighbourhood::{AddressLookup, LookupKey, Neighbourhood};
use crate::domain::{Link, LinkKind, Severity};

/// What looking up `address` (before the wallet's funding) would show: `from`
/// sent it `sol` at `at`.
fn lookup_of(address: &str, history: &WalletHistory, from: &str, sol: f64, at: i64) -> AddressLookup {
    let funding: &Transaction = history.transactions.last().expect("the wallet's funding");
    let mut tx = funding.clone();
    tx.signature = format!("funding-of-{address}");
    tx.block_time = Some(at);
    tx.transfers = vec![Transfer {
        from: from.to_owned(),
        to: address.to_owned(),
        amount: lamports(sol),
        mint: None,
        decimals: 9,
        top_level: true,
    }];
    AddressLookup {
        key: LookupKey::before(address, funding.signature.clone()),
        signatures: vec![SignatureInfo::of(&tx)],
        reaches_first: true,
        transactions: vec![tx],
        partial: false,
    }
}

fn funded_at(history: &WalletHistory) -> i64 {
    history.transactions.last().and_then(|tx| tx.block_time).expect("a funding time")
}

#[test]
fn a_funder_that_binance_funded_an_hour_before_puts_binance_two_hops_away() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 9.5).sends_sol_to(&addr(60), 1.0).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 10.0, funded_at(&history) - HOUR));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    let finding = expect_finding(&report, "funding.indirect_exchange");
    assert_eq!(finding.severity, Severity::High);
    assert!(has_evidence(finding, BINANCE) && has_evidence(finding, &friend));
    assert!(leads(&history, &neighbourhood, &Labels::shipped()).iter().all(|key| key.address != friend));
}

#[test]
fn money_that_did_not_pass_straight_through_makes_at_most_a_low_finding() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 9.5).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // Withdrawn a month before, and far more than was passed on: the
    // friend's first funding, which is all its page shows.
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 400.0, funded_at(&history) - 30 * DAY));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    let finding = expect_finding(&report, "funding.indirect_exchange");
    assert_eq!(finding.severity, Severity::Low);
    assert_eq!(finding.penalty, 6, "40% of the 15 points two hops away");
}

#[test]
fn a_friend_funded_from_an_exchange_three_weeks_before_funding_the_wallet_is_at_most_low() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 4.8).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // The same amount, but three weeks apart: nothing passed straight through.
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 5.0, funded_at(&history) - 21 * DAY));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    let finding = expect_finding(&report, "funding.indirect_exchange");
    assert_eq!(finding.severity, Severity::Low, "{}", finding.explanation);
}

#[test]
fn a_hundred_sol_top_up_does_not_explain_a_one_sol_payment() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 1.0).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // A busy funder: Binance topped it up with 100 SOL an hour before it
    // paid this wallet 1 SOL, and its page does not reach its first funding.
    let mut topped_up = lookup_of(&friend, &history, BINANCE, 100.0, funded_at(&history) - HOUR);
    topped_up.reaches_first = false;
    neighbourhood.lookups.push(topped_up);

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
    assert!(
        !report.links.iter().any(|l| l.kind == LinkKind::FundedBy && l.to == BINANCE),
        "the graph does not draw Binance as a funder"
    );
}

#[test]
fn the_wallets_own_token_account_is_never_a_hop() {
    let history = wallet().holding(USDC, 5_000_000, 6).receives_sol_from(&addr(200), 1.0).build();
    let own = history.token_accounts[0].account.clone();
    assert_eq!(own, addr(200), "the fixture's first token account");
    let none = Neighbourhood::new(3, 25);
    assert!(leads(&history, &none, &Labels::shipped()).is_empty(), "its own account is not looked up");

    let mut neighbourhood = Neighbourhood::new(3, 25);
    neighbourhood.lookups.push(lookup_of(&own, &history, BINANCE, 1.0, funded_at(&history) - HOUR));
    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
}

#[test]
fn a_program_derived_funder_is_never_looked_up_or_followed() {
    let vault = pda(70);
    let history = wallet().receives_sol_from(&vault, 3.0).build();
    assert!(leads(&history, &Neighbourhood::new(3, 25), &Labels::shipped()).is_empty());
    let mut neighbourhood = Neighbourhood::new(3, 25);
    neighbourhood.lookups.push(lookup_of(&vault, &history, BINANCE, 3.0, funded_at(&history) - HOUR));
    expect_no_finding(
        &analyze_with(&history, &neighbourhood, &Labels::shipped(), 0),
        "funding.indirect_exchange",
    );
}

#[test]
fn with_one_hop_allowed_nothing_beyond_the_wallet_is_looked_up() {
    let history = wallet().receives_sol_from(&addr(50), 2.0).sends_sol_to(&addr(60), 1.0).build();
    assert!(leads(&history, &Neighbourhood::new(1, 25), &Labels::shipped()).is_empty());
    let wanted = leads(&history, &Neighbourhood::new(3, 25), &Labels::shipped());
    assert_eq!(
        wanted,
        [
            LookupKey::before(addr(50), history.transactions.last().unwrap().signature.clone()),
            LookupKey::newest(addr(60))
        ],
        "the funder first, then the payee"
    );
}

#[test]
fn merged_links_keep_one_edge_per_pair_and_kind_and_gain_the_finding() {
    let edge = |kind, finding: Option<&str>| Link {
        from: "w".into(),
        to: "f".into(),
        kind,
        label: None,
        finding: finding.map(str::to_owned),
        detail: None,
    };
    let mut links = vec![edge(LinkKind::FundedBy, None)];
    merge_links(
        &mut links,
        vec![edge(LinkKind::FundedBy, Some("funding.indirect_exchange")), edge(LinkKind::Pays, None)],
    );
    assert_eq!(links.len(), 2);
    assert_eq!(links[0].finding.as_deref(), Some("funding.indirect_exchange"));
}
