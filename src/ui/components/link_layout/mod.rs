//! Where the boxes and lines of a report's link graph go: the wallet in the
//! middle, its funding chain above it (the farthest funder on top, so money
//! flows down into the wallet), everything else below it as an indented
//! tree (a deposit address under the wallet, the exchange it sweeps to under
//! the deposit address). Pure arithmetic on the report's links in their
//! stored order — no hashing, no randomness — so the same report always
//! draws the same bytes (the rendered page is kept and ETagged).

use std::collections::BTreeMap;

use crate::domain::{Link, LinkKind, Report, shorten};

/// The drawing's width in view-box units: about the width of a card on a
/// 390 px phone, so its 10–11.5 unit text is drawn there at about 1:1.
pub const VIEW_W: f64 = 320.0;
/// Boxes drawn at most, the wallet included; the rest are counted ("and 4
/// more") and listed in the table.
pub const MAX_NODES: usize = 10;
/// Funders followed up the chain at most.
const MAX_CHAIN: usize = 5;
/// Branches deeper than this are counted, not drawn.
const MAX_DEPTH: usize = 3;
pub const ROW_H: f64 = 56.0;
pub const BOX_H: f64 = 34.0;
const TOP: f64 = 8.0;
const LEFT: f64 = 8.0;
const RIGHT: f64 = VIEW_W - 8.0;
/// How far each level of the tree is indented.
const INDENT: f64 = 28.0;
/// Width of the chain's and the wallet's boxes.
const SPINE_W: f64 = 220.0;

/// Where a box sits in the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// On the funding chain, above the wallet.
    Chain,
    Wallet,
    /// Below the wallet, this many hops down the tree.
    Branch(usize),
}

/// One box: who it is, how it is tied to the box it hangs from, where.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub address: String,
    /// The entity's label, or the shortened address.
    pub name: String,
    pub labelled: bool,
    pub place: Place,
    /// What ties it to its parent, in words ("pays", "funded by · two-way").
    pub relation: String,
    /// The links' short facts ("3 payments, 12.5 SOL").
    pub detail: Option<String>,
    /// The kind of the first link to its parent (for the line's colour).
    pub kind: Option<LinkKind>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    /// The connector: from (x1, y1) down to the box's y-middle, then right
    /// to the box (branches); straight down to the box below (chain).
    pub line: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphLayout {
    pub nodes: Vec<NodeBox>,
    /// Addresses linked but not drawn.
    pub hidden: usize,
    pub height: f64,
}

/// A link's kind as the reader sees it from `from`'s side.
pub fn kind_label(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::FundedBy => "funded by",
        LinkKind::Pays => "pays",
        LinkKind::TwoWay => "two-way",
        LinkKind::CoSigner => "co-signer",
        LinkKind::FeePayer => "fees paid by",
        LinkKind::DepositAddress => "deposit address",
        LinkKind::SweepsTo => "sweeps to",
    }
}

/// The same link read from `to`'s side.
fn reverse_label(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::FundedBy => "funded",
        LinkKind::Pays => "paid by",
        LinkKind::TwoWay => "two-way",
        LinkKind::CoSigner => "co-signer",
        LinkKind::FeePayer => "pays the fees of",
        LinkKind::DepositAddress => "deposit address of",
        LinkKind::SweepsTo => "swept from",
    }
}

/// What the report knows each address as: a label from its links, else
/// from its top counterparties.
pub fn names(report: &Report) -> BTreeMap<&str, &str> {
    let mut names = BTreeMap::new();
    for link in &report.links {
        if let Some(label) = link.label.as_deref() {
            names.entry(link.to.as_str()).or_insert(label);
        }
    }
    for counterparty in &report.activity.top_counterparties {
        if let Some(label) = counterparty.label.as_deref() {
            names.entry(counterparty.address.as_str()).or_insert(label);
        }
    }
    names
}

