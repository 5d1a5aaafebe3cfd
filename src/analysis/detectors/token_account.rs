//! Token accounts carry rent, and who pays it in (on creation) and who gets
//! it back (on closing) is recorded on chain: both tie the wallet to the
//! other party as plainly as a transfer, but are easy to overlook.

use std::collections::BTreeMap;

use crate::analysis::address::could_be_wallet;
use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::domain::history::Event;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const CREATED_FOR_OTHERS: Detector =
    Detector { info: &CREATED_FOR_OTHERS_INFO, detect: created_for_others };
pub const RENT_REFUND_LINK: Detector = Detector { info: &RENT_REFUND_LINK_INFO, detect: rent_refund_link };

static CREATED_FOR_OTHERS_INFO: DetectorInfo = DetectorInfo {
    id: "token_account.created_for_others",
    title: "Wallet paid for other wallets' token accounts",
    category: Category::TokenAccount,
    looks_at: "Token accounts (associated or plain) really created in executed transactions — not a `createIdempotent` on an account that already existed — with this wallet paying the rent and another wallet as owner. Owners that are program-derived addresses (pools, bonding curves, escrows) are not wallets and are left out. One owner is low (4 points), two low (7), three or more medium (10).",
    severity: Severity::Medium,
    max_penalty: 10,
    limits: "Wallet apps create the recipient's token account automatically when you send a token to someone new, so this often repeats a link the transfer already shows; it stays on chain after the account is closed, though.",
};

static RENT_REFUND_LINK_INFO: DetectorInfo = DetectorInfo {
    id: "token_account.rent_refund_link",
    title: "Token account rent refunded across wallets",
    category: Category::TokenAccount,
    looks_at: "Closed token accounts whose rent went to a different wallet than their owner: this wallet's accounts refunded elsewhere, or other wallets' accounts refunded here (program-derived addresses are not wallets and are left out). One other wallet is medium (8 points), two or more medium (12).",
    severity: Severity::Medium,
    max_penalty: 12,
    limits: "Only closings with a parsed owner are counted. Some programs close temporary accounts and refund a service's fee wallet, which links you to that service rather than to a person.",
};

fn created_for_others(ctx: &Context) -> Option<Finding> {
    let mut owners: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for tx in ctx.successful() {
        for event in &tx.events {
            // A program-derived owner (a pool, a bonding curve, an escrow)
            // is no other wallet: paying its rent is part of using the program.
            if let Event::TokenAccountCreated { owner, payer, .. } = event
                && payer == ctx.wallet
                && owner != ctx.wallet
                && could_be_wallet(owner)
            {
                let signatures = owners.entry(owner.as_str()).or_default();
                if signatures.last() != Some(&tx.signature.as_str()) {
                    signatures.push(&tx.signature);
                }
            }
        }
    }
    if owners.is_empty() {
        return None;
    }
    let (severity, strength) = match owners.len() {
        1 => (Severity::Low, 40),
        2 => (Severity::Low, 70),
        _ => (Severity::Medium, 100),
    };
    let evidence = linked_wallets(ctx, "owner of an account this wallet paid for", &owners);
    Some(
        CREATED_FOR_OTHERS_INFO
            .finding(severity, strength)
            .confidence(90)
            .explanation(format!(
                "This wallet paid the rent to open token accounts for {}. The payer of an account's rent is recorded with it, so each of those wallets is publicly tied to this one — even after the tokens have moved on.",
                plural(owners.len(), "other wallet")
            ))
            .recommendation("Let recipients open their own token accounts, or send from a wallet that is not otherwise linked to you.")
            .evidence(evidence)
            .build(),
    )
}

fn rent_refund_link(ctx: &Context) -> Option<Finding> {
    let mut others: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let (mut sent_away, mut received) = (0, 0);
    for tx in ctx.successful() {
        for event in &tx.events {
            let Event::TokenAccountClosed { destination, owner, .. } = event else {
                continue;
            };
            if owner.is_empty() || owner == destination {
                continue;
            }
            let other_side = if owner == ctx.wallet { destination } else { owner };
            if !could_be_wallet(other_side) {
                continue;
            }
            let other = if owner == ctx.wallet {
                sent_away += 1;
                destination
            } else if destination == ctx.wallet {
                received += 1;
                owner
            } else {
                continue;
            };
            others.entry(other.as_str()).or_default().push(&tx.signature);
        }
    }
    if others.is_empty() {
        return None;
    }
    let strength = if others.len() >= 2 { 100 } else { 60 };
    let mut evidence = linked_wallets(ctx, "wallet on the other side of a rent refund", &others);
    evidence.insert(0, Evidence::count("this wallet's accounts refunded elsewhere", sent_away));
    evidence.insert(1, Evidence::count("other wallets' accounts refunded here", received));
    Some(
        RENT_REFUND_LINK_INFO
            .finding(Severity::Medium, strength)
            .confidence(90)
            .explanation(format!(
                "When a token account is closed its rent goes to an address the owner chooses. Here rent moved between this wallet and {}. Closing accounts of one wallet to another is a well-known way clustering tools tie wallets to the same owner.",
                plural(others.len(), "other wallet")
            ))
            .recommendation("Close a wallet's token accounts back to that same wallet; never sweep rent from several wallets into one.")
            .evidence(evidence)
            .build(),
    )
}

/// Evidence for each linked wallet with how often, then the transactions.
fn linked_wallets(ctx: &Context, label: &str, wallets: &BTreeMap<&str, Vec<&str>>) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = wallets
        .iter()
        .take(5)
        .map(|(wallet, signatures)| {
            evidence::address_noting(ctx, label, wallet, plural(signatures.len(), "time"))
        })
        .collect();
    evidence.push(Evidence::count("wallets linked this way", wallets.len()));
    evidence.extend(evidence::signatures("transaction", wallets.values().flat_map(|s| s.iter().copied())));
    evidence
}
