//! What the router hands every handler, middleware and server function: the
//! application's state and the server's own parts. A leaf of `server`, so
//! the handlers that read it and the start-up that builds it do not import
//! each other.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::client_limiter::ClientLimiter;
use crate::service::kept_pages::KeptPages;
use crate::service::state::AppState;

/// What the router hands its handlers and server functions. One `Arc`:
/// axum clones a middleware's state on every request, and a clone of the
/// parts would cost a dozen reference counts and a few allocations each time.
#[derive(Clone)]
pub struct ServerState(Arc<ServerParts>);

pub struct ServerParts {
    pub app: AppState,
    pub leptos: LeptosOptions,
    /// Submissions per client address (`tower_governor`'s configuration,
    /// with its limiter); shared by all requests.
    pub client_limiter: ClientLimiter,
    /// The public pages as rendered, kept for the life of the process.
    pub pages: KeptPages,
}

impl ServerState {
    pub fn new(parts: ServerParts) -> Self {
        ServerState(Arc::new(parts))
    }
}

impl std::ops::Deref for ServerState {
    type Target = ServerParts;

    fn deref(&self) -> &ServerParts {
        &self.0
    }
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}
