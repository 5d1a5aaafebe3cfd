//! A pretend Solana ledger for tests: wallets, their signatures and the
//! transactions behind them, emitted in exactly the JSON shapes mainnet sends
//! with `encoding: "jsonParsed"` (checked against the hand-written fixtures
//! in `tests/fixtures/rpc`, which mirror real mainnet responses).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::analysis::address::is_program_derived;
use crate::domain::history::WalletHistory;
use crate::domain::programs;
use crate::solana::normalize;
use crate::solana::wire::{EncodedTransaction, KeyedTokenAccount, SignatureStatus};

pub const SOL: u64 = 1_000_000_000;
/// USDC's mint: a real address for realistic token transfers.
pub const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
/// The rent-exempt minimum of a token account, as on mainnet.
pub const TOKEN_ACCOUNT_RENT: u64 = 2_039_280;
const BASE_FEE: u64 = 5_000;

/// A deterministic wallet address (on the ed25519 curve, like every keypair's
/// public key) from any seed text.
pub fn address(seed: &str) -> String {
    derived(seed, |candidate| !is_program_derived(candidate))
}

/// A deterministic program-derived address (off the curve, like a pool vault
/// or a bonding curve) from any seed text.
pub fn program_address(seed: &str) -> String {
    derived(seed, is_program_derived)
}

/// The first of `sha256(seed)`, `sha256(seed#1)`, … that `wanted` accepts;
/// about half of all 32-byte strings lie on the curve, so this ends quickly.
fn derived(seed: &str, wanted: impl Fn(&str) -> bool) -> String {
    (0u32..)
        .map(|n| {
            let text = if n == 0 { seed.to_owned() } else { format!("{seed}#{n}") };
            bs58::encode(Sha256::digest(text.as_bytes())).into_string()
        })
        .find(|candidate| wanted(candidate))
        .expect("some candidate fits")
}

/// A deterministic 64-byte signature from any seed text.
pub fn signature(seed: &str) -> String {
    let a = Sha256::digest(format!("sig-a:{seed}").as_bytes());
    let b = Sha256::digest(format!("sig-b:{seed}").as_bytes());
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&a);
    bytes[32..].copy_from_slice(&b);
    bs58::encode(bytes).into_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Legacy,
    V0,
    V1,
}

/// One transaction, built up instruction by instruction.
#[derive(Clone, Debug)]
pub struct TxBuilder {
    seed: String,
    block_time: i64,
    slot: Option<u64>,
    version: Version,
    failed: bool,
    fee_payer: String,
    co_signers: Vec<String>,
    instructions: Vec<Value>,
    /// Lamport change per account, fee excluded.
    lamport_deltas: BTreeMap<String, i64>,
    /// (token account, owner, mint, decimals, pre, post)
    token_balances: Vec<(String, String, String, u8, u64, u64)>,
    lookup_table_accounts: Vec<String>,
    compute_unit_limit: Option<u32>,
    compute_unit_price: Option<u64>,
    priority_fee_lamports: Option<u64>,
    memo_texts: Vec<String>,
    /// Inner (CPI) instructions, by the position of the top-level
    /// instruction in `instructions` that made them.
    inner: BTreeMap<usize, Vec<Value>>,
    /// Accounts the message lists as writable although no balance of theirs
    /// changes (an account created and closed in the same transaction).
    touched: Vec<String>,
}

impl TxBuilder {
    /// A transaction paid and signed by `fee_payer` at `block_time`.
    pub fn new(fee_payer: &str, block_time: i64) -> Self {
        Self {
            seed: format!("{fee_payer}:{block_time}"),
            block_time,
            slot: None,
            version: Version::Legacy,
            failed: false,
            fee_payer: fee_payer.to_owned(),
            co_signers: Vec::new(),
            instructions: Vec::new(),
            lamport_deltas: BTreeMap::new(),
            token_balances: Vec::new(),
            lookup_table_accounts: Vec::new(),
            compute_unit_limit: None,
            compute_unit_price: None,
            priority_fee_lamports: None,
            memo_texts: Vec::new(),
            inner: BTreeMap::new(),
            touched: Vec::new(),
        }
    }

    /// Distinguishes transactions that would otherwise get the same signature.
    pub fn seed(mut self, seed: impl Into<String>) -> Self {
        self.seed = format!("{}:{}", self.seed, seed.into());
        self
    }

    pub fn slot(mut self, slot: u64) -> Self {
        self.slot = Some(slot);
        self
    }

