//! The JSON API and health check, and the lookups the pages share with it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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

/// The wallet's unexpired report; `None` for invalid addresses too.
pub async fn published_report(state: &AppState, wallet: &str) -> anyhow::Result<Option<PublishedReport>> {
    let Ok(wallet) = WalletAddress::parse(wallet) else {
        return Ok(None);
    };
    storage::reports::get(&state.db, wallet.as_str(), state.clock.now_ms()).await
}

/// `GET /api/jobs/{id}`
pub async fn get_job(State(state): State<ServerState>, Path(id): Path<String>) -> Response {
    match job_view(&state.app, &id).await {
        Ok(Some(view)) => Json(view).into_response(),
        Ok(None) => not_found("no such job"),
        Err(error) => internal(error),
    }
}

/// `GET /api/reports/{wallet}`
pub async fn get_report(State(state): State<ServerState>, Path(wallet): Path<String>) -> Response {
    match published_report(&state.app, &wallet).await {
        Ok(Some(report)) => Json(report).into_response(),
        Ok(None) => not_found("no report for this wallet"),
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
