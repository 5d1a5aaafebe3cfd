//! The wallet's funding chain: who funded it, who funded that funder just
//! before, and so on, until the money's source is a labelled exchange,
//! something that is not a person, a hub, or the hop limit.
//!
//! A hop is followed only where the money demonstrably passed through
//! ([`passed_through`]): the funder received an amount that matches what it
//! passed on, from both sides, shortly before. A funder whose page looks
//! like a hub ([`super::hub`]) ends the chain: whoever tops a payout hub up
//! knows the hub, not the wallets it pays.

use super::hub::{Hub, hub_of};
use super::may_be_hop;
use crate::analysis::address::is_program_derived;
use crate::analysis::context::Context;
use crate::analysis::detectors::funding::first_funding;
use crate::analysis::labels::{Label, LabelKind};
use crate::analysis::transfers::sol_received;
use crate::domain::history::Transaction;
use crate::domain::neighbourhood::{AddressLookup, LookupKey};

/// Passed on within this long of arriving: the money went straight
/// through ("within hours"), a strong hop.
pub const STRAIGHT_THROUGH_SECS: i64 = 6 * 3_600;
/// Passed on later than that but within this long: a loose hop, which
/// makes a finding at most low. Later than this, the chain stops.
pub const LOOSE_WITHIN_SECS: i64 = 7 * 86_400;

/// One hop: `funder` sent `funded` SOL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop<'a> {
    /// 1 for the wallet's own funder, 2 for that funder's funder, …
    pub index: u8,
    pub funded: &'a str,
    pub funder: &'a str,
    pub lamports: u64,
    pub signature: &'a str,
    pub block_time: Option<i64>,
    /// The money passed straight through: `funded` received it within
    /// [`STRAIGHT_THROUGH_SECS`] of passing on a matching amount. Always
    /// true for the first hop (there is nothing between).
    pub direct: bool,
}

/// Why the chain ends where it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainEnd<'a> {
    /// The last funder is a labelled exchange.
    Exchange(&'a Label),
    /// The last funder is another known entity (a bridge, a service): its
    /// records, not a person's wallet; not followed.
    Known(&'a Label),
    /// The last funder is program-derived (a vault, a pool): not a person.
    ProgramDerived,
    /// The last funder is the wallet, one of its accounts, or already on
    /// the chain.
    Loop,
    /// The last funder was looked up, and nothing it received passed
    /// through to the next address.
    Unknown,
    /// The last funder's lookup failed or was cut short: what it shows is
    /// not used (a missing transaction could be the funding).
    Incomplete,
    /// The last funder looks like a hub (a payout distributor, a busy
    /// service): it pays many wallets, so whoever funds it is not tied to
    /// this one.
    Hub(Hub<'a>),
    /// The last funder has not been looked up yet (this lookup would say
    /// who funded it).
    NotLookedUp(LookupKey),
    /// Following it further would pass the hop limit.
    HopLimit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundingChain<'a> {
    /// From the wallet outwards.
    pub hops: Vec<Hop<'a>>,
    pub end: ChainEnd<'a>,
}

impl FundingChain<'_> {
    pub fn reaches_exchange(&self) -> bool {
        matches!(self.end, ChainEnd::Exchange(_))
    }

    /// Every hop between the wallet and the last funder passed the money
    /// straight through.
    pub fn direct(&self) -> bool {
        self.hops.iter().all(|hop| hop.direct)
    }
}

/// The wallet's funding chain as far as the lookups made so far reach;
/// `None` when the wallet has no SOL funding in its history.
pub fn funding_chain<'a>(ctx: &Context<'a>) -> Option<FundingChain<'a>> {
    let first = first_funding(ctx)?;
    let mut hops = vec![Hop {
        index: 1,
        funded: ctx.wallet,
        funder: first.funder,
        lamports: first.lamports,
        signature: &first.tx.signature,
        block_time: first.tx.block_time,
        direct: true,
    }];
    // The transaction of the last hop: its other payees say whether the
    // funder pays many wallets.
    let mut last_tx: &'a Transaction = first.tx;
    loop {
        let last = hops.last().expect("the chain starts with the wallet's funder");
        let end = match ctx.label(last.funder) {
            Some(label) if label.kind == LabelKind::Exchange => Some(ChainEnd::Exchange(label)),
            Some(label) => Some(ChainEnd::Known(label)),
            None if is_program_derived(last.funder) => Some(ChainEnd::ProgramDerived),
            None if !may_be_hop(ctx, last.funder) || hops.iter().any(|hop| hop.funded == last.funder) => {
                Some(ChainEnd::Loop)
            }
            None if last.index >= ctx.neighbourhood.max_hops => Some(ChainEnd::HopLimit),
            None => None,
        };
        if let Some(end) = end {
            return Some(FundingChain { hops, end });
        }
        let key = LookupKey::before(last.funder, last.signature);
        let Some(lookup) = ctx.neighbourhood.get(&key) else {
            return Some(FundingChain { hops, end: ChainEnd::NotLookedUp(key) });
        };
        if lookup.partial {
            return Some(FundingChain { hops, end: ChainEnd::Incomplete });
        }
        if let Some(hub) = hub_of(ctx, lookup, last_tx, last.funded, last.block_time) {
            return Some(FundingChain { hops, end: ChainEnd::Hub(hub) });
        }
        match funding_of(lookup, last) {
            Some((next, tx)) => {
                hops.push(next);
                last_tx = tx;
            }
            None => return Some(FundingChain { hops, end: ChainEnd::Unknown }),
        }
    }
}