    pub fn version(mut self, version: Version) -> Self {
        self.version = version;
        self
    }

    pub fn failed(mut self) -> Self {
        self.failed = true;
        self
    }

    pub fn co_signer(mut self, signer: &str) -> Self {
        self.co_signers.push(signer.to_owned());
        self
    }

    pub fn sol_transfer(mut self, from: &str, to: &str, lamports: u64) -> Self {
        self.instructions.push(parsed(
            "system",
            programs::SYSTEM,
            json!({"info": {"destination": to, "lamports": lamports, "source": from}, "type": "transfer"}),
        ));
        *self.lamport_deltas.entry(from.to_owned()).or_default() -= lamports as i64;
        *self.lamport_deltas.entry(to.to_owned()).or_default() += lamports as i64;
        self
    }

    /// A `transferChecked` between the owners' token accounts for `mint`.
    pub fn token_transfer(
        mut self,
        from_owner: &str,
        to_owner: &str,
        mint: &str,
        amount: u64,
        decimals: u8,
    ) -> Self {
        let source = token_account(from_owner, mint);
        let destination = token_account(to_owner, mint);
        self.instructions.push(parsed(
            "spl-token",
            programs::TOKEN,
            json!({"info": {
                "authority": from_owner,
                "destination": destination,
                "mint": mint,
                "source": source,
                "tokenAmount": ui_amount(amount, decimals),
            }, "type": "transferChecked"}),
        ));
        let start = amount + 1_000 * 10u64.pow(u32::from(decimals));
        self.token_balances.push((
            source,
            from_owner.to_owned(),
            mint.to_owned(),
            decimals,
            start,
            start - amount,
        ));
        self.token_balances.push((destination, to_owner.to_owned(), mint.to_owned(), decimals, 0, amount));
        self
    }

    pub fn memo(mut self, text: &str) -> Self {
        self.instructions.push(parsed("spl-memo", programs::MEMO, Value::String(text.to_owned())));
        self.memo_texts.push(text.to_owned());
        self
    }

    /// Creates `owner`'s associated token account for `mint`, paid by `payer`.
    pub fn create_token_account(mut self, payer: &str, owner: &str, mint: &str) -> Self {
        let account = token_account(owner, mint);
        self.instructions.push(parsed(
            "spl-associated-token-account",
            programs::ASSOCIATED_TOKEN,
            associated_account_instruction("create", payer, owner, mint),
        ));
        *self.lamport_deltas.entry(payer.to_owned()).or_default() -= TOKEN_ACCOUNT_RENT as i64;
        *self.lamport_deltas.entry(account).or_default() += TOKEN_ACCOUNT_RENT as i64;
        self
    }

    /// A top-level instruction as the node parses it (`parsed` holds `type`
    /// and `info`); `program` is the parser's name for `program_id`.
    pub fn parsed_instruction(mut self, program: &str, program_id: &str, parsed_value: Value) -> Self {
        self.instructions.push(parsed(program, program_id, parsed_value));
        self
    }

    /// A top-level instruction of a program the node cannot parse.
    pub fn raw_instruction(mut self, program_id: &str, data: &[u8]) -> Self {
        self.instructions.push(raw(program_id, data));
        self
    }

    /// Inner instructions made by the last top-level instruction, in the
    /// shapes `parsed_inner` and `raw_inner` give.
    pub fn inner(mut self, instructions: Vec<Value>) -> Self {
        let index = self.instructions.len().checked_sub(1).expect("a top-level instruction first");
        self.inner.entry(index).or_default().extend(instructions);
        self
    }

    /// Moves `lamports` from `from` to `to` without an instruction of its
    /// own (the effect of a program, or of the inner instructions given).
    pub fn lamports_move(mut self, from: &str, to: &str, lamports: u64) -> Self {
        *self.lamport_deltas.entry(from.to_owned()).or_default() -= lamports as i64;
        *self.lamport_deltas.entry(to.to_owned()).or_default() += lamports as i64;
        self
    }

    /// Records the token balance of `account` (owned by `owner`) before and
    /// after, as `preTokenBalances`/`postTokenBalances` list it.
    pub fn token_balance(
        mut self,
        account: &str,
        owner: &str,
        mint: &str,
        decimals: u8,
        (before, after): (u64, u64),
    ) -> Self {
        self.token_balances.push((
            account.to_owned(),
            owner.to_owned(),
            mint.to_owned(),
            decimals,
            before,
            after,
        ));
        self
    }

