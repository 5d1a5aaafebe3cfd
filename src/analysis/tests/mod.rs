//! Behaviour tests for the analysis, one file per detector family, plus
//! the properties of the whole report (calibration, determinism, scoring).

mod engine;
#[cfg(feature = "testing")]
mod everyday;
mod fees_and_tips;
mod fingerprint_and_amounts;
mod funding_and_signers;
mod hops;
mod identity_and_accounts;
mod known_entities;
mod links;
mod memos_and_counterparties;
mod properties;
mod scoring;
mod solana_normalize;
mod solana_ownership;
mod timing;
mod wallet_state;
