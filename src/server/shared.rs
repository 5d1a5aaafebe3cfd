//! The bottom of the middleware stack, shared behind one `Arc`.
//!
//! axum's `from_fn` middleware clones the service below it on every
//! request. With the whole stack below (timeouts, body limits, the CSRF and
//! rate-limit checks, the router), a kept page, answered before any of that
//! is reached, would still pay for copying all of it at every layer above.
//! Behind an `Arc` a copy is one reference count, and the stack is cloned
//! only for the requests that go on into it.

use std::sync::Arc;
use std::task::{Context, Poll};

use tower::util::Oneshot;
use tower::{Layer, Service, ServiceExt as _};

/// Puts the service below behind an `Arc`.
#[derive(Clone, Copy)]
pub struct SharedLayer;

impl<S> Layer<S> for SharedLayer {
    type Service = Shared<S>;

    fn layer(&self, inner: S) -> Shared<S> {
        Shared(Arc::new(inner))
    }
}

pub struct Shared<S>(Arc<S>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<S, R> Service<R> for Shared<S>
where
    S: Service<R> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Oneshot<S, R>;

    /// Always ready: each call readies its own copy (see [`Self::call`]).
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        Poll::Ready(Ok(()))
    }

    /// A copy of the shared service, readied and then called.
    fn call(&mut self, request: R) -> Self::Future {
        S::clone(&self.0).oneshot(request)
    }
}
