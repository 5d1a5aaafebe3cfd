//! The privacy analysis: a pure function from a wallet's fetched history to a
//! [`Report`]. No clock, no randomness, no I/O: the same history, labels and
//! analysis time give the same report, byte for byte.
//!
//! Layer: may import `domain` (the history model it reads, program ids) only;
//! never `solana`, `storage` or anything that does I/O.

pub mod activity;
pub mod address;
pub mod context;
pub mod detector;
pub mod detectors;
pub mod evidence;
pub mod hops;
pub mod labels;
pub mod links;
pub mod score;
pub mod time;
pub mod transfers;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use crate::domain::history::WalletHistory;
pub use detector::DetectorInfo;
pub use labels::{Label, LabelKind, Labels};

use crate::domain::neighbourhood::Neighbourhood;
use crate::domain::{LinksFollowed, Report};

/// Bumped whenever a detector, weight or label changes what a report says, so
/// a stored report tells which engine made it.
pub const ANALYZER_VERSION: &str = "2026.12.2";

/// Analyses `history` with `labels`, stamping the report with `analyzed_at`
/// (unix seconds), without looking at any other address.
pub fn analyze(history: &WalletHistory, labels: &Labels, analyzed_at: i64) -> Report {
    analyze_with(history, &Neighbourhood::NONE, labels, analyzed_at)
}

/// Analyses `history` together with what was read about the addresses it
/// is tied to (`neighbourhood`): the funding chain and deposit addresses.
pub fn analyze_with(
    history: &WalletHistory,
    neighbourhood: &Neighbourhood,
    labels: &Labels,
    analyzed_at: i64,
) -> Report {
    let ctx = context::Context::with_neighbourhood(history, neighbourhood, labels);
    let mut findings: Vec<_> = detectors::ALL.iter().filter_map(|detector| (detector.detect)(&ctx)).collect();
    score::sort_findings(&mut findings);
    let score = score::assign_points(&mut findings);
    let grade = crate::domain::Grade::for_score(score);
    let links = links::one_hop(&ctx, &findings);
    let (window_start, window_end) = ctx.window();
    Report {
        wallet: history.wallet.clone(),
        score,
        grade,
        summary: with_vault_note(
            &history.wallet,
            score::summary(score, grade, &findings, ctx.transactions().len(), history.signatures.len()),
        ),
        findings,
        transactions_analyzed: u32::try_from(history.transactions.len()).unwrap_or(u32::MAX),
        transactions_found: u32::try_from(history.signatures.len()).unwrap_or(u32::MAX),
        history_truncated: history.history_truncated,
        window_start,
        window_end,
        balance_lamports: history.balance_lamports,
        activity: activity::activity(&ctx),
        analyzer_version: ANALYZER_VERSION.to_owned(),
        analyzed_at,
        links: {
            let mut links = links;
            hops::merge_links(&mut links, hops::links(&ctx));
            hops::name_hub(&ctx, &mut links);
            links
        },
        links_followed: (neighbourhood.budget > 0 || !neighbourhood.lookups.is_empty()).then(|| {
            LinksFollowed {
                lookups: u32::try_from(neighbourhood.lookups.len()).unwrap_or(u32::MAX),
                rpc_calls: neighbourhood.calls,
                rpc_budget: neighbourhood.budget,
                stopped_early: neighbourhood.stopped_early,
                incomplete: neighbourhood.incomplete,
            }
        }),
        token_account_reads: {
            let reads = history.token_account_reads;
            (reads.read > 0 || reads.skipped > 0).then_some(reads)
        },
        // Set by whoever knows them: the request, the previous report.
        reached_via: None,
        changes: None,
    }
}

/// The lookups the analysis of `history` still needs, given what was
/// already read ([`hops::leads`]): the fetcher's plan, decided here so the
/// detectors and the fetcher follow the same links.
pub fn leads(
    history: &WalletHistory,
    neighbourhood: &Neighbourhood,
    labels: &Labels,
) -> Vec<crate::domain::neighbourhood::LookupKey> {
    hops::leads(&context::Context::with_neighbourhood(history, neighbourhood, labels))
}

/// A smart-wallet vault (Squads and the like) is a program-derived address:
/// it never signs, so its members' memos, timing and habits are not read as
/// its own, and the report must say so rather than look clean.
fn with_vault_note(wallet: &str, summary: String) -> String {
    if address::could_be_wallet(wallet) {
        return summary;
    }
    format!(
        "{summary} This address is program-derived (off the ed25519 curve), such as a smart wallet's vault: it never signs, so what its owners do through the smart wallet (memos, timing, fees) is not seen here; analyse the members' own wallets too."
    )
}
