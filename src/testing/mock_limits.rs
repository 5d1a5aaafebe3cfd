//! The mock's rate limits, enforced as the public mainnet endpoint does:
//! sliding windows of calls overall and per method (each item of a batch is
//! one call), refused with HTTP 429 and a JSON-RPC error in mainnet's exact
//! bytes, with or without `Retry-After`.
//!
//! The bodies are mainnet's, as clients have quoted them:
//! - per method: `{"jsonrpc":"2.0","error":{"code": 429, "message":"Too many
//!   requests for a specific RPC call, contact your app developer or
//!   support@rpcpool.com."}, "id": … }` (web3.js quoting
//!   api.mainnet-beta.solana.com: github.com/milktoastlab/SolanaNFTBot#25;
//!   also solana-labs/solana-program-library#2784);
//! - overall: the same with "Too many requests from your IP, contact your app
//!   developer or support@rpcpool.com." (quoted by solana-go users;
//!   malbeclabs/doublezero#3604 shows the same text from a Triton-run RPC).
//!
//! `Retry-After` is sent by the public endpoint (solana-labs/solana#17064:
//! "RpcClient now respects the retry-after server response header … plays
//! nice with api.mainnet-beta.solana.com"); whether a given provider sends
//! it varies, so the mock can leave it out. A refused request is not
//! counted in the windows (mainnet does not say; counting it would only
//! make a client that retries into the wall fare worse).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::time::Instant;

use crate::solana::client::Limits;

pub(super) const PER_METHOD: &str =
    "Too many requests for a specific RPC call, contact your app developer or support@rpcpool.com.";
const FROM_YOUR_IP: &str =
    "Too many requests from your IP, contact your app developer or support@rpcpool.com.";

/// Limits a mock enforces.
#[derive(Clone, Copy, Debug)]
pub struct Enforced {
    pub limits: Limits,
    /// Send `Retry-After` (whole seconds until the window has room) with a 429.
    pub retry_after: bool,
}

#[derive(Default)]
pub(super) struct Windows {
    enforced: Option<Enforced>,
    overall: VecDeque<Instant>,
    methods: HashMap<String, VecDeque<Instant>>,
    pub(super) refused: u64,
}

impl Windows {
    pub(super) fn enforce(&mut self, enforced: Option<Enforced>) {
        *self = Windows { enforced, refused: self.refused, ..Windows::default() };
    }

    /// Counts `request`'s calls, or answers the refusal if they don't fit.
    pub(super) fn refusal(&mut self, request: &Value) -> Option<Response> {
        let Enforced { limits, retry_after } = self.enforced?;
        let now = Instant::now();
        let calls: Vec<(&str, &Value)> = match request {
            Value::Array(calls) => calls.iter().map(|c| (method(c), c)).collect(),
            call => vec![(method(call), call)],
        };
        for times in std::iter::once(&mut self.overall).chain(self.methods.values_mut()) {
            while times.front().is_some_and(|t| *t + limits.window <= now) {
                times.pop_front();
            }
        }
        let mut per_method: HashMap<&str, usize> = HashMap::new();
        for (name, _) in &calls {
            *per_method.entry(name).or_default() += 1;
        }
        let id = match request {
            Value::Array(_) => Value::Null,
            call => call.get("id").cloned().unwrap_or(Value::Null),
        };
        if self.overall.len() + calls.len() > limits.overall as usize {
            let free = free_at(&self.overall, calls.len(), limits.overall, limits.window);
            return Some(self.refuse(FROM_YOUR_IP, &id, retry_after.then_some(free - now)));
        }
        for (name, count) in &per_method {
            let times = self.methods.get(*name);
            if times.map_or(0, VecDeque::len) + count > limits.per_method as usize {
                let free = times.map_or(now, |t| free_at(t, *count, limits.per_method, limits.window));
                return Some(self.refuse(PER_METHOD, &id, retry_after.then_some(free - now)));
            }
        }
        for (name, count) in per_method {
            let times = self.methods.entry(name.to_owned()).or_default();
            for _ in 0..count {
                times.push_back(now);
                self.overall.push_back(now);
            }
        }
        None
    }

    fn refuse(&mut self, message: &str, id: &Value, retry_after: Option<Duration>) -> Response {
        self.refused += 1;
        rate_limited(message, id, retry_after)
    }
}

/// A 429 as mainnet sends it: its JSON-RPC error byte for byte, odd
/// spacing included, and `Retry-After` in whole seconds (rounded up, so a
/// client that waits that long finds room) when given.
pub(super) fn rate_limited(message: &str, id: &Value, retry_after: Option<Duration>) -> Response {
    let body = format!(r#"{{"jsonrpc":"2.0","error":{{"code": 429, "message":"{message}"}}, "id": {id} }}"#);
    let mut response =
        (StatusCode::TOO_MANY_REQUESTS, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body)
            .into_response();
    if let Some(wait) = retry_after {
        let secs = wait.as_millis().div_ceil(1000) as u64;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

fn method(call: &Value) -> &str {
    call.get("method").and_then(Value::as_str).unwrap_or("")
}

/// When `count` more calls fit a window of `cap` holding `times`.
fn free_at(times: &VecDeque<Instant>, count: usize, cap: u32, window: Duration) -> Instant {
    let over = (times.len() + count).saturating_sub(cap as usize).max(1);
    times.get(over - 1).or(times.back()).map_or_else(Instant::now, |t| *t + window)
}
