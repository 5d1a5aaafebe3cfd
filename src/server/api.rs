//! The JSON API, the share card and the health check, and the lookups the
//! pages share with them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::cache::CachedReport;
use super::conditional;
use super::startup::ServerState;
use super::state::AppState;
use crate::domain::{JobId, JobView, PublishedReport, WalletAddress};
use crate::storage;

/// A job's public view; `None` for ids that are malformed or unknown.
pub async fn job_view(state: &AppState, id: &str) -> anyhow::Result<Option<JobView>> {
    let Some(id) = JobId::parse(id) else {
        return Ok(None);
    };
    storage::jobs::view(&state.db, &id, |wallet| state.settings.link(&format!("/report/{wallet}"))).await
}

/// The wallet's unexpired report, from the in-process cache or else the
/// database (and then cached); `None` for invalid addresses too. The page,
/// the JSON and the card all read through here.
pub async fn cached_report(state: &AppState, wallet: &str) -> anyhow::Result<Option<Arc<CachedReport>>> {
    let now = state.clock.now_ms();
    // Only valid, canonical addresses are ever cached, so a hit on the text
    // as given needs no parsing.
    if let Some(hit) = state.reports.get(wallet, now) {
        crate::metrics::cache_lookup(crate::metrics::Cache::Reports, true);
        return Ok(Some(hit));
    }
    let Ok(wallet) = WalletAddress::parse(wallet) else {
        return Ok(None);
    };
    crate::metrics::cache_lookup(crate::metrics::Cache::Reports, false);
    let generation = state.reports.generation();
    let Some(published) = storage::reports::get(&state.db, wallet.as_str(), now).await? else {
        return Ok(None);
    };
    let entry = Arc::new(CachedReport::new(published)?);
    state.reports.insert(generation, Arc::clone(&entry), now);
    Ok(Some(entry))
}

/// The wallet's unexpired report; `None` for invalid addresses too.
pub async fn published_report(state: &AppState, wallet: &str) -> anyhow::Result<Option<PublishedReport>> {
    Ok(cached_report(state, wallet).await?.map(|entry| entry.published.clone()))
}

/// `GET /api/jobs/{id}`
pub async fn get_job(State(state): State<ServerState>, Path(id): Path<String>) -> Response {
    match job_view(&state.app, &id).await {
        Ok(Some(view)) => Json(view).into_response(),
        Ok(None) => not_found("no such job"),
        Err(error) => internal(error),
    }
}

/// `GET /api/reports/{wallet}`, with `ETag`, `Cache-Control` and `304`.
pub async fn get_report(
    State(state): State<ServerState>,
    Path(wallet): Path<String>,
    headers: HeaderMap,
) -> Response {
    match cached_report(&state.app, &wallet).await {
        Ok(Some(entry)) => conditional::respond(
            &headers,
            &entry.etag,
            conditional::cache_control(&entry, state.app.clock.now_ms()),
            "application/json",
            entry.json.clone(),
        ),
        Ok(None) => not_found("no report for this wallet"),
        Err(error) => internal(error),
    }
}

/// `GET /report/{wallet}/card.png`: the 1200×630 share card, rendered once
/// per report version and kept with the cached report.
pub async fn get_card(
    State(state): State<ServerState>,
    Path(wallet): Path<String>,
    headers: HeaderMap,
) -> Response {
    let entry = match cached_report(&state.app, &wallet).await {
        Ok(Some(entry)) => entry,
        Ok(None) => return not_found("no report for this wallet"),
        Err(error) => return internal(error),
    };
    let etag = conditional::derived_etag(&entry, "card", false);
    let cache_control = conditional::cache_control(&entry, state.app.clock.now_ms());
    if conditional::client_has(&headers, &etag) {
        // Answered without rendering the card.
        return conditional::respond(&headers, &etag, cache_control, "image/png", Default::default());
    }
    match entry.card_png().await {
        Ok(png) => conditional::respond(&headers, &etag, cache_control, "image/png", png),
        Err(error) => internal(error),
    }
}

/// `GET /healthz`: 200 while the database answers.
pub async fn healthz(State(state): State<ServerState>) -> Response {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

pub fn not_found(message: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": message }))).into_response()
}

/// Logs the cause; tells the client only that it failed.
pub fn internal(error: anyhow::Error) -> Response {
    tracing::error!(error = format!("{error:#}"), "request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "internal error" }))).into_response()
}
