//! Many calls at once: cut into JSON-RPC batches of `batch_size` (smaller
//! where the endpoint's pace allows fewer calls of a method per window),
//! sent with bounded concurrency, split further when a 429 slowed the pace,
//! and sent as single calls instead where every endpoint has refused a batch.

use futures::future::BoxFuture;
use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::SolanaRpc;
use super::decode::match_batch;
use super::endpoints::Need;
use super::error::{RpcError, SendError};

/// One call of a batch: method and params.
pub type Call = (&'static str, Value);

/// A batch's answers, each call's on its own, or the batch's own failure.
type BatchResult<T> = Result<Vec<Result<T, RpcError>>, RpcError>;

impl SolanaRpc {
    /// Several calls, as JSON-RPC batches of `batch_size` where the endpoint
    /// takes them. Results come back in order; each may fail on its own.
    pub async fn call_many<T: DeserializeOwned + Send + 'static>(
        &self,
        calls: Vec<Call>,
    ) -> Result<Vec<Result<T, RpcError>>, RpcError> {
        // Boxed so the future stays `Send` through the stream combinators
        // (rustc cannot prove it for the unboxed closures: rust-lang/rust#102211).
        let batches: Vec<BoxFuture<'_, BatchResult<T>>> =
            calls.chunks(self.max_batch()).map(|chunk| self.batch(chunk.to_vec())).collect();
        let mut results = Vec::with_capacity(calls.len());
        let mut batches = batches.into_iter();
        // The first batch goes alone, so an endpoint that refuses batches is
        // learned once instead of by every concurrent batch.
        if let Some(first) = batches.next() {
            results.extend(first.await?);
        }
        let mut pending = stream::iter(batches).buffered(self.concurrency);
        while let Some(chunk) = pending.next().await {
            results.extend(chunk?);
        }
        Ok(results)
    }

    fn batch<T: DeserializeOwned + Send + 'static>(&self, calls: Vec<Call>) -> BoxFuture<'_, BatchResult<T>> {
        Box::pin(self.batch_inner(calls))
    }

    async fn batch_inner<T: DeserializeOwned + Send + 'static>(&self, calls: Vec<Call>) -> BatchResult<T> {
        if calls.len() > 1 && self.endpoints.any_takes_batches() {
            let body: Value = calls
                .iter()
                .enumerate()
                .map(|(id, (method, params))| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
                .collect();
            match self.send_with_rotation(&body, Need::Batches).await {
                Ok((host, Value::Array(items))) => {
                    return Ok(match_batch(items, calls.len(), &host));
                }
                Ok((host, _)) => self.endpoints.refuse_batches(&host),
                Err(SendError::BatchRefused { host }) => self.endpoints.refuse_batches(&host),
                Err(SendError::NoBatchEndpoint) => {}
                Err(SendError::Shrink) => {
                    // The pace was slowed: send the batch in parts that fit it.
                    let mut results = Vec::with_capacity(calls.len());
                    for part in calls.chunks(self.max_batch()) {
                        results.extend(self.batch(part.to_vec()).await?);
                    }
                    return Ok(results);
                }
                Err(SendError::Rpc(error)) => return Err(error),
            }
        }
        // Single calls, bounded concurrency, order kept.
        let singles: Vec<BoxFuture<'_, Result<T, RpcError>>> = calls
            .into_iter()
            .map(|(method, params)| Box::pin(self.call::<T>(method, params)) as BoxFuture<'_, _>)
            .collect();
        Ok(stream::iter(singles).buffered(self.concurrency).collect().await)
    }
}
