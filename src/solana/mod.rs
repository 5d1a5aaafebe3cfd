//! Solana JSON-RPC: the wire format, a client for several endpoints, and
//! fetching one wallet's history for the analysis.

pub mod normalize;
pub mod programs;
pub mod wire;
