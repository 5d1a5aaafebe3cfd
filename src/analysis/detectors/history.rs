//! How much there is to read. Every transaction is another clue, and an old,
//! busy wallet has usually leaked something somewhere.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::time::format_date;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const SIZE: Detector = Detector { info: &SIZE_INFO, detect: size };

static SIZE_INFO: DetectorInfo = DetectorInfo {
    id: "history.size",
    title: "Long public history",
    category: Category::History,
    looks_at: "How many transactions the wallet has (up to the history cap) and the time they span. Under 100 is reported for information only (no points); 100–499 is low (4 points); 500–999 low (6); 1,000 or more, or more than the cap could read, medium (10).",
    severity: Severity::Medium,
    max_penalty: 10,
    limits: "Counts transactions, not what they reveal; the other findings say what leaks. Kimiko reads at most the history cap (1,000 by default), so beyond it the count is a lower bound.",
};

fn size(ctx: &Context) -> Option<Finding> {
    let found = ctx.history.signatures.len().max(ctx.transactions().len());
    if found == 0 {
        return None;
    }
    let truncated = ctx.history.history_truncated;
    let (severity, strength) = match found {
        _ if truncated => (Severity::Medium, 100),
        1_000.. => (Severity::Medium, 100),
        500..1_000 => (Severity::Low, 60),
        100..500 => (Severity::Low, 40),
        _ => (Severity::Info, 0),
    };
    let count = if truncated { format!("more than {found}") } else { found.to_string() };
    let (start, end) = ctx.window();
    let span = match (start, end) {
        (Some(start), Some(end)) => {
            format!(", from {} to {}", format_date(start), format_date(end))
        }
        _ => String::new(),
    };
    let mut evidence = vec![
        Evidence::count("transactions found", count.clone()),
        Evidence::count("transactions analysed", ctx.transactions().len()),
    ];
    if let (Some(start), Some(end)) = (start, end) {
        evidence.push(Evidence::time("oldest analysed", format_date(start)));
        evidence.push(Evidence::time("newest analysed", format_date(end)));
    }
    Some(
        SIZE_INFO
            .finding(severity, strength)
            .confidence(if truncated { 80 } else { 95 })
            .explanation(format!(
                "This wallet has {count} transactions on record{span}. The history is public and permanent: every transaction is one more chance that a counterparty, an amount, a memo or a time gives its owner away, and the longer a wallet is used, the more of its owner's life it links together."
            ))
            .recommendation("Use separate wallets for separate purposes and retire a wallet once it has been linked to you, instead of using one address for everything.")
            .evidence(evidence)
            .build(),
    )
}
