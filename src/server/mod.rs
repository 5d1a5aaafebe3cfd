//! The server side: settings, start-up, shared state, HTTP handlers, the
//! report request service, the report cache and HTTP caching, secrets and
//! logging.

pub mod admin;
pub mod api;
pub mod cache;
pub mod conditional;
pub mod http;
pub mod secret;
pub mod settings;
pub mod startup;
pub mod state;
pub mod submit;
pub mod telemetry;
