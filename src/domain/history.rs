//! What the analysis reads: a wallet's history, already normalised from the
//! RPC's wire format (legacy, v0 and v1 transactions look the same here).
//!
//! Everything is plain data so detectors are pure functions and fixtures are
//! easy to build by hand.

use serde::{Deserialize, Serialize};

/// Lamports in one SOL.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Everything fetched about one wallet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WalletHistory {
    pub wallet: String,
    /// Every signature seen, newest first, up to the history cap.
    pub signatures: Vec<SignatureInfo>,
    /// The transactions fetched for those signatures (those the RPC still
    /// had), newest first.
    pub transactions: Vec<Transaction>,
    /// True when the wallet has more history than the cap allowed us to read.
    pub history_truncated: bool,
    pub balance_lamports: Option<u64>,
    /// SPL token accounts the wallet owns now.
    pub token_accounts: Vec<TokenHolding>,
    /// What the wallet's token accounts' own histories added (absent in
    /// histories read before they were read).
    #[serde(default)]
    pub token_account_reads: TokenAccountReads,
}

/// Shared with the browser build, which renders it in reports.
pub use super::report::TokenAccountReads;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    pub signature: String,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub failed: bool,
}

impl SignatureInfo {
    /// The signature list's entry for a transaction already read.
    pub fn of(tx: &Transaction) -> SignatureInfo {
        SignatureInfo {
            signature: tx.signature.clone(),
            slot: tx.slot,
            block_time: tx.block_time,
            failed: tx.failed,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxVersion {
    Legacy,
    V0,
    V1,
}

/// One transaction as the detectors see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub signature: String,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub version: TxVersion,
    /// The transaction failed on chain; its fee was still paid and its
    /// signers and fee payer are still public.
    pub failed: bool,
    pub fee_lamports: u64,
    /// The first signer, who pays the fee.
    pub fee_payer: String,
    pub signers: Vec<String>,
    /// Every account the transaction touched, including those loaded from
    /// address lookup tables.
    pub accounts: Vec<String>,
    /// Programs invoked, top-level first, then inner (CPI) ones, each once.
    pub programs: Vec<String>,
    /// Named instructions (`program:type`) in order, top-level and inner.
    pub instruction_kinds: Vec<String>,
    pub memos: Vec<String>,
    pub transfers: Vec<Transfer>,
    pub events: Vec<Event>,
    pub compute: ComputeBudget,
    /// The wallet's SOL balance change in this transaction, fee included.
    pub wallet_lamport_delta: i64,
    /// The wallet's SOL balance just before this transaction, when the
    /// wallet is one of its accounts: above zero in the oldest transaction
    /// read means the wallet's first funding happened before it.
    #[serde(default)]
    pub wallet_lamports_before: Option<u64>,
}

/// Compute budget settings, read from ComputeBudget instructions (legacy and
/// v0) or from the message's `transactionConfig` (v1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputeBudget {
    pub unit_limit: Option<u32>,
    /// Legacy/v0: price per compute unit in micro-lamports.
    pub unit_price_micro_lamports: Option<u64>,
    /// The priority fee in lamports: given directly by v1 transactions,
    /// derived as `price × limit / 1e6` for older ones when both are set.
    pub priority_fee_lamports: Option<u64>,
}

/// A movement of SOL or of an SPL token between two owners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Owner of the source (for tokens: the token account's authority when
    /// known, otherwise the token account itself).
    pub from: String,
    pub to: String,
    /// Raw units: lamports for SOL, base units for tokens.
    pub amount: u64,
    /// `None` for SOL.
    pub mint: Option<String>,
    pub decimals: u8,
    /// The instruction was a top-level one (not a CPI inside a program).
    pub top_level: bool,
}

impl Transfer {
    pub fn is_sol(&self) -> bool {
        self.mint.is_none()
    }
}

/// A token balance the wallet holds now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHolding {
    pub account: String,
    pub mint: String,
    pub amount: u64,
    pub decimals: u8,
}

/// Instructions worth more than a transfer to a privacy analysis, read from
/// the RPC's parsed instructions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A token account was created (associated or plain) and `payer` paid its rent.
    TokenAccountCreated { account: String, owner: String, mint: Option<String>, payer: String },
    /// A token account was closed and its rent went to `destination`.
    TokenAccountClosed { account: String, destination: String, owner: String },
    /// A stake account was delegated to a validator's vote account.
    StakeDelegated { stake_account: String, vote_account: String, authority: String },
    /// A stake account was initialised: `staker` may delegate it and
    /// `withdrawer` owns its lamports.
    StakeAccountInitialized { stake_account: String, staker: String, withdrawer: String },
    /// A new mint was initialised (NFTs and fungible tokens alike).
    MintInitialized { mint: String, mint_authority: Option<String>, decimals: u8 },
    /// New tokens were minted into `account` by `authority`.
    TokensMinted { mint: String, account: String, authority: String, amount: u64 },
    /// A system account was created, funded by `source`.
    AccountCreated { source: String, new_account: String, lamports: u64, owner_program: String },
}
