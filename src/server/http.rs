//! HTTP details the pages and handlers share: the client's address, status
//! codes for refused requests, and the report form for browsers without
//! JavaScript.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

use super::startup::ServerState;
use super::submit;
use crate::app::shell;
use crate::domain::RequestReportError;
use crate::pages::home::{REQUEST_REPORT_PATH, RefusedForm};

/// Form posts larger than this are not a wallet and an email.
pub const MAX_FORM_BYTES: usize = 4 * 1024;

/// The client's IP as the socket saw it (inside a server function).
pub fn client_ip_from_context() -> Option<IpAddr> {
    let parts = use_context::<axum::http::request::Parts>()?;
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())
}

/// The HTTP status for a refused request.
pub fn status_for(error: &RequestReportError) -> StatusCode {
    match error {
        RequestReportError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        RequestReportError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        RequestReportError::Forbidden => StatusCode::FORBIDDEN,
        RequestReportError::Internal | RequestReportError::Network(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Sets status and `Retry-After` on the server function's response.
pub fn set_error_status(error: &RequestReportError) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    response.set_status(status_for(error));
    if let RequestReportError::RateLimited { retry_after_secs, .. } = error {
        response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
}

fn accepts_html(request: &Request) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Handles the report form when a browser posts it without JavaScript
/// (it asks for HTML): success is a `303` to the job page; a refusal is the
/// form again, with the messages beside the fields and the right status
/// (422, 429 with `Retry-After`). Everything else goes on to the server
/// function, which answers the hydrated form in JSON.
pub async fn plain_form_post(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST
        || request.uri().path() != REQUEST_REPORT_PATH
        || !accepts_html(&request)
    {
        return next.run(request).await;
    }
    let client_ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let body = match axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response(),
    };
    let mut wallet = String::new();
    let mut email = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "wallet" => wallet = value.into_owned(),
            "email" => email = value.into_owned(),
            _ => {}
        }
    }
    match submit::request_report(&state.app, &wallet, &email, client_ip).await {
        Ok(id) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        Err(error) => {
            render_refused_form(&state, RefusedForm { wallet: wallet.trim().to_owned(), error }).await
        }
    }
}

/// The home page with the refusal shown in it.
async fn render_refused_form(state: &ServerState, refused: RefusedForm) -> Response {
    let status = status_for(&refused.error);
    let retry_after = match &refused.error {
        RequestReportError::RateLimited { retry_after_secs, .. } => {
            Some(Duration::from_secs(*retry_after_secs))
        }
        _ => None,
    };
    let app = state.app.clone();
    let options = state.leptos.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(app.clone());
            provide_context(refused.clone());
        },
        move || shell(options.clone()),
    );
    let get_home =
        Request::get("/").header(header::ACCEPT, "text/html").body(Body::empty()).expect("static request");
    let mut response = render(get_home).await;
    *response.status_mut() = status;
    if let Some(wait) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
    }
    response
}
