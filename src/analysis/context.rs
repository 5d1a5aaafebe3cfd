//! Facts several detectors need, computed once per analysis.

use std::collections::HashMap;

use super::labels::{Label, LabelKind, Labels};
use super::transfers::is_dust;
use crate::domain::history::{Transaction, Transfer, WalletHistory};
use crate::domain::neighbourhood::Neighbourhood;
use crate::domain::programs;

/// What an analysis without lookups of other addresses reads.
static NO_NEIGHBOURHOOD: Neighbourhood = Neighbourhood::NONE;

/// A wallet on the other side of the analysed wallet's transfers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterparty<'a> {
    pub address: &'a str,
    /// Transfers from the wallet to this address.
    pub sent: u32,
    /// Transfers from this address to the wallet.
    pub received: u32,
    /// Of those, transfers made by a top-level instruction: payments a
    /// person or their software asked for, not legs of a swap inside a
    /// program (where the "counterparty" is a pool), nor a front-end's
    /// fee or tip (see [`Context::is_service_fee`]).
    pub direct_sent: u32,
    pub direct_received: u32,
    /// Signatures of the transactions involved, oldest first.
    pub signatures: Vec<&'a str>,
}

impl Counterparty<'_> {
    pub fn transfers(&self) -> u32 {
        self.sent + self.received
    }

    pub fn direct_transfers(&self) -> u32 {
        self.direct_sent + self.direct_received
    }
}

pub struct Context<'a> {
    pub wallet: &'a str,
    pub history: &'a WalletHistory,
    pub labels: &'a Labels,
    /// What was read about other addresses (the funding chain, payees).
    pub neighbourhood: &'a Neighbourhood,
    /// Most transfers first; ties by address so output is deterministic.
    counterparties: Vec<Counterparty<'a>>,
    total_transfers: u32,
    /// Stake accounts the wallet owns ([`own_stake_accounts`]): money moved
    /// to or from them stays the wallet's.
    own_stake: Vec<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(history: &'a WalletHistory, labels: &'a Labels) -> Self {
        Self::with_neighbourhood(history, &NO_NEIGHBOURHOOD, labels)
    }

    pub fn with_neighbourhood(
        history: &'a WalletHistory,
        neighbourhood: &'a Neighbourhood,
        labels: &'a Labels,
    ) -> Self {
        let wallet = history.wallet.as_str();
        let own_stake = own_stake_accounts(history);
        let mut by_address: HashMap<&str, Counterparty> = HashMap::new();
        let mut total_transfers = 0;
        // Oldest first, so evidence lists start where the relationship began.
        for tx in history.transactions.iter().rev().filter(|tx| !tx.failed) {
            let signed = tx.signers.iter().any(|s| s == wallet);
            for transfer in &tx.transfers {
                let Some((other, outgoing)) = other_side(wallet, transfer) else {
                    continue;
                };
                if own_stake.contains(&other) {
                    continue;
                }
                // Dust a stranger sent without the wallet's signature says
                // who the stranger targets, not whom the owner deals with.
                if !outgoing && !signed && is_dust(transfer) {
                    continue;
                }
                total_transfers += 1;
                let direct = transfer.top_level && !service_fee(wallet, labels, tx, transfer);
                let entry = by_address.entry(other).or_insert_with(|| Counterparty {
                    address: other,
                    sent: 0,
                    received: 0,
                    direct_sent: 0,
                    direct_received: 0,
                    signatures: Vec::new(),
                });
                match (outgoing, direct) {
                    (true, true) => {
                        entry.sent += 1;
                        entry.direct_sent += 1;
                    }
                    (true, false) => entry.sent += 1,
                    (false, true) => {
                        entry.received += 1;
                        entry.direct_received += 1;
                    }
                    (false, false) => entry.received += 1,
                }
                if entry.signatures.last() != Some(&tx.signature.as_str()) {
                    entry.signatures.push(&tx.signature);
                }
            }
        }
        let mut counterparties: Vec<_> = by_address.into_values().collect();
        counterparties.sort_by(|a, b| b.transfers().cmp(&a.transfers()).then(a.address.cmp(b.address)));
        Self { wallet, history, labels, neighbourhood, counterparties, total_transfers, own_stake }
    }

    /// Every fetched transaction, newest first, failed ones included (a failed
    /// transaction still reveals its time, signers and fee payer).
    pub fn transactions(&self) -> &'a [Transaction] {
        &self.history.transactions
    }

    /// Transactions that executed, newest first.
    pub fn successful(&self) -> impl Iterator<Item = &'a Transaction> + 'a {
        self.history.transactions.iter().filter(|tx| !tx.failed)
    }

    /// Transactions the wallet signed, failed ones included: what its owner
    /// (or their software) chose to do, as opposed to what others sent it.
    pub fn own(&self) -> impl Iterator<Item = &'a Transaction> + 'a {
        let wallet = self.wallet;
        self.history.transactions.iter().filter(move |tx| tx.signers.iter().any(|s| s == wallet))
    }

    /// Transfers that moved funds to or from the wallet in executed
    /// transactions, oldest first, with the transaction they belong to.
    pub fn wallet_transfers(&self) -> impl Iterator<Item = (&'a Transaction, &'a Transfer)> + 'a {
        let wallet = self.wallet;
        let own_stake = self.own_stake.clone();
        self.history
            .transactions
            .iter()
            .rev()
            .filter(|tx| !tx.failed)
            .flat_map(|tx| tx.transfers.iter().map(move |t| (tx, t)))
            .filter(move |(_, t)| other_side(wallet, t).is_some_and(|(other, _)| !own_stake.contains(&other)))
    }

    /// `address` is a stake account the wallet owns.
    pub fn is_own_stake_account(&self, address: &str) -> bool {
        self.own_stake.contains(&address)
    }

    /// A fee or tip the wallet's software adds to a trade: any transfer to
    /// a labelled MEV or service account (Jito tips), and any top-level
    /// transfer to someone else inside a transaction that swaps through a
    /// DEX or aggregator (a trading bot's or front-end's fixed fee). These
    /// repeat on every trade and name the tool, not a person.
    pub fn is_service_fee(&self, tx: &Transaction, transfer: &Transfer) -> bool {
        service_fee(self.wallet, self.labels, tx, transfer)
    }

    /// Direct transfers with the wallet on one side that the owner chose to
    /// make: top-level, not dust, not a service fee or tip.
    pub fn payments(&self) -> impl Iterator<Item = (&'a Transaction, &'a Transfer)> + '_ {
        self.wallet_transfers().filter(|(tx, t)| t.top_level && !is_dust(t) && !self.is_service_fee(tx, t))
    }

    pub fn counterparties(&self) -> &[Counterparty<'a>] {
        &self.counterparties
    }

    /// Transfers with the wallet on one side and someone else on the other.
    pub fn total_transfers(&self) -> u32 {
        self.total_transfers
    }

    pub fn label(&self, address: &str) -> Option<&'a Label> {
        self.labels.get(address)
    }

    /// Who is behind `address` as one party: a labelled entity by its name
    /// (all of Binance's hot wallets are one Binance), anyone else by the
    /// address itself.
    pub fn party(&self, address: &str) -> String {
        self.label(address).map_or_else(|| address.to_owned(), |label| label.name.clone())
    }

    /// Block times of all analysed transactions that have one.
    pub fn block_times(&self) -> impl Iterator<Item = i64> + 'a {
        self.history.transactions.iter().filter_map(|tx| tx.block_time)
    }

    /// Oldest and newest block time analysed.
    pub fn window(&self) -> (Option<i64>, Option<i64>) {
        (self.block_times().min(), self.block_times().max())
    }
}

