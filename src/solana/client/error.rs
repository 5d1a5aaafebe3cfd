//! What an RPC request can end in besides an answer: [`RpcError`], the one
//! callers branch on (retry or not), and the transport's own `SendError`,
//! which also carries a batch refusal, with the metrics label of each.

use std::time::Duration;

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("RPC endpoint {host} answered HTTP {status}")]
    Http { host: String, status: u16, retry_after: Option<Duration> },
    #[error("RPC endpoint {host} did not answer within {timeout:?}")]
    Timeout { host: String, timeout: Duration },
    #[error("could not reach RPC endpoint {host}: {message}")]
    Connect { host: String, message: String },
    #[error("RPC endpoint {host} sent a malformed response: {message}")]
    Malformed { host: String, message: String },
    #[error("RPC error {code}: {message}")]
    Rpc { code: i64, message: String },
}

impl RpcError {
    /// Worth trying again later (or elsewhere): rate limits, server errors,
    /// network trouble, garbage from a struggling proxy.
    pub fn is_retryable(&self) -> bool {
        match self {
            RpcError::Http { status, .. } => *status == 429 || *status >= 500,
            RpcError::Timeout { .. } | RpcError::Connect { .. } | RpcError::Malformed { .. } => true,
            // -32005 node behind, -32004 block not available, -32007/-32009
            // slot skipped or missing in long-term storage, -32014 status not
            // available yet: all transient on a healthy cluster.
            RpcError::Rpc { code, .. } => {
                matches!(code, -32004 | -32005 | -32007 | -32009 | -32014 | -32603)
            }
        }
    }

    pub(super) fn cools_down_endpoint(&self) -> bool {
        matches!(self, RpcError::Http { .. } | RpcError::Timeout { .. } | RpcError::Connect { .. })
            && self.is_retryable()
    }
}

/// What sending can end in besides an answer.
pub(super) enum SendError {
    Rpc(RpcError),
    /// The endpoint answered a batch with a refusal (4xx, or one error object).
    BatchRefused {
        host: String,
    },
    /// Every endpoint has refused batches before.
    NoBatchEndpoint,
    /// A batch was refused with 429 and is larger than the slowed pace
    /// allows: split it and send the parts.
    Shrink,
}

impl From<RpcError> for SendError {
    fn from(error: RpcError) -> Self {
        SendError::Rpc(error)
    }
}

impl SendError {
    /// Single calls never produce the batch-only variants.
    pub(super) fn into_rpc(self) -> RpcError {
        match self {
            SendError::Rpc(error) => error,
            SendError::BatchRefused { .. } | SendError::NoBatchEndpoint | SendError::Shrink => {
                RpcError::Malformed { host: String::new(), message: "batch refusal on a single call".into() }
            }
        }
    }
}

/// The metrics label for how a request went.
pub(super) fn outcome_label(result: &Result<Value, SendError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(SendError::BatchRefused { .. } | SendError::NoBatchEndpoint) => "batch_refused",
        Err(SendError::Shrink) => "rate_limited",
        Err(SendError::Rpc(error)) => match error {
            RpcError::Http { status: 429, .. } => "rate_limited",
            RpcError::Http { status, .. } if *status >= 500 => "server_error",
            RpcError::Http { .. } => "http_error",
            RpcError::Timeout { .. } => "timeout",
            RpcError::Connect { .. } => "connect_error",
            RpcError::Malformed { .. } => "malformed",
            RpcError::Rpc { .. } => "rpc_error",
        },
    }
}