/// Who funded `hop.funder`, from its lookup (the page of its history just
/// before it funded `hop.funded`): the newest SOL it received that passed
/// through ([`passed_through`]) to `hop.funded`.
fn funding_of<'a>(lookup: &'a AddressLookup, hop: &Hop<'a>) -> Option<(Hop<'a>, &'a Transaction)> {
    let address = lookup.key.address.as_str();
    // Newest first, as the page lists them; only what happened before the hop.
    lookup
        .transactions
        .iter()
        .filter(|tx| !tx.failed && tx.signature != hop.signature)
        .filter_map(|tx| sol_received(tx, address).map(|(from, lamports)| (tx, from, lamports)))
        .find_map(|(tx, from, lamports)| {
            let gap = hop.block_time.zip(tx.block_time).map(|(hop_at, at)| hop_at - at)?;
            let direct = passed_through(lamports, hop.lamports, gap)?;
            Some((
                Hop {
                    index: hop.index + 1,
                    funded: address,
                    funder: from,
                    lamports,
                    signature: &tx.signature,
                    block_time: tx.block_time,
                    direct,
                },
                tx,
            ))
        })
}

/// Whether `received` lamports, `gap` seconds before `passed` were passed
/// on, is the money passed on: the amounts match from both sides (each at
/// least half the other, so a 100 SOL top-up does not explain a 1 SOL
/// payment, nor 1 SOL a 100 SOL one) and it was passed on within
/// [`LOOSE_WITHIN_SECS`]. `Some(true)` when it went straight through
/// (within [`STRAIGHT_THROUGH_SECS`]), `Some(false)` when loosely, `None`
/// when it is not the same money.
pub fn passed_through(received: u64, passed: u64, gap: i64) -> Option<bool> {
    let matched = passed.saturating_mul(2) >= received && received.saturating_mul(2) >= passed;
    if !matched || !(0..=LOOSE_WITHIN_SECS).contains(&gap) {
        return None;
    }
    Some(gap <= STRAIGHT_THROUGH_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOL: u64 = 1_000_000_000;

    #[test]
    fn money_passed_through_only_when_the_amounts_match_from_both_sides_and_soon() {
        assert_eq!(passed_through(10 * SOL, 9 * SOL + SOL / 2, 3_600), Some(true));
        assert_eq!(
            passed_through(100 * SOL, SOL, 3_600),
            None,
            "a big top-up does not explain a small payment"
        );
        assert_eq!(passed_through(SOL, 100 * SOL, 3_600), None, "nor a small receipt a big payment");
        assert_eq!(passed_through(10 * SOL, 10 * SOL, 2 * 86_400), Some(false), "loose: days later");
        assert_eq!(passed_through(10 * SOL, 10 * SOL, 21 * 86_400), None, "weeks later: not passing through");
        assert_eq!(passed_through(10 * SOL, 10 * SOL, -1), None, "after the payment");
    }
}
