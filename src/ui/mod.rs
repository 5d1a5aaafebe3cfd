//! The Leptos UI, shared by the server and the browser build: the HTML shell
//! and routes ([`app`]), one module per page ([`pages`]) and their building
//! blocks ([`components`]).
//!
//! May import `domain`; the bodies of server functions (behind
//! `feature = "ssr"`) call [`crate::service`] and nothing above it. Never
//! imports `server`: the server composes the UI, not the other way round.

pub mod app;
pub mod components;
pub mod pages;
