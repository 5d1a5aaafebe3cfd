//! Turns wire transactions into the analysis model: one shape for legacy, v0
//! and v1, owners instead of token accounts where the node told us, and the
//! instructions a privacy analysis cares about as typed events.
//!
//! Pure and total: any well-typed wire value produces a model value; parsed
//! instructions with unexpected fields are skipped, never a panic.

use serde_json::Value;

use crate::domain::history::{SignatureInfo, TokenHolding, Transaction, TxVersion};

use super::instructions::{InstructionReader, TokenAccounts};
use super::wire::{EncodedTransaction, KeyedTokenAccount, SignatureStatus, WireVersion};

pub fn signature_info(status: &SignatureStatus) -> SignatureInfo {
    SignatureInfo {
        signature: status.signature.clone(),
        slot: status.slot,
        block_time: status.block_time,
        failed: status.err.is_some(),
    }
}

/// Normalises one fetched transaction for `wallet`.
pub fn transaction(wallet: &str, tx: &EncodedTransaction) -> Transaction {
    let message = &tx.transaction.message;
    let accounts: Vec<String> = message.account_keys.iter().map(|k| k.pubkey.clone()).collect();
    let signers: Vec<String> =
        message.account_keys.iter().filter(|k| k.signer).map(|k| k.pubkey.clone()).collect();
    let fee_payer = accounts.first().cloned().unwrap_or_default();
    let meta = tx.meta.as_ref();

    let version = match tx.version {
        None | Some(WireVersion::Legacy) => TxVersion::Legacy,
        Some(WireVersion::Number(0)) => TxVersion::V0,
        Some(WireVersion::Number(_)) => TxVersion::V1,
    };

    // Token account → owner: from the balances the node recorded, then from
    // every instruction that names an account's owner.
    let mut token_accounts = TokenAccounts::default();
    if let Some(meta) = meta {
        let balances = meta.pre_token_balances.iter().chain(meta.post_token_balances.iter());
        for balance in balances.flatten() {
            if let Some(account) = accounts.get(balance.account_index as usize) {
                token_accounts.record_balance(
                    account,
                    balance.owner.as_deref(),
                    &balance.mint,
                    balance.ui_token_amount.decimals,
                );
            }
        }
    }
    let inner = meta.and_then(|m| m.inner_instructions.as_ref());
    let inner_instructions = || inner.into_iter().flatten().flat_map(|group| &group.instructions);
    for ix in message.instructions.iter().chain(inner_instructions()) {
        token_accounts.learn_from(ix);
    }

    let mut reader = InstructionReader::new(&token_accounts);
    for ix in &message.instructions {
        reader.read(ix, true);
    }
    for ix in inner_instructions() {
        reader.read(ix, false);
    }
    let was_empty = |account: &str| {
        let index = accounts.iter().position(|a| a == account);
        index.and_then(|i| meta?.pre_balances.get(i)).is_none_or(|lamports| *lamports == 0)
    };
    reader.finish(inner.is_some(), was_empty);

    if let Some(config) = &message.transaction_config {
        // v1: the message carries the budget; the fee is a lamport total.
        reader.compute.unit_limit = config.compute_unit_limit.or(reader.compute.unit_limit);
        reader.compute.priority_fee_lamports = config.priority_fee;
    } else if let (Some(price), Some(limit)) =
        (reader.compute.unit_price_micro_lamports, reader.compute.unit_limit)
    {
        let lamports = (u128::from(price) * u128::from(limit)).div_ceil(1_000_000);
        reader.compute.priority_fee_lamports = u64::try_from(lamports).ok();
    }

    let wallet_lamport_delta = meta
        .and_then(|m| {
            let index = accounts.iter().position(|a| a == wallet)?;
            let pre = *m.pre_balances.get(index)? as i128;
            let post = *m.post_balances.get(index)? as i128;
            i64::try_from(post - pre).ok()
        })
        .unwrap_or(0);

    let wallet_lamports_before = meta.and_then(|m| {
        let index = accounts.iter().position(|a| a == wallet)?;
        m.pre_balances.get(index).copied()
    });

    let InstructionReader { programs, instruction_kinds, memos, transfers, events, compute, .. } = reader;
    Transaction {
        signature: tx.transaction.signatures.first().cloned().unwrap_or_default(),
        slot: tx.slot,
        block_time: tx.block_time,
        version,
        // Without `meta` the node did not say whether it executed: none of
        // its effects can be counted on.
        failed: meta.is_none_or(|m| m.err.is_some()),
        fee_lamports: meta.map_or(0, |m| m.fee),
        fee_payer,
        signers,
        accounts,
        programs,
        instruction_kinds,
        memos,
        transfers,
        events,
        compute,
        wallet_lamport_delta,
        wallet_lamports_before,
    }
}

/// The wallet's SPL token accounts from `getTokenAccountsByOwner` (jsonParsed).
pub fn token_holdings(accounts: &[KeyedTokenAccount]) -> Vec<TokenHolding> {
    accounts
        .iter()
        .filter_map(|keyed| {
            let info = keyed.account.data.get("parsed")?.get("info")?;
            let amount = info.get("tokenAmount")?;
            Some(TokenHolding {
                account: keyed.pubkey.clone(),
                mint: str_field(info, "mint")?,
                amount: amount.get("amount")?.as_str()?.parse().ok()?,
                decimals: u8::try_from(amount.get("decimals")?.as_u64()?).ok()?,
            })
        })
        .collect()
}

fn str_field(info: &Value, key: &str) -> Option<String> {
    info.get(key).and_then(Value::as_str).map(str::to_owned)
}