    /// Lists `account` as writable although neither its SOL nor its token
    /// balance differs before and after.
    pub fn touch(mut self, account: &str) -> Self {
        self.touched.push(account.to_owned());
        self
    }

    /// Legacy/v0 priority fee: ComputeBudget instructions (price in µ-lamports/CU).
    pub fn compute_budget(mut self, unit_limit: u32, micro_lamports_per_unit: u64) -> Self {
        self.compute_unit_limit = Some(unit_limit);
        self.compute_unit_price = Some(micro_lamports_per_unit);
        self
    }

    /// v1 priority fee: a lamport total in the message's `transactionConfig`.
    pub fn priority_fee(mut self, unit_limit: u32, lamports: u64) -> Self {
        self.version = Version::V1;
        self.compute_unit_limit = Some(unit_limit);
        self.priority_fee_lamports = Some(lamports);
        self
    }

    /// v0: these read-only accounts come from an address lookup table.
    pub fn via_lookup_table(mut self, accounts: &[&str]) -> Self {
        self.version = Version::V0;
        self.lookup_table_accounts.extend(accounts.iter().map(|a| (*a).to_owned()));
        self
    }

    pub fn signature(&self) -> String {
        signature(&self.seed)
    }

    fn priority_fee_total(&self) -> u64 {
        match (self.version, self.priority_fee_lamports, self.compute_unit_limit, self.compute_unit_price) {
            (Version::V1, Some(fee), _, _) => fee,
            (_, _, Some(limit), Some(price)) => {
                (u128::from(limit) * u128::from(price)).div_ceil(1_000_000) as u64
            }
            _ => 0,
        }
    }

    /// The `getSignaturesForAddress` entry for this transaction.
    pub fn status(&self, slot: u64) -> Value {
        let memo = if self.memo_texts.is_empty() {
            Value::Null
        } else {
            // Agave formats memos as "[len] text", several joined by "; ".
            let parts: Vec<String> = self.memo_texts.iter().map(|m| format!("[{}] {m}", m.len())).collect();
            Value::String(parts.join("; "))
        };
        json!({
            "blockTime": self.block_time,
            "confirmationStatus": "finalized",
            "err": if self.failed { failure() } else { Value::Null },
            "memo": memo,
            "signature": self.signature(),
            "slot": slot,
        })
    }

    /// The `getTransaction` result (jsonParsed) for this transaction.
    pub fn build(&self, slot: u64) -> Value {
        let mut instructions = Vec::new();
        let mut inner: Vec<Value> = Vec::new();
        if self.version != Version::V1 {
            if let Some(limit) = self.compute_unit_limit {
                let mut data = vec![2u8];
                data.extend_from_slice(&limit.to_le_bytes());
                instructions.push(raw(programs::COMPUTE_BUDGET, &data));
            }
            if let Some(price) = self.compute_unit_price {
                let mut data = vec![3u8];
                data.extend_from_slice(&price.to_le_bytes());
                instructions.push(raw(programs::COMPUTE_BUDGET, &data));
            }
        }
        let offset = instructions.len();
        instructions.extend(self.instructions.iter().cloned());
        for (index, group) in &self.inner {
            let group: Vec<Value> = group
                .iter()
                .map(|ix| {
                    let mut ix = ix.clone();
                    ix["stackHeight"] = json!(2);
                    ix
                })
                .collect();
            inner.push(json!({"index": index + offset, "instructions": group}));
        }

        let inner_programs: Vec<Value> = self.inner.values().flatten().cloned().collect();
        let keys = self.account_keys(&instructions, &inner_programs);
        let fee = BASE_FEE + self.priority_fee_total();
        let mut pre = Vec::new();
        let mut post = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let pubkey = key["pubkey"].as_str().expect("pubkey");
            let executable = is_program(pubkey);
            let mut delta =
                if self.failed { 0 } else { self.lamport_deltas.get(pubkey).copied().unwrap_or(0) };
            if i == 0 {
                delta -= fee as i64;
            }
            // Enough to cover what the account sends: balances are u64 on chain.
            let start: i64 = if executable {
                1_141_440
            } else if self.touched.iter().any(|t| t == pubkey) {
                // Opened and closed within this transaction: empty before and after.
                (-delta).max(0)
            } else {
                10 * SOL as i64 + (-delta).max(0)
            };
            pre.push(start);
            post.push(start + delta);
        }
        let index_of =
            |account: &str| keys.iter().position(|k| k["pubkey"] == account).expect("account in keys");
        let token_balances = |post_side: bool| -> Vec<Value> {
            self.token_balances
                .iter()
                .map(|(account, owner, mint, decimals, before, after)| {
                    let amount = if post_side && !self.failed { *after } else { *before };
                    json!({
                        "accountIndex": index_of(account),
                        "mint": mint,
                        "owner": owner,
                        "programId": programs::TOKEN,
                        "uiTokenAmount": ui_amount(amount, *decimals),
                    })
                })
                .collect()
        };
        let logs: Vec<String> = instructions
            .iter()
            .flat_map(|ix| {
                let program = ix["programId"].as_str().unwrap_or_default();
                [format!("Program {program} invoke [1]"), format!("Program {program} success")]
            })
            .collect();

