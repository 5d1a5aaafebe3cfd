//! Where the boxes and lines of a report's link graph go: the wallet in the
//! middle, its funding chain above it (the farthest funder on top, so money
//! flows down into the wallet), everything else below it as an indented
//! tree (a deposit address under the wallet, the exchange it sweeps to under
//! the deposit address). Pure arithmetic on the report's links in their
//! stored order — no hashing, no randomness — so the same report always
//! draws the same bytes (the rendered page is kept and ETagged).
//!
//! Which addresses get a box, and under which, is decided in `choose`; this
//! file gives each box its place, size, words and connecting line.

mod choose;

use std::collections::BTreeMap;

pub use self::choose::MAX_NODES;
use self::choose::{Chosen, choose};
use crate::domain::{Link, LinkKind, Report, shorten};

/// The drawing's width in view-box units: about the width of a card on a
/// 390 px phone, so its 10–11.5 unit text is drawn there at about 1:1.
pub const VIEW_W: f64 = 320.0;
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

    let Chosen { chain, drawn, total } = choose(wallet, links);

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
mod tests;
