//! The wallet's funding chain: who funded it, who funded that funder just
//! before (or first), and so on, until the money's source is a labelled
//! exchange, something that is not a person, or the hop limit.

use super::may_be_hop;
use crate::analysis::address::is_program_derived;
use crate::analysis::context::Context;
use crate::analysis::detectors::funding::{first_funding, sol_received};
use crate::analysis::labels::{Label, LabelKind};
use crate::domain::neighbourhood::{AddressLookup, LookupKey};

/// How soon before it funded the next address a funder's own funding
/// counts as the money that passed through ("shortly before").
pub const SHORTLY_BEFORE_SECS: i64 = 24 * 3_600;

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
    /// [`SHORTLY_BEFORE_SECS`] of passing on most of it. Always true for
    /// the first hop (there is nothing between).
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
    /// The last funder was looked up, and no funding of it was found.
    Unknown,
    /// The last funder's lookup failed or was cut short: what it shows is
    /// not used (a missing transaction could be the funding).
    Incomplete,
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
        match funding_of(lookup, last) {
            Some(next) => hops.push(next),
            None => return Some(FundingChain { hops, end: ChainEnd::Unknown }),
        }
    }
}

/// Who funded `hop.funder`, from its lookup (the page of its history just
/// before it funded `hop.funded`): the SOL it received shortly before that
/// was at least half of what it passed on, else, when the page reaches its
/// first transaction, the oldest SOL it received.
fn funding_of<'a>(lookup: &'a AddressLookup, hop: &Hop<'a>) -> Option<Hop<'a>> {
    let address = lookup.key.address.as_str();
    // Newest first, as the page lists them; only what happened before the hop.
    let received: Vec<_> = lookup
        .transactions
        .iter()
        .filter(|tx| !tx.failed && tx.signature != hop.signature)
        .filter(|tx| match (tx.block_time, hop.block_time) {
            (Some(at), Some(hop_at)) => at <= hop_at,
            _ => true,
        })
        .filter_map(|tx| sol_received(tx, address).map(|(from, lamports)| (tx, from, lamports)))
        .collect();
    let gap = |at: Option<i64>| hop.block_time.zip(at).map(|(hop_at, at)| hop_at - at);
    let shortly = received.iter().find(|(tx, _, lamports)| {
        gap(tx.block_time).is_some_and(|gap| (0..=SHORTLY_BEFORE_SECS).contains(&gap))
            && lamports.saturating_mul(2) >= hop.lamports
    });
    let (tx, from, lamports, direct) = match shortly {
        // Most of it passed on: the forwarded amount is at least half of what came in.
        Some((tx, from, lamports)) => (*tx, *from, *lamports, hop.lamports.saturating_mul(2) >= *lamports),
        None if lookup.reaches_first => {
            let (tx, from, lamports) = received.last()?;
            (*tx, *from, *lamports, false)
        }
        None => return None,
    };
    Some(Hop {
        index: hop.index + 1,
        funded: address,
        funder: from,
        lamports,
        signature: &tx.signature,
        block_time: tx.block_time,
        direct,
    })
}
