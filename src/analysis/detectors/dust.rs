//! Tiny unsolicited transfers. Dust marks a wallet for tracking, and dust
//! from an address that mimics one the wallet really uses is address
//! poisoning: it waits for the owner to copy the wrong address from history.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::context::{Context, other_side};
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::domain::{Category, Evidence, Finding, Severity};

use super::is_dust;

pub const RECEIVED: Detector = Detector { info: &RECEIVED_INFO, detect: received };

/// Characters at each end that wallet apps show and people compare.
const LOOKALIKE_ENDS: usize = 4;

static RECEIVED_INFO: DetectorInfo = DetectorInfo {
    id: "dust.received",
    title: "Dust or address-poisoning transfers received",
    category: Category::Dust,
    looks_at: "Incoming transfers of dust — under 0.0001 SOL, or under 0.0001 of a token (zero-amount token transfers included) — from addresses other than the wallet. Dust alone is low (3 points, 4 from three senders). Dust from an address whose first and last 4 characters match an address the wallet really transacted with (a non-dust transfer) is address poisoning: medium (8).",
    severity: Severity::Medium,
    max_penalty: 8,
    limits: "Some airdrops and refunds are tiny but legitimate. Look-alikes are matched on the ends wallet apps display (4 characters each); an attacker who matched fewer characters is not caught.",
};

fn received(ctx: &Context) -> Option<Finding> {
    let mut dust_by_sender: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut real: BTreeSet<&str> = BTreeSet::new();
    for (tx, transfer) in ctx.wallet_transfers() {
        let Some((other, outgoing)) = other_side(ctx.wallet, transfer) else {
            continue;
        };
        if !outgoing && is_dust(transfer) {
            dust_by_sender.entry(other).or_default().push(&tx.signature);
        } else if !is_dust(transfer) {
            real.insert(other);
        }
    }
    if dust_by_sender.is_empty() {
        return None;
    }
    let poisoners: Vec<(&str, &str)> = dust_by_sender
        .keys()
        .filter(|sender| !real.contains(*sender))
        .filter_map(|sender| real.iter().find(|r| looks_like(sender, r)).map(|r| (*sender, *r)))
        .collect();
    let transfers: usize = dust_by_sender.values().map(Vec::len).sum();
    let (severity, strength) = match (poisoners.len(), dust_by_sender.len()) {
        (1.., _) => (Severity::Medium, 100),
        (0, 3..) => (Severity::Low, 50),
        _ => (Severity::Low, 35),
    };
    let mut evidence = Vec::new();
    for (fake, genuine) in poisoners.iter().take(3) {
        evidence.push(evidence::address_noting(
            ctx,
            "look-alike sender",
            fake,
            format!("imitates {genuine}"),
        ));
        evidence.push(evidence::address(ctx, "real counterparty it imitates", genuine));
    }
    evidence.push(Evidence::count("dust transfers received", transfers));
    evidence.push(Evidence::count("dust senders", dust_by_sender.len()));
    let signatures = poisoners
        .iter()
        .flat_map(|(fake, _)| dust_by_sender[fake].iter().copied())
        .chain(dust_by_sender.values().flatten().copied());
    evidence.extend(evidence::signatures("dust transaction", signatures));
    let poisoning = if poisoners.is_empty() {
        String::new()
    } else {
        format!(
            " {} of the senders imitate{} an address this wallet really dealt with (same first and last {LOOKALIKE_ENDS} characters): that is address poisoning, waiting for you to copy the fake address from your history and send funds to it.",
            plural(poisoners.len(), "address"),
            if poisoners.len() == 1 { "s" } else { "" }
        )
    };
    Some(
        RECEIVED_INFO
            .finding(severity, strength)
            .confidence(if poisoners.is_empty() { 70 } else { 90 })
            .explanation(format!(
                "This wallet received {} from {}. Dust is sent to mark wallets and see where their funds go next.{poisoning}",
                plural(transfers, "dust transfer"),
                plural(dust_by_sender.len(), "sender")
            ))
            .recommendation("Don't move or interact with dust, and never copy an address from your transaction history: use your address book or check every character. Most wallets let you hide dust tokens.")
            .evidence(evidence)
            .build(),
    )
}

/// Same first and last characters, but not the same address.
fn looks_like(candidate: &str, real: &str) -> bool {
    let ends = |s: &str| -> Option<(String, String)> {
        let chars: Vec<char> = s.chars().collect();
        (chars.len() > 2 * LOOKALIKE_ENDS).then(|| {
            (chars[..LOOKALIKE_ENDS].iter().collect(), chars[chars.len() - LOOKALIKE_ENDS..].iter().collect())
        })
    };
    candidate != real && ends(candidate).is_some_and(|e| Some(e) == ends(real))
}
