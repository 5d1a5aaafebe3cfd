//! Exchange deposit addresses among the wallet's payees. An exchange gives
//! each customer an address of their own to deposit to, and sweeps what
//! arrives there into its hot wallet soon after; such an address does
//! nothing else. Paying one is paying into a named person's exchange
//! account.

use super::may_be_hop;
use crate::analysis::context::Context;
use crate::analysis::labels::{Label, LabelKind};
use crate::analysis::transfers::is_dust;
use crate::domain::history::{Transaction, Transfer};
use crate::domain::neighbourhood::LookupKey;

/// How many of the wallet's payees are looked up.
pub const TOP_PAYEES: usize = 2;
/// How soon after receiving a deposit address forwards it ("sweeps").
pub const SWEEP_WITHIN_SECS: i64 = 24 * 3_600;

/// A payee that is a deposit address at an exchange.
#[derive(Clone, Debug)]
pub struct Deposit<'a> {
    pub address: &'a str,
    /// The exchange's wallet the sweeps went to, and its label.
    pub exchange_address: &'a str,
    pub exchange: &'a Label,
    /// The wallet's own payments into it, oldest first.
    pub payments: Vec<(&'a Transaction, &'a Transfer)>,
    /// What its page shows it received (from anyone), oldest first.
    pub received: Vec<(&'a Transaction, &'a Transfer)>,
    /// Its forwards to the exchange, oldest first.
    pub sweeps: Vec<(&'a Transaction, &'a Transfer)>,
    /// One of the sweeps seen came soon after one of this wallet's payments.
    pub sweeps_wallets_payment: bool,
    /// How many of its transactions were read, of how many its page lists:
    /// `sweeps` counts only what was read.
    pub read: usize,
    pub listed: usize,
}

/// The addresses the wallet pays most that could be someone's deposit
/// address: unlabelled (a labelled exchange is already a known entity),
/// possibly a wallet, not the wallet's own. Nothing beyond the wallet when
/// the hop limit is one.
pub fn candidates<'a>(ctx: &Context<'a>) -> Vec<&'a str> {
    if ctx.neighbourhood.max_hops < 2 {
        return Vec::new();
    }
    let mut payees: Vec<(&'a str, u32)> = ctx
        .counterparties()
        .iter()
        .filter(|c| c.direct_sent > 0)
        .filter(|c| ctx.label(c.address).is_none() && may_be_hop(ctx, c.address))
        .map(|c| (c.address, c.direct_sent))
        .collect();
    payees.sort_by(|(a, sent_a), (b, sent_b)| sent_b.cmp(sent_a).then(a.cmp(b)));
    payees.into_iter().take(TOP_PAYEES).map(|(address, _)| address).collect()
}

/// The wallet's payees that the lookups show to be deposit addresses.
pub fn deposit_addresses<'a>(ctx: &Context<'a>) -> Vec<Deposit<'a>> {
    candidates(ctx).into_iter().filter_map(|address| deposit(ctx, address)).collect()
}

fn deposit<'a>(ctx: &Context<'a>, address: &'a str) -> Option<Deposit<'a>> {
    // A page with a transaction missing could hide what makes the address
    // more than a deposit address.
    let lookup = ctx.neighbourhood.get(&LookupKey::newest(address)).filter(|lookup| !lookup.partial)?;
    let mut received = Vec::new();
    let mut sweeps: Vec<(&'a Transaction, &'a Transfer, &'a Label)> = Vec::new();
    for tx in lookup.transactions.iter().rev().filter(|tx| !tx.failed) {
        let mut takes_part = false;
        for transfer in tx.transfers.iter().filter(|t| !is_dust(t)) {
            if transfer.to == address && transfer.from != address {
                received.push((tx, transfer));
                takes_part = true;
            } else if transfer.from == address && transfer.to != address {
                match ctx.label(&transfer.to) {
                    Some(label) if label.kind == LabelKind::Exchange => {
                        sweeps.push((tx, transfer, label));
                        takes_part = true;
                    }
                    // It pays someone other than an exchange: an address
                    // in its own right, not only a deposit address.
                    _ => return None,
                }
            }
        }
        // Anything else it does (a swap, a mint) makes it more than a deposit address.
        if !takes_part {
            return None;
        }
    }
    let (_, first_sweep, exchange) = *sweeps.first()?;
    if sweeps.iter().any(|(_, _, label)| label.name != exchange.name) {
        return None;
    }
    let soon_after = |received_at: Option<i64>, swept_at: Option<i64>| {
        received_at.zip(swept_at).is_some_and(|(r, s)| (0..=SWEEP_WITHIN_SECS).contains(&(s - r)))
    };
    let prompt = sweeps
        .iter()
        .any(|(sweep, ..)| received.iter().any(|(tx, _)| soon_after(tx.block_time, sweep.block_time)));
    if !prompt {
        return None;
    }
    let payments: Vec<_> = ctx.payments().filter(|(_, t)| t.from == ctx.wallet && t.to == address).collect();
    let sweeps_wallets_payment = payments
        .iter()
        .any(|(paid, _)| sweeps.iter().any(|(sweep, ..)| soon_after(paid.block_time, sweep.block_time)));
    Some(Deposit {
        address,
        exchange_address: first_sweep.to.as_str(),
        exchange,
        payments,
        received,
        sweeps: sweeps.into_iter().map(|(tx, transfer, _)| (tx, transfer)).collect(),
        sweeps_wallets_payment,
        read: lookup.transactions.len(),
        listed: lookup.signatures.len(),
    })
}
