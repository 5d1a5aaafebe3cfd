//! Operator endpoints for the queue, behind `KIMIKO_ADMIN_TOKEN` (sent as
//! `Authorization: Bearer <token>`). Without a configured token they don't
//! exist (404); with a wrong one they answer 401. No email address is ever
//! part of an answer.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::api::{internal, not_found};
use super::state::ServerState;
use crate::domain::JobStatus;
use crate::storage::{self, jobs::RequeueOutcome};

/// Lets a request through only with the right bearer token.
pub async fn require_token(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.app.settings.admin_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(given, token.expose()) {
        let mut response =
            (StatusCode::UNAUTHORIZED, Json(json!({"error": "admin token required"}))).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"kimiko-admin\""));
        return response;
    }
    next.run(request).await
}

/// Compares digests, so neither the content nor the length of the token
/// leaks through timing.
pub fn constant_time_eq(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter().zip(b.iter()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// `GET /admin/queue`: jobs by status and when the next one is due.
pub async fn queue(State(state): State<ServerState>) -> Response {
    let db = &state.app.db;
    match (storage::jobs::counts(db).await, storage::jobs::next_due(db).await) {
        (Ok(counts), Ok(next_due)) => {
            let counts: serde_json::Map<String, serde_json::Value> =
                counts.into_iter().map(|(status, n)| (status, n.into())).collect();
            Json(json!({"counts": counts, "next_due_ms": next_due})).into_response()
        }
        (Err(error), _) | (_, Err(error)) => internal(error),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<u32>,
}

/// `GET /admin/jobs?status=dead&limit=50`
pub async fn list(State(state): State<ServerState>, Query(query): Query<ListQuery>) -> Response {
    let status = match query.status.as_deref().map(JobStatus::parse) {
        None => None,
        Some(Some(status)) => Some(status),
        Some(None) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "status is queued, running, succeeded or dead"})),
            )
                .into_response();
        }
    };
    match storage::jobs::list(&state.app.db, status, query.limit.unwrap_or(50).min(500)).await {
        Ok(rows) => Json(rows).into_response(),
        Err(error) => internal(error),
    }
}

/// `GET /admin/jobs/{id}`: the job and every attempt with its error.
pub async fn show(State(state): State<ServerState>, Path(id): Path<String>) -> Response {
    let db = &state.app.db;
    match storage::jobs::row(db, &id).await {
        Ok(Some(job)) => match storage::jobs::attempts(db, &id).await {
            Ok(attempts) => Json(json!({"job": job, "attempts": attempts})).into_response(),
            Err(error) => internal(error),
        },
        Ok(None) => not_found("no such job"),
        Err(error) => internal(error),
    }
}

/// `POST /admin/jobs/{id}/retry`: re-queue one dead job.
pub async fn retry(State(state): State<ServerState>, Path(id): Path<String>) -> Response {
    let app = &state.app;
    match storage::jobs::requeue_dead(&app.db, &id, app.settings.max_attempts, app.clock.now_ms()).await {
        Ok(RequeueOutcome::Requeued) => {
            app.queue_wake.notify_one();
            Json(json!({"requeued": id})).into_response()
        }
        Ok(RequeueOutcome::NotFound) => not_found("no such job"),
        Ok(outcome) => (StatusCode::CONFLICT, Json(outcome)).into_response(),
        Err(error) => internal(error),
    }
}

/// `POST /admin/jobs/retry-dead`: re-queue every dead job that still has an address.
pub async fn retry_dead(State(state): State<ServerState>) -> Response {
    let app = &state.app;
    match storage::jobs::requeue_all_dead(&app.db, app.settings.max_attempts, app.clock.now_ms()).await {
        Ok(count) => {
            app.queue_wake.notify_one();
            Json(json!({"requeued": count})).into_response()
        }
        Err(error) => internal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq("s3cret-token", "s3cret-token"));
        assert!(!constant_time_eq("s3cret-toke", "s3cret-token"));
        assert!(!constant_time_eq("", "s3cret-token"));
    }
}
