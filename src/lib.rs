//! Kimiko: how exposed is a Solana wallet? One crate, two builds: the server
//! (`ssr`: web app, worker, scheduler, CLI) and the browser (`hydrate`).

pub mod domain;

/// The privacy analysis: a pure function from wallet history to report.
#[cfg(feature = "ssr")]
pub mod analysis;
/// Solana JSON-RPC: wire types, client, fetching a wallet's history.
#[cfg(feature = "ssr")]
pub mod solana;
