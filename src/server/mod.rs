//! The top of the web process (server only): axum wiring and start-up, the
//! HTTP handlers (JSON API, job progress stream, card, health, metrics,
//! admin), HTTP caching of
//! kept pages, logging; and the edge defences: rate limit per client,
//! cross-site check, security headers, form guard.
//!
//! May import every layer below it (`ui`, `jobs`, `email`, `service`,
//! `config`, `storage`, `analysis`, `solana`, `domain`); only `cli` and
//! `main` import it. Nothing here is business logic: a handler reads through
//! [`crate::service`] and answers.

pub mod admin;
pub mod api;
pub mod client_limiter;
pub mod conditional;
pub mod csrf;
pub mod http;
pub mod job_stream;
pub mod names;
pub mod observability;
pub mod rate_limit;
pub mod security_headers;
mod shared;
pub mod startup;
pub mod state;
pub mod telemetry;
