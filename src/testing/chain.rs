//! A pretend Solana ledger for tests: wallets, their signatures and the
//! transactions behind them, emitted in exactly the JSON shapes mainnet sends
//! with `encoding: "jsonParsed"` (checked against the hand-written fixtures
//! in `tests/fixtures/rpc`, which mirror real mainnet responses).
//!
//! The ledger and its addresses live here; one transaction and its JSON are
//! built in [`super::transaction`].

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::domain::history::WalletHistory;
use crate::domain::programs;
use crate::solana::normalize;
use crate::solana::wire::{EncodedTransaction, KeyedTokenAccount, SignatureStatus};

pub use super::ids::{SOL, TOKEN_ACCOUNT_RENT, USDC, address, program_address, signature};

use super::transaction::ui_amount;
pub use super::transaction::{
    TxBuilder, Version, associated_account_instruction, parsed_inner, raw_inner, recorded_status,
    token_account,
};

/// Wallets and transactions the mock RPC serves.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// wallet → signatures, newest first (with slot)
    history: HashMap<String, Vec<(u64, Value)>>,
    transactions: HashMap<String, Value>,
    balances: HashMap<String, u64>,
    token_accounts: HashMap<String, Vec<Value>>,
    /// address → `getAccountInfo`'s value (base64), for `.sol` names.
    accounts: HashMap<String, Value>,
    /// mint → `getTokenLargestAccounts`'s value.
    largest_token_accounts: HashMap<String, Vec<Value>>,
    next_slot: u64,
}

impl Chain {
    pub fn new() -> Self {
        Self { next_slot: 380_000_000, ..Self::default() }
    }

    /// Records `tx` in the history of every wallet in `involved` (normally the
    /// analysed wallet and its counterparties).
    pub fn add(&mut self, tx: &TxBuilder, involved: &[&str]) -> String {
        self.next_slot += 1_000;
        let slot = tx.slot.unwrap_or(self.next_slot);
        let status = tx.status(slot);
        let signature = tx.signature();
        self.transactions.insert(signature.clone(), tx.build(slot));
        self.list_in_histories(slot, &status, involved);
        signature
    }

    /// Puts a signature-list entry into the history of every wallet in
    /// `involved`, newest first by slot, ties by signature for a stable order.
    fn list_in_histories(&mut self, slot: u64, status: &Value, involved: &[&str]) {
        for wallet in involved {
            let list = self.history.entry((*wallet).to_owned()).or_default();
            list.push((slot, status.clone()));
            list.sort_by(|(sa, a), (sb, b)| {
                sb.cmp(sa).then(b["signature"].as_str().cmp(&a["signature"].as_str()))
            });
        }
    }

    /// Serves a `getTransaction` result recorded from mainnet, unchanged, in
    /// the history of every wallet in `involved`; its signature-list entry is
    /// derived from the result the way the node derives it.
    pub fn add_recorded(&mut self, result: &Value, involved: &[&str]) -> String {
        let status = recorded_status(result);
        let signature = status["signature"].as_str().unwrap_or_default().to_owned();
        let slot = status["slot"].as_u64().unwrap_or_default();
        self.next_slot = self.next_slot.max(slot);
        self.transactions.insert(signature.clone(), result.clone());
        self.list_in_histories(slot, &status, involved);
        signature
    }

    /// A signature whose transaction the node no longer has (pruned).
    pub fn add_missing(&mut self, wallet: &str, seed: &str, block_time: i64) -> String {
        self.next_slot += 1_000;
        let signature = signature(seed);
        let status = json!({"blockTime": block_time, "confirmationStatus": "finalized", "err": null, "memo": null, "signature": signature, "slot": self.next_slot});
        self.history.entry(wallet.to_owned()).or_default().insert(0, (self.next_slot, status));
        signature
    }

    pub fn set_balance(&mut self, wallet: &str, lamports: u64) {
        self.balances.insert(wallet.to_owned(), lamports);
    }

