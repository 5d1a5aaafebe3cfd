//! Who pays the wallet's fees. The fee payer signs first in every
//! transaction it sponsors, so a wallet whose fees someone else pays is
//! publicly tied to that payer.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, plural};
use crate::analysis::labels::LabelKind;
use crate::domain::{Category, Evidence, Finding, Severity};

use super::tally;

pub const EXTERNAL: Detector = Detector { info: &EXTERNAL_INFO, detect: external };

static EXTERNAL_INFO: DetectorInfo = DetectorInfo {
    id: "fee_payer.external",
    title: "Someone else pays this wallet's fees",
    category: Category::FeePayer,
    looks_at: "Transactions the wallet signed (failed ones too: their fee is still paid) whose fee payer is another address. When one unlabelled payer sponsors 50% or more of them it is high (20 points); 20–49%, medium (12); fewer, low (6). A payer labelled as a known service (a gasless relayer) counts as low.",
    severity: Severity::High,
    max_penalty: 20,
    limits: "Sponsored transactions from wallet apps and relayers are normal; Kimiko only knows relayers that are in its label set, so an unlabelled relayer is reported like a person's wallet.",
};

fn external(ctx: &Context) -> Option<Finding> {
    let own: Vec<_> = ctx.own().collect();
    let sponsored: Vec<_> = own.iter().filter(|tx| tx.fee_payer != ctx.wallet).collect();
    if sponsored.is_empty() {
        return None;
    }
    let payers = tally(sponsored.iter().map(|tx| tx.fee_payer.as_str()));
    let (top, top_count) = payers[0];
    let share = percent(top_count, own.len());
    let service = ctx.label(top).is_some_and(|l| l.kind != LabelKind::Exchange);
    let (severity, strength) = match share {
        _ if service => (Severity::Low, 30),
        50.. => (Severity::High, 100),
        20..50 => (Severity::Medium, 60),
        _ => (Severity::Low, 30),
    };
    let who = evidence::name(ctx, top);
    let mut evidence: Vec<Evidence> = payers
        .iter()
        .take(3)
        .map(|(payer, count)| {
            evidence::address_noting(
                ctx,
                "fee payer",
                payer,
                format!("paid for {}", plural(*count, "transaction")),
            )
        })
        .collect();
    evidence.push(Evidence::count("transactions signed by the wallet", own.len()));
    evidence.push(Evidence::count("paid by someone else", sponsored.len()));
    evidence.extend(evidence::signatures(
        "sponsored transaction",
        sponsored.iter().rev().map(|tx| tx.signature.as_str()),
    ));
    Some(
        EXTERNAL_INFO
            .finding(severity, strength)
            .about(ctx.party(top))
            .confidence(if service { 60 } else { 90 })
            .explanation(format!(
                "{} of the {} this wallet signed had their fees paid by another address — {share}% by {who} alone. The fee payer signs every such transaction, so anyone can see that {who} sponsors this wallet; whoever controls it is very likely the same person or works with them.",
                sponsored.len(),
                plural(own.len(), "transaction")
            ))
            .recommendation("Keep some SOL in this wallet and pay its fees yourself. If you must use a sponsor, use a public relayer shared by many users rather than a wallet of your own.")
            .evidence(evidence)
            .build(),
    )
}
