//! The JSON API, the share card and the health check; the lookups they
//! share with the pages are in [`crate::service::reports`].

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::conditional;
use super::state::ServerState;
use crate::service::reports::{cached_report, job_view};

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
    request: Request,
) -> Response {
    // A `.sol` name redirects to the wallet's address (or says why it can't).
    match super::names::as_name(&wallet) {
        Some(Ok(name)) => {
            let to = |wallet: &crate::domain::WalletAddress| format!("/api/reports/{wallet}");
            let client = super::names::client_of(&state, &request);
            let answering = super::names::Answering::Api;
            if let Some(response) = super::names::redirect(&state, &name, client, answering, to).await {
                return response;
            }
        }
        Some(Err(message)) => return not_found(&message),
        None => {}
    }
    let headers = request.headers();
    match cached_report(&state.app, &wallet).await {
        Ok(Some(entry)) => conditional::respond(
            headers,
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
