//! One pretend transaction, built up instruction by instruction: the
//! builder here, the JSON mainnet would send for it in [`json`].

mod json;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::ids::{TOKEN_ACCOUNT_RENT, signature};
use crate::domain::programs;
pub(crate) use json::ui_amount;
use json::{parsed, raw};

pub use json::{associated_account_instruction, parsed_inner, raw_inner, recorded_status, token_account};

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
    /// The slot it lands in; the ledger picks the next one when unset.
    pub(super) slot: Option<u64>,
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
}
