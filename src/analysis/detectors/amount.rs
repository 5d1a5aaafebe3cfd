//! The amounts the wallet moves. Round amounts and amounts that recur are
//! easy to recognise again on the next hop, and recurring ones read like a
//! salary, a rent or a subscription.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent, tally};
use crate::domain::history::Transfer;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const ROUND: Detector = Detector { info: &ROUND_INFO, detect: round };
pub const REPEATED: Detector = Detector { info: &REPEATED_INFO, detect: repeated };

const MIN_TRANSFERS: usize = 5;

static ROUND_INFO: DetectorInfo = DetectorInfo {
    id: "amount.round",
    title: "Mostly round amounts",
    category: Category::Amount,
    looks_at: "Direct (top-level) SOL and token transfers to or from the wallet, at least 5; dust, Jito tips and a front-end's or trading bot's fee inside a swap transaction left out. An amount is round when it has at most one decimal place in whole units (2.5 SOL, 100 USDC; for tokens without decimals, a multiple of 10). When half or more are round it is low: 8 points from 80%, 5 below.",
    severity: Severity::Low,
    max_penalty: 8,
    limits: "Prices are often round for good reasons. Values are compared in each token's own units; Kimiko does not convert to dollars, so a round dollar amount paid in SOL is not seen as round.",
};

static REPEATED_INFO: DetectorInfo = DetectorInfo {
    id: "amount.repeated",
    title: "The same amount again and again",
    category: Category::Amount,
    looks_at: "Direct SOL and token transfers to or from the wallet; dust, Jito tips and a front-end's or trading bot's fee inside a swap transaction left out. An exact amount of the same token that occurs 3 or 4 times is low (4 points); 5 or more times, medium (8).",
    severity: Severity::Medium,
    max_penalty: 8,
    limits: "Exact repeats only: amounts that differ by a fee or a cent are not grouped. Fixed prices in an app (a mint price) repeat for everyone who pays them.",
};

/// The owner's own payments: direct, not dust, not a fee or tip.
fn payments<'a>(ctx: &Context<'a>) -> Vec<&'a Transfer> {
    ctx.payments().map(|(_, t)| t).collect()
}

fn is_round(transfer: &Transfer) -> bool {
    // Whole-unit tokens (NFTs, 0 decimals) are round only in tens.
    let tenth = match transfer.decimals {
        0 => 10,
        d => 10u64.saturating_pow(u32::from(d - 1)),
    };
    transfer.amount > 0 && transfer.amount.is_multiple_of(tenth)
}

fn round(ctx: &Context) -> Option<Finding> {
    let payments = payments(ctx);
    if payments.len() < MIN_TRANSFERS {
        return None;
    }
    let round: Vec<&&Transfer> = payments.iter().filter(|t| is_round(t)).collect();
    let share = percent(round.len(), payments.len());
    let strength = match share {
        80.. => 100,
        50..80 => 60,
        _ => return None,
    };
    let mut examples: Vec<String> =
        round.iter().map(|t| evidence::amount(t.amount, t.decimals, t.mint.as_deref())).collect();
    examples.dedup();
    Some(
        ROUND_INFO
            .finding(Severity::Low, strength)
            .confidence(75)
            .explanation(format!(
                "{share}% of this wallet's direct transfers ({} of {}) are round amounts. A round amount is easy to spot again when it reappears in another wallet minutes later, which is how funds are followed across hops.",
                round.len(),
                payments.len()
            ))
            .recommendation("When moving funds between your own wallets, use uneven amounts and don't forward exactly what you received.")
            .evidence(
                [
                    Evidence::count("round transfers", round.len()),
                    Evidence::count("direct transfers", payments.len()),
                ]
                .into_iter()
                .chain(examples.into_iter().take(5).map(|e| Evidence::amount("example", e))),
            )
            .build(),
    )
}

fn repeated(ctx: &Context) -> Option<Finding> {
    let payments = payments(ctx);
    let groups = tally(payments.iter().map(|t| (t.mint.as_deref(), t.amount, t.decimals)));
    let repeats: Vec<_> = groups.iter().filter(|(_, count)| *count >= 3).collect();
    let &&((mint, amount, decimals), count) = repeats.first()?;
    let (severity, strength) = if count >= 5 { (Severity::Medium, 100) } else { (Severity::Low, 50) };
    let shown = evidence::amount(amount, decimals, mint);
    let signatures: Vec<&str> = ctx
        .payments()
        .filter(|(_, t)| t.amount == amount && t.mint.as_deref() == mint)
        .map(|(tx, _)| tx.signature.as_str())
        .collect();
    let mut evidence =
        vec![Evidence::amount("repeated amount", shown.clone()), Evidence::count("times", count)];
    for ((mint, amount, decimals), count) in repeats.iter().skip(1).take(3) {
        evidence.push(
            Evidence::amount("also repeated", evidence::amount(*amount, *decimals, *mint))
                .with_detail(format!("{count} times")),
        );
    }
    evidence.extend(evidence::signatures("transfer of this amount", signatures));
    Some(
        REPEATED_INFO
            .finding(severity, strength)
            .confidence(80)
            .explanation(format!(
                "This wallet sent or received exactly {shown} {count} times. The same amount over and over reads like a salary, rent or subscription; it ties those payments together and hints at what they are for."
            ))
            .recommendation("For recurring payments you want kept private, vary the amount slightly or pay from a wallet used for nothing else.")
            .evidence(evidence)
            .build(),
    )
}
