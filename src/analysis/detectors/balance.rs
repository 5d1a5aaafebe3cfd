//! What the wallet holds now. A balance is public, and a large one makes
//! the owner a target once the wallet is tied to them.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, sol_to_lamports};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const EXPOSURE: Detector = Detector { info: &EXPOSURE_INFO, detect: exposure };

static EXPOSURE_INFO: DetectorInfo = DetectorInfo {
    id: "balance.exposure",
    title: "Large public balance",
    category: Category::Balance,
    looks_at: "The wallet's current SOL balance and how many token accounts it holds. 1,000 SOL or more is medium (8 points); 100 SOL or more, low (4); 10 SOL or more is reported for information only (no points).",
    severity: Severity::Medium,
    max_penalty: 8,
    limits: "Token balances are counted but not valued (Kimiko has no price feed), and staked SOL in separate stake accounts is not included.",
};

fn exposure(ctx: &Context) -> Option<Finding> {
    let lamports = ctx.history.balance_lamports?;
    let (severity, strength) = match lamports {
        l if l >= sol_to_lamports(1_000) => (Severity::Medium, 100),
        l if l >= sol_to_lamports(100) => (Severity::Low, 50),
        l if l >= sol_to_lamports(10) => (Severity::Info, 0),
        _ => return None,
    };
    let holdings = ctx.history.token_accounts.iter().filter(|h| h.amount > 0).count();
    Some(
        EXPOSURE_INFO
            .finding(severity, strength)
            .confidence(95)
            .explanation(format!(
                "This wallet holds {} and {holdings} token balance{}. Balances are public: anyone who links this wallet to you also learns what you own, which makes you a target for phishing, extortion or worse.",
                evidence::sol(lamports),
                if holdings == 1 { "" } else { "s" }
            ))
            .recommendation("Keep savings in a wallet that never transacts with the wallets you use publicly, and fund day-to-day wallets with only what you need.")
            .evidence([
                Evidence::amount("SOL balance", evidence::sol(lamports)),
                Evidence::count("token accounts with a balance", holdings),
            ])
            .build(),
    )
}
