//! The JSON a node sends for a [`TxBuilder`]'s transaction: its
//! `getSignaturesForAddress` entry and its `getTransaction` result
//! (jsonParsed), in mainnet's exact shapes.

use serde_json::{Value, json};

use super::{TxBuilder, Version};
use crate::domain::programs;
use crate::testing::ids::{SOL, USDC, address, program_address};

/// Every transaction's signature fee, in lamports.
const BASE_FEE: u64 = 5_000;

impl TxBuilder {
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
            // Enough to cover what the account sends: balances are u64 on
            // chain. An account that only receives (or is only read) starts
            // empty, as a new wallet's funding does: the analysis reads the
            // balance before the oldest transaction to tell whether the
            // first funding is in view.
            let start: i64 = if executable {
                1_141_440
            } else if self.touched.iter().any(|t| t == pubkey) || delta >= 0 {
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

pub(super) fn is_program(account: &str) -> bool {
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

pub(super) fn parsed(program: &str, program_id: &str, parsed: Value) -> Value {
    json!({"parsed": parsed, "program": program, "programId": program_id, "stackHeight": null})
}

pub(super) fn raw(program_id: &str, data: &[u8]) -> Value {
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

pub(crate) fn ui_amount(amount: u64, decimals: u8) -> Value {
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
