//! The server side: settings, start-up, shared state, HTTP handlers, the
//! report request service, the report cache, the pages kept as rendered
//! and HTTP caching, secrets and logging; and the edge defences: client address, rate limit, cross-site
//! check, security headers.

pub mod admin;
pub mod api;
pub mod cache;
pub mod client_ip;
pub mod conditional;
pub mod csrf;
pub mod http;
pub mod kept_pages;
pub mod observability;
pub mod rate_limit;
pub mod secret;
pub mod security_headers;
pub mod settings;
pub mod startup;
pub mod state;
pub mod submit;
pub mod telemetry;