        let mut message = json!({
            "accountKeys": keys,
            "instructions": instructions,
            "recentBlockhash": address(&format!("blockhash:{}", self.seed)),
        });
        if !self.lookup_table_accounts.is_empty() {
            message["addressTableLookups"] = json!([{
                "accountKey": address(&format!("lookup-table:{}", self.fee_payer)),
                "readonlyIndexes": (0..self.lookup_table_accounts.len()).collect::<Vec<_>>(),
                "writableIndexes": [],
            }]);
        }
        if self.version == Version::V1 {
            message["transactionConfig"] = json!({
                "computeUnitLimit": self.compute_unit_limit,
                "heapSize": null,
                "loadedAccountsDataSizeLimit": null,
                "priorityFee": self.priority_fee_lamports,
            });
        }
        let err = if self.failed { failure() } else { Value::Null };
        json!({
            "blockTime": self.block_time,
            "meta": {
                "computeUnitsConsumed": 150 * instructions.len() as u64,
                "costUnits": 1_481 + 150 * instructions.len() as u64,
                "err": err,
                "fee": fee,
                "innerInstructions": inner,
                "logMessages": logs,
                "postBalances": post,
                "postTokenBalances": token_balances(true),
                "preBalances": pre,
                "preTokenBalances": token_balances(false),
                "rewards": [],
                "status": if self.failed { json!({"Err": failure()}) } else { json!({"Ok": null}) },
            },
            "slot": slot,
            "transaction": {"message": message, "signatures": [self.signature()]},
            "version": match self.version {
                Version::Legacy => json!("legacy"),
                Version::V0 => json!(0),
                Version::V1 => json!(1),
            },
        })
    }

    /// Fee payer, other signers, writable accounts, read-only ones (programs
    /// last), then lookup-table accounts — the order a real message uses.
    fn account_keys(&self, instructions: &[Value], inner: &[Value]) -> Vec<Value> {
        let mut signers = vec![self.fee_payer.clone()];
        signers.extend(self.co_signers.iter().filter(|s| **s != self.fee_payer).cloned());
        let mut writable: Vec<String> = Vec::new();
        let mut readonly: Vec<String> = Vec::new();
        let note = |account: &str, list: &mut Vec<String>| {
            if !signers.iter().any(|s| s == account) && !list.iter().any(|a| a == account) {
                list.push(account.to_owned());
            }
        };
        for account in self.lamport_deltas.keys() {
            note(account, &mut writable);
        }
        for (account, ..) in &self.token_balances {
            note(account, &mut writable);
        }
        for account in &self.touched {
            note(account, &mut writable);
        }
        for ix in instructions.iter().chain(inner) {
            let program = ix["programId"].as_str().expect("programId");
            if !self.lookup_table_accounts.iter().any(|a| a == program) {
                note(program, &mut readonly);
            }
        }
        if let Some(mint) = self.token_balances.first().map(|t| t.2.clone())
            && !self.lookup_table_accounts.contains(&mint)
        {
            note(&mint, &mut readonly);
        }
        readonly.retain(|a| !writable.contains(a));
        let key = |pubkey: &str, signer: bool, writable: bool, source: &str| json!({"pubkey": pubkey, "signer": signer, "source": source, "writable": writable});
        let mut keys: Vec<Value> = signers.iter().map(|s| key(s, true, true, "transaction")).collect();
        keys.extend(writable.iter().map(|a| key(a, false, true, "transaction")));
        keys.extend(readonly.iter().map(|a| key(a, false, false, "transaction")));
        keys.extend(self.lookup_table_accounts.iter().map(|a| key(a, false, false, "lookupTable")));
        keys
    }
}

