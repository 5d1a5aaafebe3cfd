//! Who the wallet pays and is paid by. Only direct payments count here
//! (top-level transfers): the legs of a swap inside a program go to a pool,
//! not to a person.

use crate::analysis::address::could_be_wallet;
use crate::analysis::context::{Context, Counterparty};
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, plural};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const CONCENTRATION: Detector = Detector { info: &CONCENTRATION_INFO, detect: concentration };
pub const TWO_WAY: Detector = Detector { info: &TWO_WAY_INFO, detect: two_way };

/// Below this many direct transfers a "share" says nothing.
const MIN_TRANSFERS: u32 = 5;

static CONCENTRATION_INFO: DetectorInfo = DetectorInfo {
    id: "counterparty.concentration",
    title: "Most payments are with one wallet",
    category: Category::Counterparty,
    looks_at: "The share of the wallet's direct SOL and token transfers (at least 5) that involve its most frequent counterparty, with at least 3 transfers. 75% or more is medium (15 points), 60–74% medium (11), 40–59% low (6).",
    severity: Severity::Medium,
    max_penalty: 15,
    limits: "Counts transfers, not value. Left out: dust strangers sent without the wallet's signature, Jito tips and other labelled services' fees, and any top-level transfer to someone else inside a transaction that swaps through a known DEX or aggregator (a trading bot's fee wallet is a tool, not a person). A wallet that mostly deals with an exchange shows up here as well as under known entities; labelled counterparties are named. Program-derived addresses (escrows, vaults) are never the top counterparty; that includes a friend's smart-wallet (e.g. Squads) vault, which is program-derived too and so is missed.",
};

static TWO_WAY_INFO: DetectorInfo = DetectorInfo {
    id: "counterparty.two_way",
    title: "Funds go back and forth with the same wallets",
    category: Category::Counterparty,
    looks_at: "Unlabelled wallets (not program-derived addresses) that the wallet both sent direct transfers to and received direct transfers from. One such wallet is low (6 points), two are low (9); three or more wallets, or two or more transfers each way with one of them, medium (15).",
    severity: Severity::Medium,
    max_penalty: 15,
    limits: "Exchanges and other labelled services are left to the known-entity findings. Smart-wallet (e.g. Squads) vaults are program-derived addresses and are not counted, so flows with a friend's vault are missed. Paying a friend back is ordinary; the finding says that the pair is now a visible cluster, not that anything is wrong.",
};

fn concentration(ctx: &Context) -> Option<Finding> {
    let total: u32 = ctx.counterparties().iter().map(Counterparty::direct_transfers).sum();
    // The busiest counterparty that could be a wallet: a program-derived
    // address (an escrow, a vault) is not a relationship with a person.
    let mut by_direct: Vec<&Counterparty> = ctx.counterparties().iter().collect();
    by_direct.sort_by(|a, b| b.direct_transfers().cmp(&a.direct_transfers()).then(a.address.cmp(b.address)));
    let top = by_direct.into_iter().find(|c| could_be_wallet(c.address))?;
    if total < MIN_TRANSFERS || top.direct_transfers() < 3 {
        return None;
    }
    let count = top.direct_transfers();
    let share = percent(count as usize, total as usize);
    let (severity, strength) = match share {
        75.. => (Severity::Medium, 100),
        60..75 => (Severity::Medium, 70),
        40..60 => (Severity::Low, 40),
        _ => return None,
    };
    let who = evidence::name(ctx, top.address);
    let mut evidence = vec![
        evidence::address(ctx, "top counterparty", top.address),
        Evidence::count("direct transfers with it", count),
        Evidence::count("all direct transfers", total),
    ];
    evidence.extend(evidence::signatures("transaction", top.signatures.iter().copied()));
    Some(
        CONCENTRATION_INFO
            .finding(severity, strength)
            .about(ctx.party(top.address))
            .confidence(90)
            .explanation(format!(
                "{share}% of this wallet's direct transfers ({count} of {total}) are with {who}. Anyone looking at either wallet sees the other, and whoever identifies one of you has a strong lead on the other."
            ))
            .recommendation("Use separate wallets for separate relationships, so no single counterparty sees (or reveals) most of your activity.")
            .evidence(evidence)
            .build(),
    )
}

fn two_way(ctx: &Context) -> Option<Finding> {
    let pairs: Vec<&Counterparty> = ctx
        .counterparties()
        .iter()
        .filter(|c| c.direct_sent > 0 && c.direct_received > 0 && ctx.label(c.address).is_none())
        .filter(|c| could_be_wallet(c.address))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let heavy = pairs.iter().any(|c| c.direct_sent >= 2 && c.direct_received >= 2);
    // The partner with the most direct transfers is the fact this finding
    // shares with the concentration finding, when they are the same wallet.
    let main_partner = pairs
        .iter()
        .max_by(|a, b| a.direct_transfers().cmp(&b.direct_transfers()).then(b.address.cmp(a.address)))
        .map(|c| c.address)?;
    let (severity, strength) = match (pairs.len(), heavy) {
        (3.., _) | (_, true) => (Severity::Medium, 100),
        (2, false) => (Severity::Low, 60),
        _ => (Severity::Low, 35),
    };
    let mut evidence = Vec::new();
    for pair in pairs.iter().take(5) {
        evidence.push(evidence::address_noting(
            ctx,
            "two-way counterparty",
            pair.address,
            format!(
                "{} sent to it, {} received from it",
                plural(pair.direct_sent as usize, "transfer"),
                pair.direct_received
            ),
        ));
    }
    evidence.push(Evidence::count("wallets with flows both ways", pairs.len()));
    evidence
        .extend(evidence::signatures("transaction", pairs.iter().flat_map(|c| c.signatures.iter().copied())));
    Some(
        TWO_WAY_INFO
            .finding(severity, strength)
            .about(ctx.party(main_partner))
            .confidence(85)
            .explanation(format!(
                "This wallet both sends to and receives from {}. Money moving back and forth between the same addresses is the first thing clustering tools look for: it suggests the wallets belong to the same person or to people who know each other, and links their histories.",
                plural(pairs.len(), "wallet")
            ))
            .recommendation("Don't move funds back and forth between wallets you want kept apart; if a wallet of yours needs topping up, fund it from a source that isn't linked to where its funds go.")
            .evidence(evidence)
            .build(),
    )
}
