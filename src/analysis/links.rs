//! The one-hop link graph: who funded the wallet, whom it pays and is paid
//! by, who co-signs for it and who pays its fees — each as a [`Link`] from
//! the wallet, named when the label set knows the address and tied to the
//! finding that reports it. (Edges further out, along a funding chain or
//! from a deposit address to its exchange, are added by the multi-hop
//! analysis.)
//!
//! It reads the same notions the detectors do: the first funding
//! ([`first_funding`]), the counterparties' direct transfers (so swap legs,
//! service fees and strangers' dust are not relationships), and the rule
//! that a program-derived address is not a person.

use std::collections::BTreeMap;

use super::address::could_be_wallet;
use super::context::{Context, Counterparty, other_side};
use super::detectors::funding::first_funding;
use super::evidence::{plural, sol, tally};
use super::transfers::paid_by_swap_service;
use crate::domain::{EvidenceKind, Finding, Link, LinkKind};

/// Counterparties linked at most: the graph is about the main ones.
pub const MAX_COUNTERPARTIES: usize = 8;
/// Co-signers and fee payers linked at most, each.
pub const MAX_SIGNERS: usize = 3;
/// A key that co-signed only once is usually a one-off (a new mint or
/// stake account), not a relationship.
const MIN_COSIGNED: usize = 2;

/// The wallet's one-hop links, in a fixed order: funder, counterparties
/// (most direct transfers first), co-signers, fee payers.
pub fn one_hop(ctx: &Context, findings: &[Finding]) -> Vec<Link> {
    let mut links = Vec::new();
    // A program account that paid out (a vault, an escrow) is where the
    // money sat, not who sent it: no person to draw.
    if let Some(funding) = first_funding(ctx).filter(|f| could_be_wallet(f.funder)) {
        links.push(link(ctx, findings, funding.funder, LinkKind::FundedBy, sol(funding.lamports)));
    }
    links.extend(counterparties(ctx, findings));
    links.extend(cosigners(ctx, findings));
    links.extend(fee_payers(ctx, findings));
    links
}

fn counterparties(ctx: &Context, findings: &[Finding]) -> Vec<Link> {
    let lamports = sol_paid(ctx);
    let own_accounts: Vec<&str> = ctx.history.token_accounts.iter().map(|h| h.account.as_str()).collect();
    let mut chosen: Vec<&Counterparty> = ctx
        .counterparties()
        .iter()
        .filter(|c| c.direct_transfers() > 0)
        // A program-derived address (a vault, an escrow) is not a person,
        // and the wallet's own token accounts are the wallet.
        .filter(|c| could_be_wallet(c.address) && !own_accounts.contains(&c.address))
        .collect();
    chosen.sort_by(|a, b| b.direct_transfers().cmp(&a.direct_transfers()).then(a.address.cmp(b.address)));
    chosen
        .into_iter()
        .take(MAX_COUNTERPARTIES)
        .map(|c| {
            let (out, into) = lamports.get(c.address).copied().unwrap_or_default();
            let amount =
                |lamports: u64| if lamports > 0 { format!(", {}", sol(lamports)) } else { String::new() };
            let within =
                |lamports: u64| if lamports > 0 { format!(" ({})", sol(lamports)) } else { String::new() };
            match (c.direct_sent, c.direct_received) {
                (0, received) => {
                    // Paid by the counterparty: the edge points at the wallet,
                    // and names the finding about the counterparty.
                    let mut edge = link(
                        ctx,
                        findings,
                        c.address,
                        LinkKind::Pays,
                        format!("{}{}", plural(received as usize, "payment"), amount(into)),
                    );
                    edge.from = c.address.to_owned();
                    edge.to = ctx.wallet.to_owned();
                    edge.label = None;
                    edge
                }
                (sent, 0) => link(
                    ctx,
                    findings,
                    c.address,
                    LinkKind::Pays,
                    format!("{}{}", plural(sent as usize, "payment"), amount(out)),
                ),
                (sent, received) => link(
                    ctx,
                    findings,
                    c.address,
                    LinkKind::TwoWay,
                    format!("{sent} out{}, {received} in{}", within(out), within(into)),
                ),
            }
        })
        .collect()
}

/// SOL the wallet paid to and received from each address in its payments
/// (top-level, not dust, not service fees).
fn sol_paid<'a>(ctx: &Context<'a>) -> BTreeMap<&'a str, (u64, u64)> {
    let mut sums: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (_, transfer) in ctx.payments().filter(|(_, t)| t.is_sol()) {
        let Some((other, outgoing)) = other_side(ctx.wallet, transfer) else { continue };
        let entry = sums.entry(other).or_default();
        let side = if outgoing { &mut entry.0 } else { &mut entry.1 };
        *side = side.saturating_add(transfer.amount);
    }
    sums
}

fn cosigners(ctx: &Context, findings: &[Finding]) -> Vec<Link> {
    let own: Vec<_> = ctx.own().collect();
    let counts = tally(own.iter().flat_map(|tx| {
        tx.signers.iter().map(String::as_str).filter(move |s| *s != ctx.wallet && *s != tx.fee_payer)
    }));
    counts
        .into_iter()
        .filter(|(_, count)| *count >= MIN_COSIGNED)
        .take(MAX_SIGNERS)
        .map(|(signer, count)| {
            let detail = format!("co-signed {count} of {}", plural(own.len(), "transaction"));
            link(ctx, findings, signer, LinkKind::CoSigner, detail)
        })
        .collect()
}

fn fee_payers(ctx: &Context, findings: &[Finding]) -> Vec<Link> {
    let own: Vec<_> = ctx.own().collect();
    let counts = tally(
        own.iter()
            .filter(|tx| !paid_by_swap_service(tx, ctx.wallet))
            .map(|tx| tx.fee_payer.as_str())
            .filter(|payer| *payer != ctx.wallet),
    );
    counts
        .into_iter()
        .take(MAX_SIGNERS)
        .map(|(payer, count)| {
            let detail = format!("paid the fees of {count} of {}", plural(own.len(), "transaction"));
            link(ctx, findings, payer, LinkKind::FeePayer, detail)
        })
        .collect()
}

/// An edge from the wallet to `to`, named by the label set, tied to the
/// most severe finding of the matching family that names `to`.
fn link(ctx: &Context, findings: &[Finding], to: &str, kind: LinkKind, detail: String) -> Link {
    Link {
        from: ctx.wallet.to_owned(),
        to: to.to_owned(),
        kind,
        label: ctx.label(to).map(|label| label.name.clone()),
        finding: reporting_finding(findings, to, kind).map(|f| f.id.clone()),
        detail: Some(detail),
    }
}

/// The finding (most severe first, as the report lists them) of the family
/// that speaks about this kind of link and names `address` in its evidence.
pub fn reporting_finding<'f>(findings: &'f [Finding], address: &str, kind: LinkKind) -> Option<&'f Finding> {
    let families: &[&str] = match kind {
        LinkKind::FundedBy => &["funding."],
        LinkKind::Pays | LinkKind::TwoWay => &["counterparty.", "known_entity."],
        LinkKind::CoSigner => &["signer."],
        LinkKind::FeePayer => &["fee_payer."],
        LinkKind::DepositAddress | LinkKind::SweepsTo => &["counterparty.", "known_entity."],
    };
    findings.iter().find(|finding| {
        families.iter().any(|family| finding.id.starts_with(family))
            && finding.evidence.iter().any(|e| e.kind == EvidenceKind::Address && e.value == address)
    })
}
