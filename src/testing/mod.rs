//! Test support shipped behind the `testing` feature: a pretend chain in
//! mainnet's JSON shapes, a mock Solana RPC server with fault injection,
//! ready-made wallets, and a private PostgreSQL server. Integration tests,
//! the end-to-end suite (through `examples/mock_rpc.rs`) and benchmarks
//! share it; production builds leave it out.
//!
//! Layer: beside `storage`; may import `analysis`, `solana` and `domain`.

pub mod chain;
pub mod defi;
pub mod everyday;
pub mod hops;
pub mod ids;
pub mod mock_history;
pub mod mock_limits;
pub mod mock_rpc;
pub mod postgres;
pub mod scenarios;
pub mod sns;
pub mod staking;
pub mod token_accounts;
pub mod trading_bot;
pub mod transaction;

pub use chain::{Chain, SOL, TxBuilder, Version};
pub use mock_rpc::{Fault, MockRpc};
