//! Solana JSON-RPC wire types, exactly as mainnet (Agave 4.x) sends them with
//! `encoding: "jsonParsed"`. Unknown fields are ignored so a new RPC field
//! never breaks us; fields we rely on are required so a malformed body is a
//! clear error rather than silently empty data.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Transaction format v1 is live on mainnet (since slot 447,120,000); asking
/// for less makes the node refuse every v1 transaction with -32015.
pub const MAX_SUPPORTED_TRANSACTION_VERSION: u8 = 1;

/// The `getTransaction` parameters every read uses: parsed, every version
/// we read, finalized (so what comes back never changes).
pub fn transaction_params(signature: &str) -> Value {
    json!([signature, {
        "encoding": "jsonParsed",
        "maxSupportedTransactionVersion": MAX_SUPPORTED_TRANSACTION_VERSION,
        "commitment": "finalized",
    }])
}

/// JSON-RPC 2.0 response envelope. `id` is whatever we sent. `result` is
/// kept raw so that a present `null` (e.g. an unknown transaction) stays
/// distinguishable from a missing result.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[allow(dead_code)]
    pub jsonrpc: String,
    #[serde(default)]
    pub id: Value,
    #[serde(default, deserialize_with = "present")]
    pub result: Option<Value>,
    pub error: Option<ErrorObject>,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Error code for "Transaction version (N) is not supported by the requesting
/// client"; returned when `maxSupportedTransactionVersion` is missing or lower
/// than the transaction's version.
pub const TRANSACTION_VERSION_NOT_SUPPORTED: i64 = -32015;

/// A `getSignaturesForAddress` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureStatus {
    pub signature: String,
    pub slot: u64,
    pub err: Option<Value>,
    /// `"[len] text"`, several joined by `"; "`; `null` without a memo.
    pub memo: Option<String>,
    pub block_time: Option<i64>,
    pub confirmation_status: Option<String>,
}

/// `getBalance` and other context-wrapped results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WithContext<T> {
    pub context: Context,
    pub value: T,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    pub slot: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// `"legacy"`, `0` or `1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireVersion {
    Legacy,
    Number(u8),
}

impl Serialize for WireVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            WireVersion::Legacy => serializer.serialize_str("legacy"),
            WireVersion::Number(n) => serializer.serialize_u8(*n),
        }
    }
}

impl<'de> Deserialize<'de> for WireVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(s) if s == "legacy" => Ok(WireVersion::Legacy),
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .map(WireVersion::Number)
                .ok_or_else(|| serde::de::Error::custom("transaction version out of range")),
            other => Err(serde::de::Error::custom(format!("unknown transaction version {other}"))),
        }
    }
}

/// A `getTransaction` result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodedTransaction {
    pub slot: u64,
    pub block_time: Option<i64>,
    /// Absent only on nodes too old to know versions: read as legacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<WireVersion>,
    pub meta: Option<Meta>,
    pub transaction: ParsedTransaction,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParsedTransaction {
    pub signatures: Vec<String>,
    pub message: ParsedMessage,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedMessage {
    pub account_keys: Vec<AccountKey>,
    pub recent_blockhash: String,
    pub instructions: Vec<Instruction>,
    /// v0 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_table_lookups: Option<Vec<AddressTableLookup>>,
    /// v1 only: compute limits and the priority fee (total lamports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_config: Option<TransactionConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountKey {
    pub pubkey: String,
    pub writable: bool,
    pub signer: bool,
    /// `"transaction"` or `"lookupTable"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressTableLookup {
    pub account_key: String,
    pub writable_indexes: Vec<u8>,
    pub readonly_indexes: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionConfig {
    /// Total priority fee in lamports (not micro-lamports per unit).
    pub priority_fee: Option<u64>,
    pub compute_unit_limit: Option<u32>,
    pub loaded_accounts_data_size_limit: Option<u32>,
    pub heap_size: Option<u32>,
}

/// A `jsonParsed` instruction: parsed by the node when it knows the program,
/// otherwise raw (program, accounts, base58 data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Instruction {
    Parsed(ParsedInstruction),
    Raw(RawInstruction),
}

impl Instruction {
    pub fn program_id(&self) -> &str {
        match self {
            Instruction::Parsed(p) => &p.program_id,
            Instruction::Raw(r) => &r.program_id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedInstruction {
    /// e.g. `"system"`, `"spl-token"`, `"spl-memo"`.
    pub program: String,
    pub program_id: String,
    /// An object `{ "type", "info" }`, or a plain string for memos.
    pub parsed: Value,
    #[serde(default)]
    pub stack_height: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawInstruction {
    pub program_id: String,
    pub accounts: Vec<String>,
    /// base58
    pub data: String,
    #[serde(default)]
    pub stack_height: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub err: Option<Value>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_instructions: Option<Vec<InnerInstructions>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_messages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_token_balances: Option<Vec<TokenBalance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_token_balances: Option<Vec<TokenBalance>>,
    /// Sent with `json`/`base64` encodings; with `jsonParsed` the loaded
    /// addresses are already in `accountKeys` (source `lookupTable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded_addresses: Option<LoadedAddresses>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_units_consumed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_units: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InnerInstructions {
    pub index: u8,
    pub instructions: Vec<Instruction>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedAddresses {
    pub writable: Vec<String>,
    pub readonly: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenBalance {
    pub account_index: u16,
    pub mint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<String>,
    pub ui_token_amount: UiTokenAmount,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiTokenAmount {
    /// Raw amount as a decimal string (it can exceed 2^53).
    pub amount: String,
    pub decimals: u8,
    pub ui_amount: Option<f64>,
    pub ui_amount_string: String,
}

/// A `getTokenAccountsByOwner` entry with `jsonParsed` data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyedTokenAccount {
    pub pubkey: String,
    pub account: TokenAccountData,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAccountData {
    pub data: Value,
    pub executable: bool,
    pub lamports: u64,
    pub owner: String,
    #[serde(default)]
    pub rent_epoch: Option<Value>,
    #[serde(default)]
    pub space: Option<u64>,
}
