//! Settings (server only): one typed struct read from the environment and
//! validated at start-up, with the client-address and per-client rate
//! settings it holds.
//!
//! May import `domain` only; `email`, `service` and everything above read it.

pub mod client_ip;
pub mod settings;
mod variables;