/// The associated token account of `owner` for `mint` (a deterministic
/// stand-in; program-derived, like the real one).
pub fn token_account(owner: &str, mint: &str) -> String {
    program_address(&format!("ata:{owner}:{mint}"))
}

fn is_program(account: &str) -> bool {
    [
        programs::SYSTEM,
        programs::TOKEN,
        programs::MEMO,
        programs::COMPUTE_BUDGET,
        programs::ASSOCIATED_TOKEN,
        USDC,
    ]
    .contains(&account)
}

/// An inner instruction the node parsed (`parsed` holds `type` and `info`).
/// The `parsed` value of an associated-token-account instruction (`create`
/// or `createIdempotent`) for `owner`'s account of `mint`, paid by `payer`.
pub fn associated_account_instruction(kind: &str, payer: &str, owner: &str, mint: &str) -> Value {
    json!({"info": {
        "account": token_account(owner, mint),
        "mint": mint,
        "source": payer,
        "systemProgram": programs::SYSTEM,
        "tokenProgram": programs::TOKEN,
        "wallet": owner,
    }, "type": kind})
}

pub fn parsed_inner(program: &str, program_id: &str, parsed_value: Value) -> Value {
    parsed(program, program_id, parsed_value)
}

/// An inner instruction of a program the node cannot parse.
pub fn raw_inner(program_id: &str, data: &[u8]) -> Value {
    raw(program_id, data)
}

fn parsed(program: &str, program_id: &str, parsed: Value) -> Value {
    json!({"parsed": parsed, "program": program, "programId": program_id, "stackHeight": null})
}

fn raw(program_id: &str, data: &[u8]) -> Value {
    json!({"accounts": [], "data": bs58::encode(data).into_string(), "programId": program_id, "stackHeight": null})
}

fn failure() -> Value {
    json!({"InstructionError": [0, {"Custom": 1}]})
}

/// The `getSignaturesForAddress` entry the node reports for a recorded
/// `getTransaction` result: its first signature, slot, time and error, and
/// the memos of its top-level memo instructions (inner ones are not listed).
pub fn recorded_status(result: &Value) -> Value {
    let memos: Vec<String> = result["transaction"]["message"]["instructions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|ix| ix["program"] == "spl-memo")
        .filter_map(|ix| ix["parsed"].as_str())
        .map(|text| format!("[{}] {text}", text.len()))
        .collect();
    json!({
        "blockTime": result["blockTime"],
        "confirmationStatus": "finalized",
        "err": result["meta"]["err"],
        "memo": if memos.is_empty() { Value::Null } else { Value::String(memos.join("; ")) },
        "signature": result["transaction"]["signatures"][0],
        "slot": result["slot"],
    })
}

fn ui_amount(amount: u64, decimals: u8) -> Value {
    let scale = 10f64.powi(i32::from(decimals));
    let ui = amount as f64 / scale;
    let text = if decimals == 0 {
        amount.to_string()
    } else {
        let whole = amount / 10u64.pow(u32::from(decimals));
        let frac = amount % 10u64.pow(u32::from(decimals));
        let frac = format!("{frac:0width$}", width = usize::from(decimals));
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") }
    };
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": if amount == 0 { Value::Null } else { json!(ui) },
        "uiAmountString": text,
    })
}

/// Wallets and transactions the mock RPC serves.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// wallet → signatures, newest first (with slot)
    history: HashMap<String, Vec<(u64, Value)>>,
    transactions: HashMap<String, Value>,
    balances: HashMap<String, u64>,
    token_accounts: HashMap<String, Vec<Value>>,
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
        for wallet in involved {
            let list = self.history.entry((*wallet).to_owned()).or_default();
            list.push((slot, status.clone()));
            // Newest first by slot; ties by signature for a stable order.
            list.sort_by(|(sa, a), (sb, b)| {
                sb.cmp(sa).then(b["signature"].as_str().cmp(&a["signature"].as_str()))
            });
        }
        signature
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
        for wallet in involved {
            let list = self.history.entry((*wallet).to_owned()).or_default();
            list.push((slot, status.clone()));
            list.sort_by(|(sa, a), (sb, b)| {
                sb.cmp(sa).then(b["signature"].as_str().cmp(&a["signature"].as_str()))
            });
        }
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

    pub fn signatures(&self, wallet: &str) -> &[(u64, Value)] {
        self.history.get(wallet).map_or(&[], Vec::as_slice)
    }

    pub fn transaction(&self, signature: &str) -> Option<&Value> {
        self.transactions.get(signature)
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
        }
    }
}
