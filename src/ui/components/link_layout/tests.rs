//! The link graph's layout on small hand-made link sets: what is drawn where,
//! what is counted instead, and that the picture never varies.

use super::*;
use crate::domain::sample;

const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
const BINANCE: &str = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";

fn edge(from: &str, to: &str, kind: LinkKind, label: Option<&str>) -> Link {
    Link {
        from: from.into(),
        to: to.into(),
        kind,
        label: label.map(Into::into),
        finding: None,
        detail: Some(format!("{} fact", kind_label(kind))),
    }
}

fn report_with(links: Vec<Link>) -> Report {
    let mut report = sample::report(WALLET, 42).report;
    report.activity.top_counterparties.clear();
    report.links = links;
    report
}

#[test]
fn a_funding_chain_stands_above_the_wallet_farthest_funder_first() {
    let report = report_with(vec![
        edge(WALLET, "FriendAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", LinkKind::FundedBy, None),
        edge("FriendAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", BINANCE, LinkKind::FundedBy, Some("Binance")),
        edge(WALLET, "ShopBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", LinkKind::Pays, None),
    ]);
    let graph = layout(&report);
    let order: Vec<(&str, Place)> = graph.nodes.iter().map(|n| (n.name.as_str(), n.place)).collect();
    assert_eq!(
        order,
        [
            ("Binance", Place::Chain),
            ("Frie…AAAA", Place::Chain),
            ("7Ytt…j2G5", Place::Wallet),
            ("Shop…BBBB", Place::Branch(1))
        ]
    );
    assert_eq!(graph.nodes[0].relation, "funded by");
    assert!(graph.nodes.windows(2).all(|w| w[0].y < w[1].y), "drawn top to bottom");
    assert_eq!(graph.hidden, 0);
}

#[test]
fn a_deposit_address_hangs_under_the_wallet_and_its_exchange_under_it() {
    let deposit = "DepositCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
    let report = report_with(vec![
        edge(WALLET, deposit, LinkKind::DepositAddress, None),
        edge(deposit, BINANCE, LinkKind::SweepsTo, Some("Binance")),
        edge(WALLET, deposit, LinkKind::Pays, None),
    ]);
    let graph = layout(&report);
    let rows: Vec<(Place, &str)> = graph.nodes.iter().map(|n| (n.place, n.relation.as_str())).collect();
    assert_eq!(
        rows,
        [(Place::Wallet, ""), (Place::Branch(1), "deposit address · pays"), (Place::Branch(2), "sweeps to")]
    );
    assert!(graph.nodes[2].x > graph.nodes[1].x, "the exchange is indented under its deposit address");
}

#[test]
fn a_deposit_address_sweeping_to_the_exchange_atop_the_chain_shows_that_exchange_again() {
    let funder = "FunderFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
    let deposit = "DepositCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
    let report = report_with(vec![
        edge(WALLET, funder, LinkKind::FundedBy, None),
        edge(funder, BINANCE, LinkKind::FundedBy, Some("Binance")),
        edge(WALLET, deposit, LinkKind::DepositAddress, None),
        edge(deposit, BINANCE, LinkKind::SweepsTo, Some("Binance")),
    ]);
    let graph = layout(&report);
    let rows: Vec<(&str, Place)> = graph.nodes.iter().map(|n| (n.name.as_str(), n.place)).collect();
    assert_eq!(
        rows,
        [
            ("Binance", Place::Chain),
            ("Fund…FFFF", Place::Chain),
            ("7Ytt…j2G5", Place::Wallet),
            ("Depo…CCCC", Place::Branch(1)),
            ("Binance", Place::Branch(2)),
        ]
    );
    assert_eq!(graph.nodes[4].relation, "sweeps to");
    assert_eq!(graph.hidden, 0, "an entity drawn twice is still one address");
}

#[test]
fn someone_paying_the_wallet_reads_as_paid_by() {
    let report =
        report_with(vec![edge("PayerDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", WALLET, LinkKind::Pays, None)]);
    assert_eq!(layout(&report).nodes[1].relation, "paid by");
}

#[test]
fn past_the_cap_the_rest_are_counted_not_drawn() {
    let links = (0..15)
        .map(|i| {
            edge(WALLET, &format!("Counterparty{i:02}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), LinkKind::Pays, None)
        })
        .collect();
    let graph = layout(&report_with(links));
    assert_eq!(graph.nodes.len(), MAX_NODES);
    assert_eq!(graph.hidden, 16 - MAX_NODES);
}

#[test]
fn the_same_links_always_give_the_same_picture() {
    let links = vec![
        edge(WALLET, BINANCE, LinkKind::FundedBy, Some("Binance")),
        edge(WALLET, "CoSignerEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE", LinkKind::CoSigner, None),
    ];
    assert_eq!(layout(&report_with(links.clone())), layout(&report_with(links)));
}

#[test]
fn long_text_is_cut_with_an_ellipsis() {
    assert_eq!(fit("Binance", 10), "Binance");
    assert_eq!(fit("A very long exchange name", 10), "A very lo…");
}
