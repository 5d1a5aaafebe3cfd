//! Hubs: a funder that pays many wallets (a game, an employer, an airdrop
//! distributor) or whose history is too busy to be a person's (a service's
//! address). An exchange that tops a hub up knows the hub, not the wallets
//! it pays, so the funding chain stops at a hub and no finding blames the
//! hub's own funder on this wallet.
//!
//! Read from what the chain's lookup already shows (no extra request): the
//! page of the funder's history just before it paid the next address, the
//! transactions read from it, and the hop's own transaction.

use std::collections::BTreeSet;

use crate::analysis::address::could_be_wallet;
use crate::analysis::context::Context;
use crate::analysis::evidence::plural;
use crate::analysis::transfers::{is_dust, sol_received};
use crate::domain::history::Transaction;
use crate::domain::neighbourhood::{AddressLookup, LOOKUP_PAGE};

/// A funder that paid this many other wallets in [`HUB_WINDOW_SECS`]
/// before it paid the next one is a hub.
pub const HUB_PAYEES: usize = 3;
pub const HUB_WINDOW_SECS: i64 = 24 * 3_600;
/// A full page of history spanning no more than this is a busy service's
/// address, not a person passing money on.
pub const BUSY_PAGE_SECS: i64 = 15 * 60;

/// A funder that looks like a hub, and what gives it away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hub<'a> {
    pub address: &'a str,
    /// Other wallets it paid in the day before it paid the next one (in
    /// the transactions read, and in that payment's own transaction).
    pub payees: usize,
    /// How long its last [`LOOKUP_PAGE`] transactions before that payment
    /// took, when that short span is what gives it away.
    pub busy_page_secs: Option<i64>,
    /// Who last sent it SOL before that payment, when the page shows it.
    pub topped_up_by: Option<&'a str>,
}

impl Hub<'_> {
    /// "paid 4 other wallets in the day before", "made 10 transactions in 4 minutes".
    pub fn sign(&self) -> String {
        match self.busy_page_secs {
            Some(secs) if self.payees < HUB_PAYEES => format!(
                "made {} in {}",
                plural(LOOKUP_PAGE, "transaction"),
                plural(usize::try_from(secs / 60).unwrap_or(0).max(1), "minute")
            ),
            _ => format!("paid {} in the day before", plural(self.payees, "other wallet")),
        }
    }
}

/// `lookup`'s address as a hub, if it looks like one: `hop_tx` is its
/// payment to `funded` at `hop_at`.
pub fn hub_of<'a>(
    ctx: &Context<'a>,
    lookup: &'a AddressLookup,
    hop_tx: &'a Transaction,
    funded: &str,
    hop_at: Option<i64>,
) -> Option<Hub<'a>> {
    let address = lookup.key.address.as_str();
    let in_window = |at: Option<i64>| {
        hop_at.zip(at).is_some_and(|(hop_at, at)| (0..=HUB_WINDOW_SECS).contains(&(hop_at - at)))
    };
    let recent = lookup.transactions.iter().filter(|tx| in_window(tx.block_time));
    let mut payees: BTreeSet<&str> = BTreeSet::new();
    for tx in std::iter::once(hop_tx).chain(recent).filter(|tx| !tx.failed) {
        for transfer in &tx.transfers {
            let other = transfer.to.as_str();
            // Payments to people: not its own moves, not the next hop, not
            // a program's vault (a swap leg), not dust.
            if transfer.from == address
                && other != address
                && other != funded
                && could_be_wallet(other)
                && ctx.label(other).is_none()
                && !is_dust(transfer)
            {
                payees.insert(other);
            }
        }
    }
    let times: Vec<i64> = lookup.signatures.iter().filter_map(|s| s.block_time).collect();
    let busy_page_secs = (lookup.signatures.len() >= LOOKUP_PAGE && times.len() == lookup.signatures.len())
        .then(|| times.iter().max().zip(times.iter().min()).map(|(newest, oldest)| newest - oldest))
        .flatten()
        .filter(|span| *span <= BUSY_PAGE_SECS);
    if payees.len() < HUB_PAYEES && busy_page_secs.is_none() {
        return None;
    }
    let topped_up_by = lookup
        .transactions
        .iter()
        .filter(|tx| !tx.failed)
        .find_map(|tx| sol_received(tx, address).map(|(from, _)| from));
    Some(Hub { address, payees: payees.len(), busy_page_secs, topped_up_by })
}
