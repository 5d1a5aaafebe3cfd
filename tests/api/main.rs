//! Kimiko's integration tests: the real application over HTTP, a real SQLite
//! file, a mock Solana RPC on loopback and a mail backend the test reads.

mod crash_recovery;
mod helpers;
mod queue;
mod report_flow;
mod report_page;
mod request_report;
mod rpc_client;
mod rpc_wire;
mod smtp_delivery;
