//! The histories of a wallet's token accounts.
//!
//! `getSignaturesForAddress(owner)` lists only transactions that name the
//! owner. A transfer into the owner's *existing* token account — an
//! exchange's USDC withdrawal, a friend's token payment — names the token
//! account and the sender, not the owner, so only the account's own
//! signature list shows it. The standard path therefore reads the
//! signature lists of the wallet's token accounts too: the ones it holds
//! now (`getTokenAccountsByOwner`, both token programs) and the ones its
//! own transactions show it created or closed (a closed account is gone
//! from that list, its history is not).
//!
//! A wallet can hold hundreds of token accounts nobody asked for (spam
//! airdrops), so one report reads at most [`TOKEN_ACCOUNT_BUDGET`] of them,
//! in an order that puts what matters first ([`plan`]), and the report says
//! how many were left unread.

use std::collections::HashSet;

use serde_json::json;

use super::client::{Call, RpcError, SolanaRpc};
use super::history::SIGNATURE_PAGE;
use super::wire::SignatureStatus;
use crate::domain::history::{Event, TokenHolding, Transaction};

/// Token accounts whose history one report reads at most: one
/// `getSignaturesForAddress` each, plus a `getTransaction` for each
/// transaction only that list shows.
pub const TOKEN_ACCOUNT_BUDGET: usize = 20;

/// Mints exchanges and payers mostly pay out in: after the accounts the
/// wallet used itself, theirs are read first. USDC, USDT and PYUSD, as the
/// issuers publish their mint addresses.
const PAYOUT_MINTS: [&str; 3] = [
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB",
    "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo",
];

/// Which token accounts to read, most telling first, and how many are left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub read: Vec<String>,
    pub skipped: u32,
}

/// Orders the wallet's token accounts and keeps the first `budget`:
/// 1. those the wallet's own transactions show it created, closed or used,
///    newest first (what it did with a token is about it);
/// 2. those it holds of a payout mint (where exchange withdrawals land);
/// 3. the rest it holds with a balance, then the empty ones.
///
/// Accounts the wallet never touched, of tokens it never used, come last:
/// that is where unsolicited airdrops sit, and what is cut first.
pub fn plan(wallet: &str, holdings: &[TokenHolding], transactions: &[Transaction], budget: usize) -> Plan {
    let held: HashSet<&str> = holdings.iter().map(|h| h.account.as_str()).collect();
    let mut order: Vec<&str> = Vec::new();
    for tx in transactions {
        for event in &tx.events {
            match event {
                Event::TokenAccountCreated { account, owner, .. }
                | Event::TokenAccountClosed { account, owner, .. }
                    if owner == wallet =>
                {
                    order.push(account);
                }
                _ => {}
            }
        }
        // A held account named in a transaction the wallet signed: it used it.
        if tx.signers.iter().any(|s| s == wallet) {
            order.extend(tx.accounts.iter().map(String::as_str).filter(|a| held.contains(a)));
        }
    }
    let mut rest: Vec<&TokenHolding> = holdings.iter().collect();
    rest.sort_by_key(|h| (!PAYOUT_MINTS.contains(&h.mint.as_str()), h.amount == 0, h.account.as_str()));
    order.extend(rest.iter().map(|h| h.account.as_str()));

    let mut seen = HashSet::new();
    let all: Vec<String> = order.into_iter().filter(|a| seen.insert(*a)).map(str::to_owned).collect();
    let skipped = u32::try_from(all.len().saturating_sub(budget)).unwrap_or(u32::MAX);
    Plan { read: all.into_iter().take(budget).collect(), skipped }
}

/// The signature lists of `accounts`, up to `cap` entries each, one
/// JSON-RPC call per account. Returns every entry (in no order) and
/// whether some account has more history than was listed.
pub async fn signatures_of(
    rpc: &SolanaRpc,
    accounts: &[String],
    cap: usize,
) -> Result<(Vec<SignatureStatus>, bool), RpcError> {
    let limit = cap.min(SIGNATURE_PAGE);
    let calls: Vec<Call> = accounts
        .iter()
        .map(|account| {
            ("getSignaturesForAddress", json!([account, {"limit": limit, "commitment": "finalized"}]))
        })
        .collect();
    let mut found = Vec::new();
    let mut more = false;
    for page in rpc.call_many::<Vec<SignatureStatus>>(calls).await? {
        let page = page?;
        more |= page.len() == limit;
        found.extend(page);
    }
    Ok((found, more))
}

