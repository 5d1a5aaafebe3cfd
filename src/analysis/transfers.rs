//! How Kimiko reads a single transfer or transaction: what is dust, who put
//! SOL into an address, whose fee a swap service paid. One reading shared by
//! the context, the detectors, the funding chain and the link graph, so they
//! never disagree; a leaf of `analysis` (it reads `domain` only).

use crate::domain::history::{Event, Transaction, Transfer};
use crate::domain::programs;

/// Under 0.0001 SOL, or under 0.0001 of a token (zero included): too small
/// to be a payment, the size used for dusting and address poisoning.
pub fn is_dust(transfer: &Transfer) -> bool {
    match &transfer.mint {
        None => transfer.amount < 100_000,
        // 0.0001 of a token is 10^(decimals − 4) base units; past what u128
        // holds (decimals ≥ 43) it exceeds any u64 amount, so all is dust.
        Some(_) => {
            transfer.amount == 0
                || transfer.decimals.checked_sub(4).is_some_and(|exponent| {
                    10u128
                        .checked_pow(u32::from(exponent))
                        .is_none_or(|unit| u128::from(transfer.amount) < unit)
                })
        }
    }
}

/// Who put SOL into `address` in `tx`, and how much: a transfer of more
/// than dust from someone else, or the creation of the account with SOL.
/// The same rule reads the wallet's own funding and its funders' (the
/// funding chain).
pub fn sol_received<'t>(tx: &'t Transaction, address: &str) -> Option<(&'t str, u64)> {
    let transfer = tx
        .transfers
        .iter()
        // Dust is what strangers send to mark a wallet, not money it runs on.
        .find(|t| t.is_sol() && t.to == address && t.from != address && !is_dust(t))
        .map(|t| (t.from.as_str(), t.amount));
    let created = tx.events.iter().find_map(|event| match event {
        Event::AccountCreated { source, new_account, lamports, .. }
            if new_account == address && source != address && *lamports > 0 =>
        {
            Some((source.as_str(), *lamports))
        }
        _ => None,
    });
    transfer.or(created)
}

/// Someone else paid the fee as part of a swap: a JupiterZ (RFQ) market
/// maker pays the fees of every fill it makes, and Jupiter's gasless
/// support (its gas payer) or an integrator's `payer` pays for swaps
/// through Jupiter's router (dev.jup.ag/docs/ultra/gasless, /ultra/payer).
/// The payer is the swap's service or counterparty, not a person who
/// sponsors the wallet.
pub fn paid_by_swap_service(tx: &Transaction, wallet: &str) -> bool {
    tx.fee_payer != wallet && tx.programs.iter().any(|program| programs::SWAPS.contains(&program.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(amount: u64, decimals: u8) -> Transfer {
        Transfer {
            from: "a".into(),
            to: "b".into(),
            amount,
            mint: Some("m".into()),
            decimals,
            top_level: true,
        }
    }

    #[test]
    fn dust_is_judged_for_every_possible_number_of_decimals() {
        assert!(is_dust(&token(99, 6)));
        assert!(!is_dust(&token(100, 6)));
        assert!(!is_dust(&token(5, 2)), "under 4 decimals only zero is dust");
        assert!(is_dust(&token(u64::MAX, 42)));
        assert!(is_dust(&token(u64::MAX, 43)), "10^39 base units overflow u128");
        assert!(is_dust(&token(u64::MAX, 255)));
    }
}
