//! The wallet's token accounts, read as part of its history: a transfer
//! into an existing token account (an exchange's USDC withdrawal, a friend's
//! payment) names only that account, so `getSignaturesForAddress(owner)`
//! never lists it; the token account's own signature list does.
//!
//! Which accounts: those held now (both token programs), and those the
//! wallet's own transactions show it opened or closed. A wallet with
//! hundreds of spam airdrops must not cost hundreds of calls, so at most
//! [`TOKEN_ACCOUNT_BUDGET`] are read, best first ([`choose`]): accounts of
//! mints exchanges pay out in, then accounts the wallet itself used in a
//! transaction it signed, then accounts with a balance, then the rest
//! (empty accounts of unknown mints: almost always spam).

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::client::{Call, RpcError, SolanaRpc};
use super::wire::{KeyedTokenAccount, SignatureStatus, WithContext};
use super::{listed, normalize};
use crate::domain::history::{Event, TokenHolding, Transaction};
use crate::domain::programs;

/// The most token accounts whose history one report reads: one
/// `getSignaturesForAddress` call each (one batch for all of them).
pub const TOKEN_ACCOUNT_BUDGET: usize = 20;

/// Mints exchanges and payments mostly move: their accounts are read first.
pub const KNOWN_MINTS: &[&str] = &[
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", // USDC
    "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB", // USDT
    "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", // PYUSD
    "So11111111111111111111111111111111111111112",  // wrapped SOL
];

/// The token accounts to read, best first, and how many known ones the
/// budget leaves out.
pub fn choose<'a>(
    wallet: &str,
    holdings: &'a [TokenHolding],
    own: &'a [Transaction],
    budget: usize,
) -> (Vec<String>, u32) {
    // Accounts in transactions the wallet signed: it used them itself.
    let signed: HashSet<&str> = own
        .iter()
        .filter(|tx| tx.signers.iter().any(|s| s == wallet))
        .flat_map(|tx| tx.accounts.iter().map(String::as_str))
        .collect();
    // rank: 0 known mint, 1 used by the wallet, 2 holds a balance, 3 the rest.
    let mut ranks: HashMap<&'a str, u8> = HashMap::new();
    let mut order: Vec<&'a str> = Vec::new();
    let mut note = |account: &'a str, rank: u8| match ranks.get_mut(account) {
        Some(best) => *best = (*best).min(rank),
        None => {
            ranks.insert(account, rank);
            order.push(account);
        }
    };
    for holding in holdings {
        let rank = if KNOWN_MINTS.contains(&holding.mint.as_str()) {
            0
        } else if signed.contains(holding.account.as_str()) {
            1
        } else if holding.amount > 0 {
            2
        } else {
            3
        };
        note(&holding.account, rank);
    }
    for tx in own {
        // An account opened and closed in one transaction (a swap's
        // temporary wSOL account) had no life outside it.
        let opened_and_closed = |account: &str| {
            tx.events
                .iter()
                .any(|e| matches!(e, Event::TokenAccountCreated { account: a, .. } if a == account))
                && tx
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::TokenAccountClosed { account: a, .. } if a == account))
        };
        for event in &tx.events {
            let (account, mint) = match event {
                Event::TokenAccountCreated { account, owner, mint, .. } if owner == wallet => {
                    (account, mint.as_deref())
                }
                Event::TokenAccountClosed { account, owner, .. } if owner == wallet => (account, None),
                _ => continue,
            };
            if opened_and_closed(account) {
                continue;
            }
            let rank = if mint.is_some_and(|m| KNOWN_MINTS.contains(&m)) {
                0
            } else if signed.contains(account.as_str()) {
                1
            } else {
                3
            };
            note(account, rank);
        }
    }
    // Stable: within a rank, holdings first in the node's order, then
    // accounts in the order the wallet's history met them.
    order.sort_by_key(|account| ranks[account]);
    let skipped = order.len().saturating_sub(budget) as u32;
    (order.into_iter().take(budget).map(str::to_owned).collect(), skipped)
}

/// For each of `accounts` (with the newest signature already listed for
/// it, if any) the newest `limit` signatures after that one, in one batch.
/// An account the node refuses to answer about (a non-retryable error) is
/// left out with a warning; an error worth retrying fails the read.
pub async fn signature_lists(
    rpc: &SolanaRpc,
    accounts: &[(String, Option<String>)],
    limit: usize,
) -> Result<Vec<Vec<SignatureStatus>>, RpcError> {
    let calls: Vec<Call> = accounts
        .iter()
        .map(|(account, until)| {
            ("getSignaturesForAddress", json!([account, listed::options(limit, until.as_deref())]))
        })
        .collect();
    let mut lists = Vec::with_capacity(accounts.len());
    for answer in rpc.call_many::<Vec<SignatureStatus>>(calls).await? {
        match answer {
            Ok(list) => lists.push(list),
            Err(error) if error.is_retryable() => return Err(error),
            Err(error) => {
                tracing::warn!(%error, "the RPC refused a token account's history; it is left out");
                lists.push(Vec::new());
            }
        }
    }
    Ok(lists)
}

/// The wallet's token accounts under both token programs, without its
/// balance (for when the balance is known not to have changed).
pub async fn holdings(rpc: &SolanaRpc, wallet: &str) -> Result<Vec<TokenHolding>, RpcError> {
    let calls: Vec<Call> = [programs::TOKEN, programs::TOKEN_2022]
        .iter()
        .map(|program| {
            (
                "getTokenAccountsByOwner",
                json!([wallet, {"programId": program}, {"encoding": "jsonParsed", "commitment": "finalized"}]),
            )
        })
        .collect();
    let mut accounts: Vec<KeyedTokenAccount> = Vec::new();
    for answer in rpc.call_many::<WithContext<Vec<KeyedTokenAccount>>>(calls).await? {
        accounts.extend(answer?.value);
    }
    Ok(normalize::token_holdings(&accounts))
}