pub fn layout(report: &Report) -> GraphLayout {
    let wallet = report.wallet.as_str();
    let links = &report.links;
    let names = names(report);

    // The funding chain: the wallet's funder, its funder, and so on.
    let mut chain: Vec<&str> = vec![wallet];
    while chain.len() <= MAX_CHAIN {
        let current = chain[chain.len() - 1];
        let next = links
            .iter()
            .find(|l| l.kind == LinkKind::FundedBy && l.from == current && !chain.contains(&l.to.as_str()));
        match next {
            Some(link) => chain.push(&link.to),
            None => break,
        }
    }

    // Everything else hangs from the wallet or a funder, found breadth
    // first in link order: (address, parent, depth).
    let mut seen: Vec<&str> = chain.clone();
    let mut branches: Vec<(&str, &str, usize)> = Vec::new();
    let mut queue: std::collections::VecDeque<(&str, usize)> = chain.iter().map(|a| (*a, 0)).collect();
    while let Some((node, depth)) = queue.pop_front() {
        for link in links {
            let other = if link.from == node {
                link.to.as_str()
            } else if link.to == node {
                link.from.as_str()
            } else {
                continue;
            };
            if seen.contains(&other) {
                // A branch that leads back to the chain (a deposit address
                // sweeping to the exchange the chain started from) shows
                // that entity again at its end rather than lose the link.
                let parent = branches.iter().find(|b| b.0 == node).map(|b| b.1);
                let back_to_chain =
                    depth > 0 && other != wallet && chain.contains(&other) && parent != Some(other);
                if back_to_chain && !branches.iter().any(|b| b.0 == other && b.1 == node) {
                    branches.push((other, node, depth + 1));
                }
                continue;
            }
            seen.push(other);
            branches.push((other, node, depth + 1));
            queue.push_back((other, depth + 1));
        }
    }
    let total = seen.len();

    // Below the wallet, each branch right under the one it hangs from.
    let mut ordered: Vec<(&str, &str, usize)> = Vec::new();
    fn place_under<'a>(
        parent: &str,
        chain: &[&str],
        branches: &[(&'a str, &'a str, usize)],
        ordered: &mut Vec<(&'a str, &'a str, usize)>,
    ) {
        for branch in branches.iter().filter(|b| b.1 == parent) {
            ordered.push(*branch);
            // A chain entity shown again is a leaf: its own branches
            // hang from the chain already.
            if !chain.contains(&branch.0) {
                place_under(branch.0, chain, branches, ordered);
            }
        }
    }
    for root in &chain {
        place_under(root, &chain, &branches, &mut ordered);
    }
    let room = MAX_NODES.saturating_sub(chain.len());
    let drawn: Vec<(&str, &str, usize)> =
        ordered.into_iter().filter(|(_, _, depth)| *depth <= MAX_DEPTH).take(room).collect();

    let name_of = |address: &str| match names.get(address) {
        Some(label) => ((*label).to_owned(), true),
        None => (shorten(address), false),
    };
    let mut nodes = Vec::new();
    let mut y = TOP;
    // Chain, farthest funder first; each box's line runs down to the next.
    for (i, address) in chain.iter().enumerate().rev() {
        let (name, labelled) = name_of(address);
        let (relation, detail, kind) =
            if i == 0 { (String::new(), None, None) } else { relation(links, chain[i - 1], address) };
        nodes.push(NodeBox {
            address: (*address).to_owned(),
            name,
            labelled,
            place: if i == 0 { Place::Wallet } else { Place::Chain },
            relation,
            detail,
            kind,
            x: LEFT,
            y,
            w: SPINE_W,
            line: (i > 0).then_some((LEFT + 16.0, y + BOX_H)),
        });
        y += ROW_H;
    }
    let wallet_y = y - ROW_H;
    // Branches: each row has its relation above its box. A branch of a
    // funder (not the wallet) starts from the wallet's column too, and
    // names that funder in its relation.
    let mut bottoms: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    bottoms.insert(wallet, (LEFT, wallet_y + BOX_H));
    for &(address, parent, depth) in &drawn {
        let (name, labelled) = name_of(address);
        let (mut relation, detail, kind) = relation(links, parent, address);
        let parent_at = if chain.contains(&parent) && parent != wallet {
            relation = format!("{}: {relation}", name_of(parent).0);
            bottoms[wallet]
        } else {
            bottoms.get(parent).copied().unwrap_or(bottoms[wallet])
        };
        let x = LEFT + INDENT * depth as f64;
        let box_y = y + 14.0;
        nodes.push(NodeBox {
            address: (*address).to_owned(),
            name,
            labelled,
            place: Place::Branch(depth),
            relation,
            detail,
            kind,
            x,
            y: box_y,
            w: RIGHT - x,
            line: Some((parent_at.0 + 14.0, parent_at.1)),
        });
        bottoms.insert(address, (x, box_y + BOX_H));
        y += ROW_H;
    }
    let mut distinct: Vec<&str> = nodes.iter().map(|n| n.address.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let hidden = total - distinct.len();
    let height = y + if hidden > 0 { 20.0 } else { 0.0 };
    GraphLayout { nodes, hidden, height }
}

/// Every link between `parent` and `child`, read from the parent's side,
/// with their facts; and the first one's kind.
fn relation(links: &[Link], parent: &str, child: &str) -> (String, Option<String>, Option<LinkKind>) {
    let between: Vec<&Link> = links
        .iter()
        .filter(|l| (l.from == parent && l.to == child) || (l.from == child && l.to == parent))
        .collect();
    let words: Vec<&str> = between
        .iter()
        .map(|l| if l.from == parent { kind_label(l.kind) } else { reverse_label(l.kind) })
        .collect();
    let details: Vec<&str> = between.iter().filter_map(|l| l.detail.as_deref()).collect();
    let detail = (!details.is_empty()).then(|| details.join(" · "));
    (words.join(" · "), detail, between.first().map(|l| l.kind))
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
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
            edge(
                "FriendAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                BINANCE,
                LinkKind::FundedBy,
                Some("Binance"),
            ),
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
            [
                (Place::Wallet, ""),
                (Place::Branch(1), "deposit address · pays"),
                (Place::Branch(2), "sweeps to")
            ]
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
        let report = report_with(vec![edge(
            "PayerDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD",
            WALLET,
            LinkKind::Pays,
            None,
        )]);
        assert_eq!(layout(&report).nodes[1].relation, "paid by");
    }

    #[test]
    fn past_the_cap_the_rest_are_counted_not_drawn() {
        let links = (0..15)
            .map(|i| {
                edge(
                    WALLET,
                    &format!("Counterparty{i:02}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
                    LinkKind::Pays,
                    None,
                )
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
}
