//! Co-signers. A second key that signs most of the wallet's transactions
//! (a multisig partner, a custody service, a bot's key) is tied to it as
//! firmly as a fee payer.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, plural, tally};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const OVERLAP: Detector = Detector { info: &OVERLAP_INFO, detect: overlap };

/// Fewer own transactions than this say nothing about "most".
const MIN_TRANSACTIONS: usize = 3;

static OVERLAP_INFO: DetectorInfo = DetectorInfo {
    id: "signer.overlap",
    title: "Another key co-signs most transactions",
    category: Category::Signer,
    looks_at: "The other signers of the transactions the wallet signed (at least 3), not counting the fee payer (see the fee payer finding). A co-signer in 80% or more of them is medium (15 points); in 50–79%, low (9).",
    severity: Severity::Medium,
    max_penalty: 15,
    limits: "Keys created for one transaction only (a new mint or stake account) never reach the threshold. A co-signer may be a service shared by many users, which links less than a personal key.",
};

fn overlap(ctx: &Context) -> Option<Finding> {
    let own: Vec<_> = ctx.own().collect();
    if own.len() < MIN_TRANSACTIONS {
        return None;
    }
    let cosigners = tally(own.iter().flat_map(|tx| {
        tx.signers.iter().map(String::as_str).filter(move |s| *s != ctx.wallet && *s != tx.fee_payer)
    }));
    let &(top, count) = cosigners.first()?;
    let share = percent(count, own.len());
    let (severity, strength) = match share {
        80.. => (Severity::Medium, 100),
        50..80 => (Severity::Low, 60),
        _ => return None,
    };
    let with_it: Vec<&str> = own
        .iter()
        .rev()
        .filter(|tx| tx.signers.iter().any(|s| s == top))
        .map(|tx| tx.signature.as_str())
        .collect();
    let who = evidence::name(ctx, top);
    let mut evidence = vec![
        evidence::address(ctx, "co-signer", top),
        Evidence::count("transactions it co-signed", count),
        Evidence::count("transactions signed by the wallet", own.len()),
    ];
    evidence.extend(evidence::signatures("co-signed transaction", with_it));
    Some(
        OVERLAP_INFO
            .finding(severity, strength)
            .about(ctx.party(top))
            .confidence(85)
            .explanation(format!(
                "{who} signed {share}% of this wallet's transactions ({count} of {}) alongside it. Signatures are public: whoever holds that key is tied to this wallet, and every other wallet it co-signs for is linked to this one.",
                plural(own.len(), "transaction")
            ))
            .recommendation("If the co-signer is a multisig partner or custody service, keep it for that purpose only and use a different key set for activity you want unlinked. If you don't recognise it, check which app adds it.")
            .evidence(evidence)
            .build(),
    )
}
