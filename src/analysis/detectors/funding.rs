//! Who first put SOL into the wallet. A wallet's first funder is the first
//! thing anyone tracing it looks at: it is where the money came from.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence;
use crate::analysis::labels::LabelKind;
use crate::analysis::time::format_utc;
use crate::analysis::transfers::sol_received;
use crate::domain::history::Transaction;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const SOURCE: Detector = Detector { info: &SOURCE_INFO, detect: source };
pub const OUT_OF_VIEW: Detector = Detector { info: &OUT_OF_VIEW_INFO, detect: out_of_view };

static SOURCE_INFO: DetectorInfo = DetectorInfo {
    id: "funding.source",
    title: "First funded by a traceable source",
    category: Category::Funding,
    looks_at: "The oldest executed transaction in the history that brought SOL into the wallet (a transfer of more than dust to it, or the creation of the account with SOL). Funding straight from an exchange is high (20 points); from another labelled service, medium (10); from an unlabelled wallet, low (5), because that wallet's own history is one click away.",
    severity: Severity::High,
    max_penalty: 20,
    limits: "When the oldest transaction Kimiko can read already starts with SOL in the wallet, the first funding is out of view (history the provider no longer serves, or past the history cap) and no first funder is named (see \"First funding not in view\"). When the wallet has more history than Kimiko reads and the balance before its oldest transaction is not known, the finding is reported with low confidence. A wallet first funded with tokens only (its fees paid by someone else) has no SOL funder here; see the fee payer finding.",
};

static OUT_OF_VIEW_INFO: DetectorInfo = DetectorInfo {
    id: "funding.out_of_view",
    title: "First funding not in view",
    category: Category::Funding,
    looks_at: "The wallet's SOL balance just before the oldest transaction Kimiko could read. When it is above zero, the wallet was funded before that transaction, in history the provider no longer serves or past the history cap, so the report names no first funder (and follows no funding chain); the oldest SOL seen coming in is listed as such. A note, no points.",
    severity: Severity::Info,
    max_penalty: 0,
    limits: "Transactions that name only the wallet's token accounts do not show its SOL balance; the oldest one that names the wallet is used.",
};

/// The oldest transaction read that shows the wallet's balance before it,
/// when that balance was above zero: the wallet already held SOL, so its
/// first funding is not in the history read.
pub fn funded_before_history<'a>(ctx: &Context<'a>) -> Option<(&'a Transaction, u64)> {
    ctx.history
        .transactions
        .iter()
        .rev()
        .find_map(|tx| tx.wallet_lamports_before.map(|before| (tx, before)))
        .filter(|(_, before)| *before > 0)
}

/// The first funding of the wallet: who, how much, in which transaction.
pub struct Funding<'a> {
    pub funder: &'a str,
    pub lamports: u64,
    pub tx: &'a Transaction,
}

/// The wallet's first funding: the oldest executed transaction that
/// brought SOL in from someone else, unless the wallet already held SOL
/// before the oldest transaction read (then the first funding is out of
/// view, and the oldest seen is not it).
pub fn first_funding<'a>(ctx: &Context<'a>) -> Option<Funding<'a>> {
    if funded_before_history(ctx).is_some() {
        return None;
    }
    oldest_funding(ctx)
}

/// The oldest executed transaction read that brought SOL in from someone else.
fn oldest_funding<'a>(ctx: &Context<'a>) -> Option<Funding<'a>> {
    ctx.history.transactions.iter().rev().filter(|tx| !tx.failed).find_map(|tx| {
        sol_received(tx, ctx.wallet).map(|(funder, lamports)| Funding { funder, lamports, tx })
    })
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

fn out_of_view(ctx: &Context) -> Option<Finding> {
    let (oldest, before) = funded_before_history(ctx)?;
    let when = oldest.block_time.map(|at| format!(" ({})", format_utc(at))).unwrap_or_default();
    let mut evidence = vec![
        Evidence::signature("oldest transaction read", oldest.signature.as_str()),
        Evidence::amount("balance before it", evidence::sol(before)),
    ];
    let seen = oldest_funding(ctx).map(|funding| {
        evidence.push(evidence::address_noting(
            ctx,
            "oldest funding seen",
            funding.funder,
            format!("{}, not necessarily the first", evidence::sol(funding.lamports)),
        ));
        format!(
            " The oldest SOL Kimiko saw coming in ({}) came from {}, which is not necessarily where the wallet's money first came from.",
            evidence::sol(funding.lamports),
            evidence::name(ctx, funding.funder)
        )
    });
    Some(
        OUT_OF_VIEW_INFO
            .finding(Severity::Info, 0)
            .confidence(90)
            .explanation(format!(
                "The oldest transaction Kimiko could read{when} already starts with {} in this wallet, so its first funding happened earlier, in history the provider no longer serves or beyond what Kimiko reads. Kimiko names no first funder.{}",
                evidence::sol(before),
                seen.unwrap_or_default()
            ))
            .recommendation("Nothing to fix here; anyone with a full archive of the chain can still see the first funding, so treat it as public.")
            .evidence(evidence)
            .build(),
    )
}
