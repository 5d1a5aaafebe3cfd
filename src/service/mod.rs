//! The application layer (server only): what the web pages, the HTTP
//! handlers, the worker and the scheduler share. The shared state
//! ([`state::AppState`]) and its clock, request intake (validation, limits,
//! grouped writes: [`submit`], [`request_writer`]), reading jobs and reports through the report
//! cache ([`reports`], [`cache`]), keyed hashing of addresses, how a refusal
//! is told to a client, recording mail the SMTP server accepted, and
//! telling open progress streams that a job changed ([`job_events`]), and
//! following a wallet's links to other addresses within a budget
//! ([`neighbourhood`]), and resolving `.sol` names typed in place of an
//! address ([`names`]).
//!
//! May import `config`, `email`, `storage`, `analysis`, `solana`, `card`,
//! `metrics` and `domain`; never `jobs`, `ui` or `server`, which build on it.

pub mod accepted;
pub mod cache;
pub mod clock;
pub mod job_events;
pub mod kept_pages;
pub mod names;
pub mod neighbourhood;
pub mod nonce;
pub mod refusal;
pub mod reports;
pub mod request_writer;
pub mod secret;
pub mod state;
pub mod submit;
