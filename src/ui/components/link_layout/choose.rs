//! Which addresses the link graph draws, and under which: the funding chain
//! up from the wallet, then everything else reached from the chain breadth
//! first in link order, each right under the box it hangs from, capped at
//! [`MAX_NODES`] boxes and [`MAX_DEPTH`] hops. Where the boxes go is the
//! parent module's business.

use std::collections::VecDeque;

use crate::domain::{Link, LinkKind};

/// Boxes drawn at most, the wallet included; the rest are counted ("and 4
/// more") and listed in the table.
pub const MAX_NODES: usize = 10;
/// Funders followed up the chain at most.
const MAX_CHAIN: usize = 5;
/// Branches deeper than this are counted, not drawn.
const MAX_DEPTH: usize = 3;

/// A branch below the chain: (address, the address it hangs from, hops).
pub(super) type Branch<'a> = (&'a str, &'a str, usize);

pub(super) struct Chosen<'a> {
    /// The wallet, its funder, that one's funder, and so on.
    pub chain: Vec<&'a str>,
    /// The branches drawn, in drawing order.
    pub drawn: Vec<Branch<'a>>,
    /// Every address linked, drawn or not, the chain included.
    pub total: usize,
}

pub(super) fn choose<'a>(wallet: &'a str, links: &'a [Link]) -> Chosen<'a> {
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
    // first in link order.
    let mut seen: Vec<&str> = chain.clone();
    let mut branches: Vec<Branch<'a>> = Vec::new();
    let mut queue: VecDeque<(&str, usize)> = chain.iter().map(|a| (*a, 0)).collect();
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

    // Below the wallet, each branch right under the one it hangs from.
    let mut ordered: Vec<Branch<'a>> = Vec::new();
    for root in &chain {
        place_under(root, &chain, &branches, &mut ordered);
    }
    let room = MAX_NODES.saturating_sub(chain.len());
    let drawn = ordered.into_iter().filter(|(_, _, depth)| *depth <= MAX_DEPTH).take(room).collect();
    Chosen { total: seen.len(), chain, drawn }
}

fn place_under<'a>(parent: &str, chain: &[&str], branches: &[Branch<'a>], ordered: &mut Vec<Branch<'a>>) {
    for branch in branches.iter().filter(|b| b.1 == parent) {
        ordered.push(*branch);
        // A chain entity shown again is a leaf: its own branches hang from
        // the chain already.
        if !chain.contains(&branch.0) {
            place_under(branch.0, chain, branches, ordered);
        }
    }
}
