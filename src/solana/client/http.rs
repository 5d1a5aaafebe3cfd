//! One HTTP exchange with one endpoint: POST the body, read the status,
//! `Retry-After` and JSON, and tell a batch refusal from other failures.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::endpoints::Endpoint;
use super::error::{RpcError, SendError};

pub(super) async fn exchange(
    http: &reqwest::Client,
    timeout: Duration,
    endpoint: &Endpoint,
    body: &Value,
    is_batch: bool,
) -> Result<Value, SendError> {
    let host = endpoint.host.clone();
    let unreachable = |e: reqwest::Error| {
        if e.is_timeout() {
            RpcError::Timeout { host: host.clone(), timeout }
        } else {
            RpcError::Connect { host: host.clone(), message: root_cause(&e) }
        }
    };
    let response = http.post(endpoint.url.clone()).json(body).send().await.map_err(unreachable)?;
    let status = response.status();
    if !status.is_success() {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Some providers refuse batches with a 4xx and a JSON-RPC error body.
        if is_batch
            && matches!(
                status,
                StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::FORBIDDEN
            )
        {
            return Err(SendError::BatchRefused { host });
        }
        return Err(RpcError::Http { host, status: status.as_u16(), retry_after }.into());
    }
    let bytes = response.bytes().await.map_err(unreachable)?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| RpcError::Malformed { host: host.clone(), message: format!("not JSON: {e}") })?;
    if is_batch
        && let Some(error) = value.get("error")
        && value.get("id").is_none_or(Value::is_null)
    {
        // A single error object in answer to a batch: the provider does
        // not do batches (or not this size).
        let message = error.get("message").and_then(Value::as_str).unwrap_or("");
        tracing::debug!(host, message, "batch answered with a single error");
        return Err(SendError::BatchRefused { host });
    }
    Ok(value)
}

/// `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after(" 30 "), Some(Duration::from_secs(30)));
        let in_a_minute = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(61));
        let parsed = parse_retry_after(&in_a_minute).unwrap();
        assert!(parsed > Duration::from_secs(55) && parsed <= Duration::from_secs(61), "{parsed:?}");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