fn service_fee(wallet: &str, labels: &Labels, tx: &Transaction, transfer: &Transfer) -> bool {
    if transfer.from != wallet || transfer.to == wallet {
        return false;
    }
    let service =
        labels.get(&transfer.to).is_some_and(|label| matches!(label.kind, LabelKind::Mev | LabelKind::Other));
    let fee_in_swap =
        transfer.top_level && tx.programs.iter().any(|program| programs::SWAPS.contains(&program.as_str()));
    service || fee_in_swap
}

/// The address on the other side of a transfer and whether the wallet sent it.
pub fn other_side<'t>(wallet: &str, transfer: &'t Transfer) -> Option<(&'t str, bool)> {
    if transfer.from == wallet && transfer.to != wallet {
        Some((transfer.to.as_str(), true))
    } else if transfer.to == wallet && transfer.from != wallet {
        Some((transfer.from.as_str(), false))
    } else {
        None
    }
}

/// The stake accounts the wallet owns: initialised with it as withdrawer or
/// staker, or delegated with it as the stake authority. Their lamports are
/// the wallet's, so topping one up or withdrawing from it is no payment,
/// and delegating it is the wallet's own act.
pub fn own_stake_accounts(history: &WalletHistory) -> Vec<&str> {
    let wallet = history.wallet.as_str();
    let mut own: Vec<&str> = history
        .transactions
        .iter()
        .filter(|tx| !tx.failed)
        .flat_map(|tx| &tx.events)
        .filter_map(|event| match event {
            crate::domain::history::Event::StakeAccountInitialized { stake_account, staker, withdrawer }
                if withdrawer == wallet || staker == wallet =>
            {
                Some(stake_account.as_str())
            }
            crate::domain::history::Event::StakeDelegated { stake_account, authority, .. }
                if authority == wallet =>
            {
                Some(stake_account.as_str())
            }
            _ => None,
        })
        .collect();
    own.sort_unstable();
    own.dedup();
    own
}
