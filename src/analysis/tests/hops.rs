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
    lookup_with(address, history, &[(from, address, sol, at)])
}

/// What looking up `address` (before the wallet's funding) would show: the
/// page of `moves` (from, to, SOL, time), newest first, every one of them
/// read, and the page reaching the address's first transaction.
fn lookup_with(address: &str, history: &WalletHistory, moves: &[(&str, &str, f64, i64)]) -> AddressLookup {
    let funding: &Transaction = history.transactions.last().expect("the wallet's funding");
    let transactions: Vec<Transaction> = moves
        .iter()
        .enumerate()
        .map(|(i, (from, to, sol, at))| {
            let mut tx = funding.clone();
            tx.signature = format!("move-{i}-of-{address}");
            tx.block_time = Some(*at);
            tx.fee_payer = (*from).to_owned();
            tx.signers = vec![(*from).to_owned()];
            tx.transfers = vec![Transfer {
                from: (*from).to_owned(),
                to: (*to).to_owned(),
                amount: lamports(*sol),
                mint: None,
                decimals: 9,
                top_level: true,
            }];
            tx
        })
        .collect();
    AddressLookup {
        key: LookupKey::before(address, funding.signature.clone()),
        signatures: transactions.iter().map(SignatureInfo::of).collect(),
        reaches_first: true,
        transactions,
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
fn money_that_sat_with_the_funder_for_days_makes_at_most_a_low_finding() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 9.5).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // The amounts match, but the friend kept the money two days first.
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 10.0, funded_at(&history) - 2 * DAY));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    let finding = expect_finding(&report, "funding.indirect_exchange");
    assert_eq!(finding.severity, Severity::Low);
}

#[test]
fn a_large_top_up_does_not_explain_a_small_payment() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 1.0).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // 100 SOL from Binance an hour before it paid this wallet 1 SOL: the
    // friend passed on a hundredth of it; nothing says this 1 SOL is that money.
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 100.0, funded_at(&history) - HOUR));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
    assert!(report.links.iter().all(|l| l.to != BINANCE), "{:?}", report.links);
}

#[test]
fn a_funder_funded_from_an_exchange_weeks_before_is_not_money_passing_through() {
    let friend = addr(50);
    let history = wallet().receives_sol_from(&friend, 9.5).build();
    let mut neighbourhood = Neighbourhood::new(3, 25);
    // The friend's very first transaction, three weeks before: the page
    // reaches it, but nothing passed straight through.
    neighbourhood.lookups.push(lookup_of(&friend, &history, BINANCE, 10.0, funded_at(&history) - 21 * DAY));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
}

#[test]
fn a_payout_hub_an_exchange_tops_up_is_named_as_a_hub_and_the_exchange_is_not_the_wallets_funder() {
    let hub = addr(50);
    let history = wallet().receives_sol_from(&hub, 1.5).build();
    let at = funded_at(&history);
    let others: Vec<String> = (0..4).map(|i| addr(90 + i)).collect();
    // Binance tops the hub up, the hub pays a wallet every half hour; this
    // one was the fifth. It even paid out a matching amount the same hour.
    let mut moves: Vec<(&str, &str, f64, i64)> = others
        .iter()
        .enumerate()
        .rev()
        .map(|(i, o)| (hub.as_str(), o.as_str(), 1.5, at - (4 - i as i64) * HOUR / 2))
        .collect();
    moves.push((BINANCE, hub.as_str(), 3.0, at - 3 * HOUR));
    let mut neighbourhood = Neighbourhood::new(3, 25);
    neighbourhood.lookups.push(lookup_with(&hub, &history, &moves));

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
    let note = expect_finding(&report, "funding.hub");
    assert_eq!((note.severity, note.penalty), (Severity::Info, 0));
    assert!(has_evidence(note, &hub) && has_evidence(note, "Binance"), "{:?}", note.evidence);
    assert!(report.links.iter().all(|l| l.to != BINANCE), "the exchange is not drawn: {:?}", report.links);
    let edge =
        report.links.iter().find(|l| l.kind == LinkKind::FundedBy && l.to == hub).expect("the hub is drawn");
    assert!(edge.detail.as_deref().is_some_and(|d| d.contains("payout hub")), "{edge:?}");
}

#[test]
fn a_funder_whose_page_spans_only_minutes_is_a_busy_hub_not_a_person_passing_money_on() {
    let hub = addr(50);
    let history = wallet().receives_sol_from(&hub, 9.5).build();
    let at = funded_at(&history);
    let mut moves: Vec<(&str, &str, f64, i64)> = Vec::new();
    // Nine payments from strangers in the last few minutes, then a
    // matching withdrawal: a service's busy address.
    let senders: Vec<String> = (0..9).map(|i| addr(100 + i)).collect();
    for (i, sender) in senders.iter().enumerate() {
        moves.push((sender.as_str(), hub.as_str(), 0.2, at - 30 - i as i64 * 20));
    }
    moves.push((BINANCE, hub.as_str(), 10.0, at - 300));
    let mut lookup = lookup_with(&hub, &history, &moves);
    lookup.reaches_first = false;
    let mut neighbourhood = Neighbourhood::new(3, 25);
    neighbourhood.lookups.push(lookup);

    let report = analyze_with(&history, &neighbourhood, &Labels::shipped(), 0);
    expect_no_finding(&report, "funding.indirect_exchange");
    expect_finding(&report, "funding.hub");
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
