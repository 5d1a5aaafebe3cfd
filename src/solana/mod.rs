//! Solana JSON-RPC: the wire format, a client for several endpoints, and
//! fetching one wallet's history for the analysis.
//!
//! Layer: builds `domain::history` values; may import `domain` and `metrics`
//! only (not `analysis`, which reads what this module builds).

pub mod client;
pub mod fast_history;
pub mod history;
pub mod holdings;
pub mod instructions;
pub mod listed;
pub mod neighbourhood;
pub mod normalize;
pub mod read_status;
/// `.sol` names: deriving their accounts and resolving them to a wallet.
pub mod sns;
pub mod token_accounts;
pub mod tx_cache;
pub mod tx_store;
pub mod wire;

pub use client::{RpcError, SolanaRpc};
pub use history::fetch_history;
pub use read_status::{Gaps, Progress};
