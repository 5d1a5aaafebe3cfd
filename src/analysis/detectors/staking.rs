//! Native staking. Stake accounts name their authority, and the choice of
//! validator — especially a small one — is a habit that links wallets.

use std::collections::BTreeSet;

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::domain::history::Event;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const DELEGATION: Detector = Detector { info: &DELEGATION_INFO, detect: delegation };

static DELEGATION_INFO: DetectorInfo = DetectorInfo {
    id: "staking.delegation",
    title: "Stake delegated from this wallet",
    category: Category::Staking,
    looks_at: "Stake delegations in executed transactions where this wallet is the stake authority, a signer, or the owner of the stake account (its staker or withdrawer). Moving SOL into or out of the wallet's own stake accounts is the wallet's own money, not a payment. Any delegation is low: 3 points, 5 when the wallet's stake is spread over two or more validators (a more distinctive pattern).",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Liquid staking (mSOL, jitoSOL …) is a token swap and is not counted. Kimiko does not know how many delegators a validator has, so it cannot say how distinctive the choice is.",
};

fn delegation(ctx: &Context) -> Option<Finding> {
    let mut validators: BTreeSet<&str> = BTreeSet::new();
    let mut stake_accounts: BTreeSet<&str> = BTreeSet::new();
    let mut signatures: Vec<&str> = Vec::new();
    for tx in ctx.successful() {
        let signed = tx.signers.iter().any(|s| s == ctx.wallet);
        for event in &tx.events {
            if let Event::StakeDelegated { stake_account, vote_account, authority } = event
                && (signed || authority == ctx.wallet || ctx.is_own_stake_account(stake_account))
            {
                validators.insert(vote_account);
                stake_accounts.insert(stake_account);
                signatures.push(&tx.signature);
            }
        }
    }
    if validators.is_empty() {
        return None;
    }
    let mut evidence: Vec<Evidence> =
        validators.iter().take(5).map(|v| evidence::address(ctx, "validator vote account", v)).collect();
    evidence.extend(stake_accounts.iter().take(5).map(|s| Evidence::address("stake account", *s)));
    evidence.extend(evidence::signatures("delegation", signatures));
    Some(
        DELEGATION_INFO
            .finding(Severity::Low, if validators.len() >= 2 { 100 } else { 60 })
            .confidence(90)
            .explanation(format!(
                "This wallet delegated stake to {} through {}. Each stake account publicly names its authority, so it is tied to this wallet, and the choice of validators is a habit that can link your other wallets if they stake the same way.",
                plural(validators.len(), "validator"),
                plural(stake_accounts.len(), "stake account")
            ))
            .recommendation("Staking is fine; if you stake from several wallets you want kept apart, give each its own validator choice or use a liquid staking token.")
            .evidence(evidence)
            .build(),
    )
}
