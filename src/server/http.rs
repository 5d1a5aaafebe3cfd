//! HTTP details the pages and handlers share: the client's address, status
//! codes and headers for refused requests, and the report form for browsers
//! without JavaScript.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

use super::security_headers::{self, CspNonce};
use super::state::ServerState;
use crate::domain::RequestReportError;
use crate::service::refusal::{refusal_headers, status_for};
use crate::service::submit;
use crate::ui::app::shell;
use crate::ui::components::request_form::{REQUEST_REPORT_PATH, RefusedForm};

/// Form posts larger than this are not a wallet and an email.
pub const MAX_FORM_BYTES: usize = 4 * 1024;

/// A browser posting a plain form asks for HTML; the hydrated form's fetch asks for JSON.
pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// A refused report request, answered in the form the client understands:
/// the home page with the message for a plain form post (keeping `wallet`),
/// the JSON error the hydrated form decodes otherwise.
pub async fn refuse(
    state: &ServerState,
    wants_html: bool,
    nonce: Option<CspNonce>,
    wallet: String,
    error: RequestReportError,
) -> Response {
    if wants_html {
        return render_refused_form(state, RefusedForm { wallet, error }, nonce).await;
    }
    let status = status_for(&error);
    let headers = refusal_headers(&state.app.settings, &error);
    (status, headers, axum::Json(error)).into_response()
}

/// Guards the report form's endpoint and handles it for browsers without
/// JavaScript. Every post must be a small url-encoded form with each field
/// at most once (415, 413, 400 otherwise) — so malformed input never reaches
/// the server function, whose own decoding errors would be 500s.
///
/// A plain form post (it asks for HTML) is handled here: success is a `303`
/// to the job page; a refusal is the form again, with the messages beside
/// the fields and the right status (422, 429 with `Retry-After`). The
/// hydrated form (it asks for JSON) goes on to the server function once its
/// fields are valid; invalid ones are answered here in the same JSON.
pub async fn plain_form_post(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != REQUEST_REPORT_PATH {
        return next.run(request).await;
    }
    if !is_url_encoded_form(request.headers()) {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send the form as application/x-www-form-urlencoded.")
            .into_response();
    }
    let wants_html = accepts_html(request.headers());
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response(),
    };
    let Some(FormFields { wallet, email, refresh }) = form_fields(&body) else {
        return (StatusCode::BAD_REQUEST, "Send each of wallet and email once, as UTF-8.").into_response();
    };
    let nonce = parts.extensions.get::<CspNonce>().cloned();
    if !wants_html {
        return match submit::parse(&wallet, &email) {
            Ok(_) => next.run(Request::from_parts(parts, Body::from(body))).await,
            Err(error) => refuse(&state, false, nonce, String::new(), error).await,
        };
    }
    let client_ip = state.app.settings.client_ip.for_request(&parts.extensions, &parts.headers);
    let input = submit::FormInput { wallet: &wallet, email: &email, refresh };
    match submit::request_report(&state.app, input, client_ip).await {
        Ok(id) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        Err(error) => refuse(&state, true, nonce, wallet.trim().to_owned(), error).await,
    }
}

fn is_url_encoded_form(headers: &HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

struct FormFields {
    wallet: String,
    email: String,
    refresh: bool,
}

/// `wallet`, `email` and `refresh` from a url-encoded body (a missing wallet
/// or email is empty, so it gets the field's "enter…" message); `None` when
/// a field repeats or a value is not UTF-8 — either is a forged post, not a
/// person typing.
fn form_fields(body: &[u8]) -> Option<FormFields> {
    let (mut wallet, mut email, mut refresh) = (None, None, None);
    for (key, value) in url::form_urlencoded::parse(body) {
        let slot = match key.as_ref() {
            "wallet" => &mut wallet,
            "email" => &mut email,
            "refresh" => &mut refresh,
            _ => continue,
        };
        // The decoder puts U+FFFD where bytes were not UTF-8.
        if slot.is_some() || value.contains('\u{FFFD}') {
            return None;
        }
        *slot = Some(value.into_owned());
    }
    Some(FormFields {
        wallet: wallet.unwrap_or_default(),
        email: email.unwrap_or_default(),
        refresh: refresh.is_some(),
    })
}

/// The home page with the refusal shown in it, under the request's CSP nonce.
async fn render_refused_form(state: &ServerState, refused: RefusedForm, nonce: Option<CspNonce>) -> Response {
    let status = status_for(&refused.error);
    let headers = refusal_headers(&state.app.settings, &refused.error);
    let app = state.app.clone();
    let options = state.leptos.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(app.clone());
            provide_context(refused.clone());
            security_headers::provide_request_nonce();
        },
        move || shell(options.clone()),
    );
    let mut get_home =
        Request::get("/").header(header::ACCEPT, "text/html").body(Body::empty()).expect("static request");
    if let Some(nonce) = nonce {
        get_home.extensions_mut().insert(nonce);
    }
    let mut response = render(get_home).await;
    *response.status_mut() = status;
    response.headers_mut().extend(headers);
    response
}
