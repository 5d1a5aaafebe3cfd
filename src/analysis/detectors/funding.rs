//! Who first put SOL into the wallet. A wallet's first funder is the first
//! thing anyone tracing it looks at: it is where the money came from.

use super::is_dust;
use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence;
use crate::analysis::labels::LabelKind;
use crate::analysis::time::format_utc;
use crate::domain::history::{Event, Transaction};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const SOURCE: Detector = Detector { info: &SOURCE_INFO, detect: source };

static SOURCE_INFO: DetectorInfo = DetectorInfo {
    id: "funding.source",
    title: "First funded by a traceable source",
    category: Category::Funding,
    looks_at: "The oldest executed transaction in the history that brought SOL into the wallet (a transfer of more than dust to it, or the creation of the account with SOL). Funding straight from an exchange is high (20 points); from another labelled service, medium (10); from an unlabelled wallet, low (5), because that wallet's own history is one click away.",
    severity: Severity::High,
    max_penalty: 20,
    limits: "When the wallet has more history than Kimiko reads (the history cap), the oldest transaction read is not necessarily the first, so the finding is reported with low confidence. A wallet first funded with tokens only (its fees paid by someone else) has no SOL funder here; see the fee payer finding.",
};

/// The first funding of the wallet: who, how much, in which transaction.
pub struct Funding<'a> {
    pub funder: &'a str,
    pub lamports: u64,
    pub tx: &'a Transaction,
}

/// The oldest executed transaction that brought SOL in from someone else.
pub fn first_funding<'a>(ctx: &Context<'a>) -> Option<Funding<'a>> {
    ctx.history.transactions.iter().rev().filter(|tx| !tx.failed).find_map(|tx| {
        sol_received(tx, ctx.wallet).map(|(funder, lamports)| Funding { funder, lamports, tx })
    })
}

/// Who put SOL into `address` in `tx`, and how much: a transfer of more
/// than dust from someone else, or the creation of the account with SOL.
/// The same rule reads the wallet's own funding and its funders' (the
/// funding chain).
pub fn sol_received<'t>(tx: &'t Transaction, address: &str) -> Option<(&'t str, u64)> {
    let transfer = tx
        .transfers
        .iter()
        // Dust is what strangers send to mark a wallet, not money it runs on.
        .find(|t| t.is_sol() && t.to == address && t.from != address && !is_dust(t))
        .map(|t| (t.from.as_str(), t.amount));
    let created = tx.events.iter().find_map(|event| match event {
        Event::AccountCreated { source, new_account, lamports, .. }
            if new_account == address && source != address && *lamports > 0 =>
        {
            Some((source.as_str(), *lamports))
        }
        _ => None,
    });
    transfer.or(created)
}

fn source(ctx: &Context) -> Option<Finding> {
    let funding = first_funding(ctx)?;
    let label = ctx.label(funding.funder);
    let who = evidence::name(ctx, funding.funder);
    let (severity, strength, why, recommendation) = match label.map(|l| l.kind) {
        Some(LabelKind::Exchange) => (
            Severity::High,
            100,
            format!(
                "{who} is an exchange: it knows which customer withdrew to this address, so the wallet is tied to a verified identity from its very first transaction."
            ),
            "Don't withdraw from an exchange straight into a wallet you want kept private. Withdraw to an intermediate wallet first, wait, and move on amounts that don't match the withdrawal.",
        ),
        Some(kind) => (
            Severity::Medium,
            50,
            format!(
                "{who} is a known {}; its records and public history show where this wallet's money came from.",
                kind.describe()
            ),
            "Fund wallets you want kept separate from sources that don't link back to you, and don't reuse the same source for several of them.",
        ),
        None => (
            Severity::Low,
            25,
            format!(
                "Anyone can open the funding wallet ({who}) and follow its history; if it is yours, or funds your other wallets too, they are linked."
            ),
            "Fund a wallet you want kept separate from a source that funds none of your other wallets.",
        ),
    };
    let confidence = match (ctx.history.history_truncated, label) {
        (true, _) => 35,
        (false, Some(label)) => label.confidence.min(90),
        (false, None) => 90,
    };
    let certainty = if ctx.history.history_truncated {
        " Kimiko could not read this wallet's whole history, so this is the oldest funding found, not necessarily the first."
    } else {
        ""
    };
    let mut evidence = vec![
        evidence::address(ctx, "first funder", funding.funder),
        Evidence::amount("first funding", evidence::sol(funding.lamports)),
        Evidence::signature("funding transaction", funding.tx.signature.as_str()),
    ];
    if let Some(time) = funding.tx.block_time {
        evidence.push(Evidence::time("funded at", format_utc(time)));
    }
    Some(
        SOURCE_INFO
            .finding(severity, strength)
            .about(ctx.party(funding.funder))
            .confidence(confidence)
            .explanation(format!(
                "This wallet's first SOL ({}) came from {who}. {why}{certainty}",
                evidence::sol(funding.lamports)
            ))
            .recommendation(recommendation)
            .evidence(evidence)
            .build(),
    )
}
