//! Beyond one hop: what the addresses the wallet is tied to did, read from
//! the [`Neighbourhood`](crate::domain::neighbourhood::Neighbourhood) fetched
//! for the report. The funding chain ([`chain`]) and deposit addresses
//! ([`deposit`]) are worked out here once, for three readers: the planner
//! ([`leads`]) that tells the fetcher which address to look up next, the
//! detectors (`detectors::hops`), and the link graph ([`links`]).
//!
//! Every hop obeys the everyday rules: a program-derived address is not a
//! person, so a chain never passes through one, and the wallet's own
//! accounts are never hops.

pub mod chain;
pub mod deposit;
pub mod hub;

use super::address::could_be_wallet;
use super::context::Context;
use super::evidence;
use crate::domain::history::Event;
use crate::domain::neighbourhood::LookupKey;
use crate::domain::{Link, LinkKind};

pub use chain::{ChainEnd, FundingChain, Hop, funding_chain};
pub use deposit::{Deposit, deposit_addresses};
pub use hub::Hub;

/// The finding ids the links of this module point to.
pub const INDIRECT_EXCHANGE: &str = "funding.indirect_exchange";
pub const EXCHANGE_DEPOSIT: &str = "counterparty.exchange_deposit";
pub const VIA_HUB: &str = "funding.hub";

/// The lookups the analysis still needs, most telling first: the next
/// funder on the chain, then the top payees. Empty once everything worth
/// following within the hop limit has been looked up.
pub fn leads(ctx: &Context) -> Vec<LookupKey> {
    let mut leads = Vec::new();
    if let Some(FundingChain { end: ChainEnd::NotLookedUp(key), .. }) = funding_chain(ctx) {
        leads.push(key);
    }
    for payee in deposit::candidates(ctx) {
        let key = LookupKey::newest(payee);
        if !ctx.neighbourhood.contains(&key) && !leads.contains(&key) {
            leads.push(key);
        }
    }
    leads
}

/// True when `address` is one of the wallet's own accounts besides itself
/// (a token account it holds, opened or closed): moving money between them
/// is not a hop.
pub fn owned_by_wallet(ctx: &Context, address: &str) -> bool {
    address == ctx.wallet
        || ctx.is_own_stake_account(address)
        || ctx.history.token_accounts.iter().any(|holding| holding.account == address)
        || ctx.transactions().iter().flat_map(|tx| &tx.events).any(|event| match event {
            Event::TokenAccountCreated { account, owner, .. }
            | Event::TokenAccountClosed { account, owner, .. } => account == address && owner == ctx.wallet,
            _ => false,
        })
}

/// An address a chain may pass through: a possible person's wallet that is
/// not the analysed wallet's own.
pub fn may_be_hop(ctx: &Context, address: &str) -> bool {
    could_be_wallet(address) && !owned_by_wallet(ctx, address)
}

/// The edges beyond one hop for the report's link graph: each hop of a
/// funding chain followed past the wallet's own funder, and each deposit
/// address with its sweeps.
pub fn links(ctx: &Context) -> Vec<Link> {
    let mut links = Vec::new();
    if let Some(chain) = funding_chain(ctx).filter(|chain| chain.hops.len() > 1) {
        let finding = chain.reaches_exchange().then(|| INDIRECT_EXCHANGE.to_owned());
        for hop in &chain.hops {
            links.push(Link {
                from: hop.funded.to_owned(),
                to: hop.funder.to_owned(),
                kind: LinkKind::FundedBy,
                label: ctx.label(hop.funder).map(|label| label.name.clone()),
                finding: finding.clone(),
                detail: Some(format!("hop {}: {}", hop.index, evidence::sol(hop.lamports))),
            });
        }
    }
    for deposit in deposit_addresses(ctx) {
        let finding = Some(EXCHANGE_DEPOSIT.to_owned());
        let paid: u64 = deposit.payments.iter().filter(|(_, t)| t.is_sol()).map(|(_, t)| t.amount).sum();
        let payments = evidence::plural(deposit.payments.len(), "payment");
        let detail = if paid > 0 { format!("{payments}, {}", evidence::sol(paid)) } else { payments };
        // The two edges share a box in the graph: each says its own fact.
        let forwards = format!("forwards to {}", deposit.exchange.name);
        for (kind, detail) in [(LinkKind::Pays, detail), (LinkKind::DepositAddress, forwards)] {
            links.push(Link {
                from: ctx.wallet.to_owned(),
                to: deposit.address.to_owned(),
                kind,
                label: None,
                finding: finding.clone(),
                detail: Some(detail),
            });
        }
        // Only some of its latest transactions are read: the count is of
        // those, and says so, rather than pass for all of its sweeps.
        let sweeps = format!(
            "{} in the {} read of its latest {}",
            evidence::plural(deposit.sweeps.len(), "sweep"),
            deposit.read,
            evidence::plural(deposit.listed, "transaction")
        );
        links.push(Link {
            from: deposit.address.to_owned(),
            to: deposit.exchange_address.to_owned(),
            kind: LinkKind::SweepsTo,
            label: Some(deposit.exchange.name.clone()),
            finding,
            detail: Some(sweeps),
        });
    }
    links
}

