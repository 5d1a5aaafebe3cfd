//! Kimiko: how exposed is a Solana wallet? One crate, two builds: the server
//! (`ssr`: web app, worker, scheduler, CLI) and the browser (`hydrate`).

// Leptos views are deeply nested types; the browser build needs the room.
#![recursion_limit = "256"]

/// The HTML shell and the routes.
pub mod app;
/// Page building blocks: score gauge, findings, explorer links.
pub mod components;
/// Values parsed at the edge and trusted after: wallets, emails, jobs, reports.
pub mod domain;
/// One module per page, each with the server function that loads its data.
pub mod pages;

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
/// Settings, start-up, state, HTTP handlers, request intake.
#[cfg(feature = "ssr")]
pub mod server;
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
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests (and curious people) tell a hydrated page apart.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
