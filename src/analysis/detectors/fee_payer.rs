//! Who pays the wallet's fees. The fee payer signs first in every
//! transaction it sponsors, so a wallet whose fees someone else pays is
//! publicly tied to that payer.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, plural, tally};
use crate::analysis::labels::LabelKind;
use crate::analysis::transfers::paid_by_swap_service;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const EXTERNAL: Detector = Detector { info: &EXTERNAL_INFO, detect: external };

static EXTERNAL_INFO: DetectorInfo = DetectorInfo {
    id: "fee_payer.external",
    title: "Someone else pays this wallet's fees",
    category: Category::FeePayer,
    looks_at: "Transactions the wallet signed (failed ones too: their fee is still paid) whose fee payer is another address. When one unlabelled payer sponsors 50% or more of them it is high (20 points); 20–49%, medium (12); fewer, low (6). A payer labelled as a gasless fee relayer is reported as \"a service paid your fees\", low (3 points); one labelled as another known service, low (6).",
    severity: Severity::High,
    max_penalty: 20,
    limits: "Sponsored transactions from wallet apps and relayers are normal; Kimiko only knows relayers that are in its label set (few operators publish their fee payers), so an unlabelled relayer is reported like a person's wallet. A swap whose fee someone else paid is not counted at all: a JupiterZ (RFQ) market maker always pays the fee of the fills it makes, and Jupiter's gasless support or an integrator's payer pays for swaps through its router; none of them is a person tied to the wallet.",
};

fn external(ctx: &Context) -> Option<Finding> {
    let own: Vec<_> = ctx.own().collect();
    let sponsored: Vec<_> =
        own.iter().filter(|tx| tx.fee_payer != ctx.wallet && !paid_by_swap_service(tx, ctx.wallet)).collect();
    if sponsored.is_empty() {
        return None;
    }
    let payers = tally(sponsored.iter().map(|tx| tx.fee_payer.as_str()));
    let (top, top_count) = payers[0];
    let share = percent(top_count, own.len());
    // A labelled service (a gasless relayer above all) pays for many
    // wallets: on chain it ties this one to the service, not to a person.
    let service = ctx.label(top).filter(|l| l.kind != LabelKind::Exchange);
    let (severity, strength) = match (service.map(|l| l.kind), share) {
        (Some(LabelKind::Relayer), _) => (Severity::Low, 15),
        (Some(_), _) => (Severity::Low, 30),
        (None, 50..) => (Severity::High, 100),
        (None, 20..50) => (Severity::Medium, 60),
        (None, _) => (Severity::Low, 30),
    };
    let who = evidence::name(ctx, top);
    let sponsored_part = format!(
        "{} of the {} this wallet signed had their fees paid by another address — {share}% by {who} alone.",
        sponsored.len(),
        plural(own.len(), "transaction")
    );
    let (explanation, recommendation) = match service {
        Some(label) => (
            format!(
                "{sponsored_part} {who} is a known {}: a service paid your fees. Many wallets use it, so on chain it ties this wallet to the service rather than to a person; the service itself saw these transactions and, usually, the app and connection that asked it to pay.",
                label.kind.describe()
            ),
            "Nothing to fix on chain. If you'd rather the service did not see your activity, keep a little SOL in this wallet and pay its fees yourself.",
        ),
        None => (
            format!(
                "{sponsored_part} The fee payer signs every such transaction, so anyone can see that {who} sponsors this wallet; whoever controls it is very likely the same person or works with them."
            ),
            "Keep some SOL in this wallet and pay its fees yourself. If you must use a sponsor, use a public relayer shared by many users rather than a wallet of your own.",
        ),
    };
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
            .confidence(if service.is_some() { 60 } else { 90 })
            .explanation(explanation)
            .recommendation(recommendation)
            .evidence(evidence)
            .build(),
    )
}
