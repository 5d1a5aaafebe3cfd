//! Solana JSON-RPC: the wire format, a client for several endpoints, and
//! fetching one wallet's history for the analysis.

pub mod client;
pub mod history;
pub mod instructions;
pub mod normalize;
pub mod wire;

pub use client::{RpcError, SolanaRpc};
pub use history::{Gaps, Progress, fetch_history};
