//! `GET /api/jobs/{id}/events`: a job's progress as Server-Sent Events, for
//! the job page with JavaScript on. Each event is the job's public view as
//! JSON (the same as `GET /api/jobs/{id}`: no email address, ever); the
//! first is sent at once, the next whenever the view changes, and the
//! stream ends after the job's final state. Comments keep idle proxies from
//! closing it.
//!
//! A change is noticed through [`crate::service::job_events`] when this
//! process's worker records it, and by reading the job again every
//! [`RECHECK`] in case a worker in another process did.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde_json::json;
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, Interval};

use super::api::{internal, not_found};
use super::state::ServerState;
use crate::config::client_ip::limit_key;
use crate::domain::{JobId, JobView};
use crate::service::job_events::{Refused, StreamPermit};
use crate::service::reports::job_view;
use crate::service::state::AppState;

/// How often a stream reads its job again without being told.
pub const RECHECK: Duration = Duration::from_secs(5);
/// A comment this often keeps proxies from timing the stream out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// A stream ends after this long even if its job has not (a job may wait
/// a long backoff); the browser opens a new one, counted afresh.
const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// What a refused client is told to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 10;
/// How long the browser waits before reconnecting a broken stream.
const RECONNECT: Duration = Duration::from_secs(2);

/// `GET /api/jobs/{id}/events`
pub async fn job_events(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    // Malformed ids are unknown ids, as for the JSON endpoint.
    if JobId::parse(&id).is_none() {
        return not_found("no such job");
    }
    let app = &state.app;
    let Some(client) = app.settings.client_ip.for_request(request.extensions(), request.headers()) else {
        tracing::error!("an event stream could not be keyed to a client");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let permit = match app.job_events.open(limit_key(client)) {
        Ok(permit) => permit,
        Err(refused) => return too_many(refused),
    };
    // Subscribed before the first read, so no change between the two is lost.
    let changes = app.job_events.subscribe();
    let first = match job_view(app, &id).await {
        Ok(Some(view)) => view,
        Ok(None) => return not_found("no such job"),
        Err(error) => return internal(error),
    };
    let watching = Watch {
        app: app.clone(),
        id,
        changes,
        closing: app.job_events.closing(),
        recheck: tokio::time::interval_at(Instant::now() + RECHECK, RECHECK),
        ends_at: Instant::now() + MAX_AGE,
        first: Some(first),
        last: None,
        done: false,
        _permit: permit,
    };
    let mut response =
        Sse::new(events(watching)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    // Tells nginx (and the like) to pass events on as they come.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn too_many(refused: Refused) -> Response {
    let message = match refused {
        Refused::TooManyForClient => "too many open progress streams from your connection",
        Refused::TooMany => "too many open progress streams",
    };
    let mut response =
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({ "error": message }))).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// One open stream.
struct Watch {
    app: AppState,
    id: String,
    changes: broadcast::Receiver<Arc<str>>,
    closing: watch::Receiver<bool>,
    recheck: Interval,
    ends_at: Instant,
    /// The view read when the stream opened, not yet sent.
    first: Option<JobView>,
    /// The last view sent: only a different one is sent again.
    last: Option<JobView>,
    done: bool,
    _permit: StreamPermit,
}

fn events(watching: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(watching, |mut watch| async move {
        if watch.done {
            return None;
        }
        if let Some(first) = watch.first.take() {
            let event = watch.send(first).retry(RECONNECT);
            return Some((Ok(event), watch));
        }
        loop {
            if !watch.wait_for_a_change().await {
                return None;
            }
            match job_view(&watch.app, &watch.id).await {
                Ok(Some(view)) if watch.last.as_ref() != Some(&view) => {
                    let event = watch.send(view);
                    return Some((Ok(event), watch));
                }
                Ok(Some(_)) => {}
                // Cleaned up meanwhile: nothing more to tell.
                Ok(None) => return None,
                Err(error) => tracing::warn!(error = format!("{error:#}"), "could not read a streamed job"),
            }
        }
    })
}

impl Watch {
    /// Remembers `view` as sent and makes its event; a finished job's is the last.
    fn send(&mut self, view: JobView) -> Event {
        self.done = view.status.is_finished();
        let event =
            Event::default().json_data(&view).unwrap_or_else(|_| Event::default().comment("unreadable"));
        self.last = Some(view);
        event
    }

    /// Waits until this job may have changed: `false` when the stream
    /// should end instead (shutdown, old age).
    async fn wait_for_a_change(&mut self) -> bool {
        loop {
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(id) if *id == *self.id => return true,
                    Ok(_) => {}
                    // Fell behind: some change may have been ours.
                    Err(broadcast::error::RecvError::Lagged(_)) => return true,
                    Err(broadcast::error::RecvError::Closed) => return false,
                },
                _ = self.recheck.tick() => return true,
                _ = self.closing.wait_for(|closing| *closing) => return false,
                _ = tokio::time::sleep_until(self.ends_at) => return false,
            }
        }
    }
}