/// The owner's list (`owner`, newest first) with what only the token
/// accounts' lists hold, newest first by slot, at most `cap`: the merged
/// list, the entries in it that are new, and whether the cap cut any.
pub fn merge(
    owner: Vec<SignatureStatus>,
    found: Vec<SignatureStatus>,
    cap: usize,
) -> (Vec<SignatureStatus>, HashSet<String>, bool) {
    let mut seen: HashSet<String> = owner.iter().map(|s| s.signature.clone()).collect();
    let mut new = HashSet::new();
    let mut merged = owner;
    for status in found {
        if seen.insert(status.signature.clone()) {
            new.insert(status.signature.clone());
            merged.push(status);
        }
    }
    // Stable: within a slot the owner's own order stands.
    merged.sort_by_key(|s| std::cmp::Reverse(s.slot));
    let cut = merged.len() > cap;
    merged.truncate(cap);
    let kept: HashSet<&str> = merged.iter().map(|s| s.signature.as_str()).collect();
    new.retain(|signature| kept.contains(signature.as_str()));
    (merged, new, cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{ComputeBudget, TxVersion};

    const ME: &str = "me";

    fn holding(account: &str, mint: &str, amount: u64) -> TokenHolding {
        TokenHolding { account: account.into(), mint: mint.into(), amount, decimals: 6 }
    }

    fn tx(signers: &[&str], accounts: &[&str], events: Vec<Event>) -> Transaction {
        Transaction {
            signature: "sig".into(),
            slot: 1,
            block_time: None,
            version: TxVersion::Legacy,
            failed: false,
            fee_lamports: 5_000,
            fee_payer: signers[0].into(),
            signers: signers.iter().map(|s| (*s).to_owned()).collect(),
            accounts: accounts.iter().map(|s| (*s).to_owned()).collect(),
            programs: Vec::new(),
            instruction_kinds: Vec::new(),
            memos: Vec::new(),
            transfers: Vec::new(),
            events,
            compute: ComputeBudget::default(),
            wallet_lamport_delta: 0,
        }
    }

    fn status(signature: &str, slot: u64) -> SignatureStatus {
        serde_json::from_value(json!({"signature": signature, "slot": slot, "err": null, "memo": null, "blockTime": null, "confirmationStatus": "finalized"})).unwrap()
    }

    #[test]
    fn accounts_the_wallet_used_come_first_then_payout_mints_then_balances_and_spam_is_cut() {
        let holdings = vec![
            holding("spam-b", "spam-mint-b", 1),
            holding("empty", "other-mint", 0),
            holding("spam-a", "spam-mint-a", 1),
            holding("usdc", PAYOUT_MINTS[0], 0),
            holding("swapped", "jup-mint", 5),
        ];
        let closed =
            Event::TokenAccountClosed { account: "closed".into(), destination: ME.into(), owner: ME.into() };
        let someone_elses = Event::TokenAccountClosed {
            account: "theirs".into(),
            destination: ME.into(),
            owner: "them".into(),
        };
        let txs = vec![
            tx(&[ME], &[ME, "swapped"], vec![closed]),
            // A stranger's airdrop names the spam account, but the wallet did not sign it.
            tx(&["spammer"], &["spammer", "spam-a"], vec![someone_elses]),
        ];
        let plan = plan(ME, &holdings, &txs, 4);
        assert_eq!(plan.read, ["closed", "swapped", "usdc", "spam-a"]);
        assert_eq!(plan.skipped, 2, "spam-b and the empty account are past the budget");
    }

    #[test]
    fn merging_keeps_the_newest_under_the_cap_and_names_only_the_new_entries_it_kept() {
        let owner = vec![status("own-9", 9), status("own-5", 5), status("own-1", 1)];
        let found = vec![status("own-5", 5), status("usdc-7", 7), status("usdc-0", 0)];
        let (merged, new, cut) = merge(owner, found, 4);
        let order: Vec<&str> = merged.iter().map(|s| s.signature.as_str()).collect();
        assert_eq!(order, ["own-9", "usdc-7", "own-5", "own-1"]);
        assert_eq!(new, HashSet::from(["usdc-7".to_owned()]));
        assert!(cut, "usdc-0 fell past the cap");
    }
}
