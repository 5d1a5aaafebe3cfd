//! Kimiko: how exposed is a Solana wallet? One crate, two builds: the server
//! (`ssr`: web app, worker, scheduler, CLI) and the browser (`hydrate`).

// Leptos views are deeply nested types; the browser build needs the room.
#![recursion_limit = "256"]

// Layers, each importing only those before it (tests/layers.rs checks it):
// domain, brand, markup, metrics → solana, analysis, card → storage →
// config → email → service → jobs, ui → server → cli.

/// Values parsed at the edge and trusted after: wallets, emails, jobs,
/// reports, the wallet-history model and program ids.
pub mod domain;
/// The Leptos UI: shell and routes, pages, components (server and browser).
pub mod ui;

/// The privacy analysis: a pure function from wallet history to report.
#[cfg(feature = "ssr")]
pub mod analysis;
/// Colours shared by the stylesheet, the mail and the share card.
#[cfg(feature = "ssr")]
pub mod brand;
/// The share card: report to SVG to a 1200×630 PNG.
#[cfg(feature = "ssr")]
pub mod card;
/// The command line: serve, analyze, jobs, cron.
#[cfg(feature = "ssr")]
pub mod cli;
/// Settings read from the environment and checked at start-up.
#[cfg(feature = "ssr")]
pub mod config;
/// Mail: transports and the report message.
#[cfg(feature = "ssr")]
pub mod email;
/// The report job, the queue worker and the housekeeping scheduler.
#[cfg(feature = "ssr")]
pub mod jobs;
/// Escaping for hand-built HTML and XML.
#[cfg(feature = "ssr")]
pub mod markup;
/// Counters and histograms for `/metrics`.
#[cfg(feature = "ssr")]
pub mod metrics;
/// Axum wiring, start-up, HTTP handlers and edge defences.
#[cfg(feature = "ssr")]
pub mod server;
/// The application layer: shared state, request intake, report reading and
/// caching.
#[cfg(feature = "ssr")]
pub mod service;
/// Solana JSON-RPC: wire types, client, fetching a wallet's history.
#[cfg(feature = "ssr")]
pub mod solana;
/// All SQL, behind one module.
#[cfg(feature = "ssr")]
pub mod storage;
/// Mock Solana RPC and chain fixtures for tests (`testing` feature).
#[cfg(feature = "testing")]
pub mod testing;

/// Entry point of the browser build: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(ui::app::App);
    // Lets browser tests (and curious people) tell a hydrated page apart.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
