//! Fetching one wallet's history: signatures (paged with `before`, up to the
//! history cap), the transactions behind them (batched, each read once:
//! `tx_cache`), balance and token accounts, then what reached the token
//! accounts without naming the wallet (`token_accounts`), merged newest
//! first under the same cap — normalised for the analysis.

use std::collections::{HashMap, HashSet};

use super::client::{RpcError, SolanaRpc};
use super::normalize;
use super::read_status::{Gaps, Progress};
pub use super::token_accounts::TOKEN_ACCOUNT_BUDGET;
use super::tx_cache::read_transactions;
use super::wire::SignatureStatus;
use super::{listed, token_accounts};
use crate::domain::WalletAddress;
use crate::domain::history::{TokenAccountReads, TokenHolding, Transaction, WalletHistory};

pub async fn fetch_history(
    rpc: &SolanaRpc,
    wallet: &WalletAddress,
    history_cap: usize,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(WalletHistory, Gaps), RpcError> {
    // Where the endpoint has it, one call reads 100 whole transactions,
    // the token accounts' included.
    if let Some(found) = super::fast_history::fetch_history(rpc, wallet, history_cap, on_progress).await? {
        return Ok(found);
    }
    let previous = listed::remembered(rpc, wallet.as_str()).await;
    let (statuses, truncated, new) =
        listed::signatures_since(rpc, wallet.as_str(), history_cap, previous.as_ref()).await?;
    let mut total = statuses.len() as u32;
    on_progress(Progress::fetching(0, total));
    let mut gaps = Gaps::default();
    let owner_signatures: Vec<String> = statuses.iter().map(|s| s.signature.clone()).collect();
    let own = read_transactions(rpc, wallet.as_str(), &owner_signatures, &mut gaps, &mut |done| {
        on_progress(Progress::fetching(done, total))
    })
    .await?;
    let known_balance = previous.as_ref().filter(|_| new == 0).and_then(|p| p.balance);
    let (balance, token_accounts) = match known_balance {
        Some(balance) => (balance, token_accounts::holdings(rpc, wallet.as_str()).await?),
        None => super::holdings::balance_and_holdings(rpc, wallet).await?,
    };

    // What reached the wallet's token accounts without naming the wallet.
    let (chosen, skipped) =
        token_accounts::choose(wallet.as_str(), &token_accounts, &own.transactions, TOKEN_ACCOUNT_BUDGET);
    let fresh: HashSet<&str> =
        owner_signatures[..new.min(owner_signatures.len())].iter().map(String::as_str).collect();
    let lists =
        token_account_lists(rpc, &chosen, &token_accounts, &own.transactions, &fresh, history_cap).await?;
    let mut token_pages_full = false;
    let mut merged: Vec<SignatureStatus> = statuses.clone();
    let mut seen: HashSet<String> = owner_signatures.iter().cloned().collect();
    for list in lists {
        token_pages_full |= list.truncated;
        merged.extend(list.statuses.into_iter().filter(|s| seen.insert(s.signature.clone())));
    }
    // Newest first across every list, under the same cap.
    merged.sort_by(|a, b| b.slot.cmp(&a.slot).then_with(|| b.signature.cmp(&a.signature)));
    let over_cap = merged.len() > history_cap;
    merged.truncate(history_cap);
    let owned: HashSet<&str> = owner_signatures.iter().map(String::as_str).collect();
    let via_tokens: Vec<String> = merged
        .iter()
        .filter(|s| !owned.contains(s.signature.as_str()))
        .map(|s| s.signature.clone())
        .collect();
    total = merged.len() as u32;
    let before = total - via_tokens.len() as u32;
    let extra = read_transactions(rpc, wallet.as_str(), &via_tokens, &mut gaps, &mut |done| {
        on_progress(Progress::fetching(before + done, total))
    })
    .await?;
    let remembered = listed::Listed { statuses, truncated, balance: Some(balance), amount: None };
    listed::remember(rpc, wallet.as_str(), &remembered).await;

    let mut by_signature: HashMap<String, Transaction> =
        own.transactions.into_iter().chain(extra.transactions).map(|tx| (tx.signature.clone(), tx)).collect();
    let transactions: Vec<Transaction> =
        merged.iter().filter_map(|s| by_signature.remove(&s.signature)).collect();
    let history = WalletHistory {
        wallet: wallet.to_string(),
        signatures: merged.iter().map(normalize::signature_info).collect(),
        transactions,
        history_truncated: truncated || over_cap || token_pages_full,
        balance_lamports: Some(balance),
        token_accounts,
        token_account_reads: TokenAccountReads {
            read: chosen.len() as u32,
            skipped,
            transactions: via_tokens.len() as u32,
        },
    };
    Ok((history, gaps))
}

/// The signature lists of the `chosen` token accounts. One remembered from
/// last time is asked only for what is newer (`until`), and not asked at
/// all when nothing can have reached it since: its amount is the same and
/// none of the owner's `fresh` transactions names it.
async fn token_account_lists(
    rpc: &SolanaRpc,
    chosen: &[String],
    holdings: &[TokenHolding],
    own: &[Transaction],
    fresh: &HashSet<&str>,
    cap: usize,
) -> Result<Vec<listed::Listed>, RpcError> {
    let limit = (cap + 1).min(listed::SIGNATURE_PAGE);
    let mut lists: Vec<listed::Listed> = Vec::with_capacity(chosen.len());
    let mut asked: Vec<(usize, (String, Option<String>))> = Vec::new();
    for (index, account) in chosen.iter().enumerate() {
        let amount = holdings.iter().find(|h| h.account == *account).map(|h| h.amount);
        let previous = listed::remembered(rpc, account).await;
        let named =
            own.iter().any(|tx| fresh.contains(tx.signature.as_str()) && tx.accounts.contains(account));
        let unchanged = previous.as_ref().is_some_and(|p| p.amount == amount && !named);
        let previous = previous.unwrap_or_default();
        if !unchanged {
            asked.push((index, (account.clone(), previous.newest().map(str::to_owned))));
        }
        lists.push(listed::Listed { amount, ..previous });
    }
    let calls: Vec<(String, Option<String>)> = asked.iter().map(|(_, call)| call.clone()).collect();
    let pages = token_accounts::signature_lists(rpc, &calls, limit).await?;
    for ((index, (account, until)), page) in asked.into_iter().zip(pages) {
        let list = &mut lists[index];
        let full = page.len() == limit;
        let (statuses, truncated) = list.extended(page, limit);
        // A whole page of news after `until` may hide more between them;
        // the next read starts afresh.
        list.statuses = statuses;
        list.truncated = truncated || (full && until.is_none());
        if !(full && until.is_some()) {
            listed::remember(rpc, &account, list).await;
        }
    }
    Ok(lists)
}