/// Names the hub the funding chain stops at, if it stops at one, on its
/// edge of the graph (drawn by the one-hop links for the wallet's own
/// funder, by [`links`] further out): the graph must not read as an
/// ordinary funder.
pub fn name_hub(ctx: &Context, links: &mut [Link]) {
    let Some(FundingChain { hops, end: ChainEnd::Hub(hub) }) = funding_chain(ctx) else {
        return;
    };
    let Some(hop) = hops.last() else { return };
    let edge = links
        .iter_mut()
        .find(|l| l.kind == LinkKind::FundedBy && l.from == hop.funded && l.to == hub.address);
    if let Some(edge) = edge {
        let note = format!("payout hub: {}", hub.sign());
        edge.detail = Some(match edge.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note,
        });
        edge.finding.get_or_insert_with(|| VIA_HUB.to_owned());
    }
}

/// Adds `more` to `links`, one edge per (from, to, kind): an edge already
/// there keeps what it says and gains what only the new one says (the
/// finding that reports it, a label, a detail).
pub fn merge_links(links: &mut Vec<Link>, more: Vec<Link>) {
    for link in more {
        match links.iter_mut().find(|l| l.from == link.from && l.to == link.to && l.kind == link.kind) {
            Some(existing) => {
                existing.label = existing.label.take().or(link.label);
                existing.finding = existing.finding.take().or(link.finding);
                existing.detail = existing.detail.take().or(link.detail);
            }
            None => links.push(link),
        }
    }
}

/// The rules a hop and a hub follow, in words, for the methodology page:
/// built from the constants the chain uses, so page and engine agree.
pub fn rules() -> Vec<(&'static str, String)> {
    let hours = |secs: i64| secs / 3_600;
    vec![
        (
            "A hop",
            format!(
                "A hop is followed only where the money passed through: the funder received SOL whose amount matches what it passed on from both sides (each at least half of the other, so a 100 SOL top-up does not explain a 1 SOL payment), and passed it on within {} hours (a strong hop) or within {} days (a loose hop: the finding is then at most low). Money kept longer, or amounts that do not match, end the chain there.",
                hours(chain::STRAIGHT_THROUGH_SECS),
                chain::LOOSE_WITHIN_SECS / 86_400
            ),
        ),
        (
            "A hub",
            format!(
                "A hub is a funder that paid {} or more other wallets in the {} hours before it paid the next address on the chain, or whose last {} transactions before that payment fell within {} minutes: a game, an employer, an airdrop distributor or a service. The chain stops at a hub and the report names it as one (a note, no points) instead of blaming its funder, an exchange say, on this wallet: that funder knows the hub, not the wallets it pays.",
                hub::HUB_PAYEES,
                hours(hub::HUB_WINDOW_SECS),
                crate::domain::neighbourhood::LOOKUP_PAGE,
                hub::BUSY_PAGE_SECS / 60
            ),
        ),
        (
            "What is never used",
            "A lookup the request budget cut short, that the node failed or refused, or with a transaction that could not be read is never used by the chain or the deposit-address test (a missing transaction could be the funding, or what makes a payee more than a deposit address); the report then says it stopped early. A lookup never fails the report.".to_owned(),
        ),
        (
            "What is shared between reports",
            "A page of an address's history before a given signature cannot change and is shared by every report for a day by default; an address's newest page changes, so it is shared for minutes only, and a fresh analysis reads it again. Every shared lookup carries the analyser version that read it.".to_owned(),
        ),
    ]
}
