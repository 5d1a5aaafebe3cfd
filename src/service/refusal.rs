//! How a refused report request is told to the client, shared by the server
//! function and the HTTP edge: the status code, `Retry-After` and the
//! `RateLimit` fields; and the client address a server function sees.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use leptos::prelude::*;

use super::state::AppState;
use crate::config::settings::Settings;
use crate::domain::RequestReportError;
use crate::domain::request::Limit;

const DAY_SECS: u64 = 24 * 3600;

/// The client's IP (inside a server function), as `KIMIKO_CLIENT_IP_HEADER` says to read it.
pub fn client_ip_from_context(state: &AppState) -> Option<IpAddr> {
    let parts = use_context::<axum::http::request::Parts>()?;
    state.settings.client_ip.for_request(&parts.extensions, &parts.headers)
}

/// The HTTP status for a refused request.
pub fn status_for(error: &RequestReportError) -> StatusCode {
    match error {
        RequestReportError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        RequestReportError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        RequestReportError::Forbidden => StatusCode::FORBIDDEN,
        RequestReportError::Unavailable { .. } | RequestReportError::NameLookupFailed { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        RequestReportError::Internal | RequestReportError::Network(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `Retry-After` and the `RateLimit` fields for a rate-limit refusal; none otherwise.
pub fn refusal_headers(settings: &Settings, error: &RequestReportError) -> HeaderMap {
    match error {
        RequestReportError::RateLimited { limit, retry_after_secs, .. } => {
            limit_headers(settings, *limit, *retry_after_secs)
        }
        RequestReportError::Unavailable { retry_after_secs }
        | RequestReportError::NameLookupFailed { retry_after_secs } => {
            HeaderMap::from_iter([(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs))])
        }
        _ => HeaderMap::new(),
    }
}

/// Sets status and headers on the server function's response.
pub fn set_error_status(settings: &Settings, error: &RequestReportError) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    response.set_status(status_for(error));
    for (name, value) in &refusal_headers(settings, error) {
        response.insert_header(name.clone(), value.clone());
    }
}

/// `Retry-After` plus the IETF `RateLimit` and `RateLimit-Policy` fields
/// (draft-ietf-httpapi-ratelimit-headers) for a refusal by `limit`.
pub fn limit_headers(settings: &Settings, limit: Limit, retry_after_secs: u64) -> HeaderMap {
    let (name, quota, window) = match limit {
        Limit::Client => ("client", u64::from(settings.ip_rate.burst), settings.ip_rate.window_secs()),
        Limit::Email => ("email", u64::from(settings.email_daily_limit), DAY_SECS),
        Limit::EmailAndWallet => ("email-wallet", 1, DAY_SECS),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    let policy = format!("\"{name}\";q={quota};w={window}");
    let state = format!("\"{name}\";r=0;t={retry_after_secs}");
    headers.insert("ratelimit-policy", HeaderValue::from_str(&policy).expect("ASCII"));
    headers.insert("ratelimit", HeaderValue::from_str(&state).expect("ASCII"));
    headers
}