    pub fn add_token_account(&mut self, owner: &str, mint: &str, amount: u64, decimals: u8) {
        self.add_token_account_of(programs::TOKEN, owner, mint, amount, decimals);
    }

    /// A token account under `program` (the classic Token program or
    /// Token-2022), as `getTokenAccountsByOwner` with that `programId` lists it.
    pub fn add_token_account_of(
        &mut self,
        program: &str,
        owner: &str,
        mint: &str,
        amount: u64,
        decimals: u8,
    ) {
        let parser = if program == programs::TOKEN_2022 { "spl-token-2022" } else { "spl-token" };
        let account = json!({
            "account": {
                "data": {
                    "parsed": {
                        "info": {
                            "isNative": false,
                            "mint": mint,
                            "owner": owner,
                            "state": "initialized",
                            "tokenAmount": ui_amount(amount, decimals),
                        },
                        "type": "account",
                    },
                    "program": parser,
                    "space": 165,
                },
                "executable": false,
                "lamports": TOKEN_ACCOUNT_RENT,
                "owner": program,
                "rentEpoch": u64::MAX,
                "space": 165,
            },
            "pubkey": token_account(owner, mint),
        });
        self.token_accounts.entry(owner.to_owned()).or_default().push(account);
    }

    /// Puts an account (`getAccountInfo`'s value, see
    /// [`crate::solana::sns::account_json`]) at `address`.
    pub fn set_account(&mut self, address: &str, account: Value) {
        self.accounts.insert(address.to_owned(), account);
    }

    pub fn account(&self, address: &str) -> Option<&Value> {
        self.accounts.get(address)
    }

    /// The largest holders of `mint`, as `getTokenLargestAccounts` lists them.
    pub fn set_largest_token_accounts(&mut self, mint: &str, accounts: Vec<Value>) {
        self.largest_token_accounts.insert(mint.to_owned(), accounts);
    }

    pub fn largest_token_accounts(&self, mint: &str) -> Option<&[Value]> {
        self.largest_token_accounts.get(mint).map(Vec::as_slice)
    }

    pub fn signatures(&self, wallet: &str) -> &[(u64, Value)] {
        self.history.get(wallet).map_or(&[], Vec::as_slice)
    }

    pub fn transaction(&self, signature: &str) -> Option<&Value> {
        self.transactions.get(signature)
    }

    /// Every transaction on the chain, by signature (in no order).
    pub fn transactions(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.transactions.iter().map(|(signature, tx)| (signature.as_str(), tx))
    }

    pub fn balance(&self, wallet: &str) -> u64 {
        self.balances.get(wallet).copied().unwrap_or(0)
    }

    pub fn token_accounts(&self, owner: &str) -> &[Value] {
        self.token_accounts.get(owner).map_or(&[], Vec::as_slice)
    }

    pub fn slot(&self) -> u64 {
        self.next_slot
    }

    /// What fetching `wallet`'s whole history would give, through the same
    /// wire types and normaliser as the worker, without a server.
    pub fn history(&self, wallet: &str) -> WalletHistory {
        let decode = |value: &Value| -> EncodedTransaction {
            serde_json::from_value(value.clone()).expect("the chain emits wire-shaped transactions")
        };
        let statuses: Vec<SignatureStatus> = self
            .signatures(wallet)
            .iter()
            .map(|(_, status)| serde_json::from_value(status.clone()).expect("a signature status"))
            .collect();
        let transactions = statuses
            .iter()
            .filter_map(|s| self.transaction(&s.signature))
            .map(|tx| normalize::transaction(wallet, &decode(tx)))
            .collect();
        let tokens: Vec<KeyedTokenAccount> =
            serde_json::from_value(Value::Array(self.token_accounts(wallet).to_vec()))
                .expect("token accounts");
        WalletHistory {
            wallet: wallet.to_owned(),
            signatures: statuses.iter().map(normalize::signature_info).collect(),
            transactions,
            history_truncated: false,
            balance_lamports: Some(self.balance(wallet)),
            token_accounts: normalize::token_holdings(&tokens),
            token_account_reads: Default::default(),
        }
    }
}
