//! The browser build's entry point, re-exported so this package's cdylib
//! carries it (see Cargo.toml).
pub use kimiko::hydrate;
