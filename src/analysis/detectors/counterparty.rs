//! Who the wallet deals with: one dominant counterparty ties the two wallets
//! together as plainly as a shared name.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::domain::{Category, Evidence, Finding, Severity};

use super::MAX_SIGNATURES;

pub const CONCENTRATION: Detector = Detector {
    info: &CONCENTRATION_INFO,
    detect: concentration,
};

/// Below this many transfers a "share" says nothing.
const MIN_TRANSFERS: u32 = 5;

static CONCENTRATION_INFO: DetectorInfo = DetectorInfo {
    id: "counterparty.concentration",
    title: "Most transfers go to one wallet",
    category: Category::Counterparty,
    looks_at: "The share of the wallet's SOL and token transfers that involve its single most frequent counterparty; fires from 40% upwards with at least 5 transfers.",
    severity: Severity::Medium,
    max_penalty: 15,
    limits: "Programs such as DEX pools are counted like wallets; a wallet that mostly trades on one pool shows up here too.",
};

fn concentration(ctx: &Context) -> Option<Finding> {
    let total = ctx.total_transfers();
    let top = ctx.counterparties().first()?;
    if total < MIN_TRANSFERS || top.transfers() < 3 {
        return None;
    }
    let percent = top.transfers() * 100 / total;
    if percent < 40 {
        return None;
    }
    let (severity, strength) = match percent {
        75.. => (Severity::Medium, 100),
        60..75 => (Severity::Medium, 70),
        _ => (Severity::Low, 40),
    };
    let label = ctx.label(top.address).map(|l| l.name.clone());
    let who = label.clone().unwrap_or_else(|| "one address".to_owned());
    let mut address = Evidence::address("top counterparty", top.address);
    if let Some(label) = label {
        address = address.with_detail(label);
    }
    Some(
        CONCENTRATION_INFO
            .finding(severity, strength)
            .confidence(90)
            .explanation(format!(
                "{percent}% of this wallet's transfers ({} of {total}) are with {who}. Anyone looking at either wallet sees the other, and whoever identifies one of you has a strong lead on the other.",
                top.transfers()
            ))
            .recommendation("Use separate wallets for separate relationships, so no single counterparty sees (or reveals) most of your activity.")
            .evidence(
                [
                    address,
                    Evidence::count("transfers with it", top.transfers()),
                    Evidence::count("all transfers", total),
                ]
                .into_iter()
                .chain(top.signatures.iter().take(MAX_SIGNATURES).map(|s| Evidence::signature("transaction", *s))),
            )
            .build(),
    )
}
