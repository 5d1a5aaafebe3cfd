//! Turning JSON-RPC answers into results: one envelope into its `result` or
//! its error, and a batch's answers back into the order of its calls.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::RpcError;
use crate::solana::wire::{Envelope, ErrorObject};

pub(super) fn unwrap_envelope<T: DeserializeOwned>(envelope: Envelope, host: &str) -> Result<T, RpcError> {
    match (envelope.result, envelope.error) {
        (_, Some(ErrorObject { code, message, .. })) => Err(RpcError::Rpc { code, message }),
        (Some(result), None) => serde_json::from_value(result)
            .map_err(|e| RpcError::Malformed { host: host.to_owned(), message: e.to_string() }),
        (None, None) => Err(RpcError::Malformed {
            host: host.to_owned(),
            message: "response has neither result nor error".into(),
        }),
    }
}

/// Matches batch answers to calls by id (providers may reorder them).
pub(super) fn match_batch<T: DeserializeOwned>(
    items: Vec<Value>,
    expected: usize,
    host: &str,
) -> Vec<Result<T, RpcError>> {
    let malformed = |message: String| RpcError::Malformed { host: host.to_owned(), message };
    let mut slots: Vec<Option<Result<T, RpcError>>> = (0..expected).map(|_| None).collect();
    for item in items {
        let Ok(envelope) = serde_json::from_value::<Envelope>(item) else {
            continue;
        };
        let Some(id) = envelope.id.as_u64().map(|i| i as usize).filter(|i| *i < expected) else {
            continue;
        };
        slots[id] = Some(unwrap_envelope(envelope, host));
    }
    slots
        .into_iter()
        .map(|slot| slot.unwrap_or_else(|| Err(malformed("batch answer is missing an item".into()))))
        .collect()
}
