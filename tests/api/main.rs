//! Kimiko's integration tests: the real application over HTTP, a real SQLite
//! file (and, for the tests marked so, a database on a private Postgres
//! server), a mock Solana RPC on loopback and a mail backend the test reads.

mod backups;
mod bad_input;
mod behind_proxy;
mod browser_defences;
mod changes;
mod cli;
mod concurrent_startup;
mod crash_recovery;
mod disk_full;
mod fast_history;
mod helpers;
mod hops;
mod hops_flow;
mod hostile_data;
mod job_events;
mod mainnet_fixtures;
mod mainnet_swaps;
mod names;
mod observability;
mod personal_data;
mod pg_processes;
mod postgres;
mod public_pages;
mod queue;
mod rate_limits;
mod report_flow;
mod report_graph;
mod report_page;
mod request_report;
mod rpc_client;
mod rpc_limits;
mod rpc_wire;
mod security_support;
mod smtp_delivery;
mod token_accounts;
