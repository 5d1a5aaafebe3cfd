//! Report links by `.sol` name: `/report/bonfida.sol` and
//! `/api/reports/bonfida.sol` redirect to the same path under the wallet's
//! address, the report's one canonical URL (so the page, its ETag, the kept
//! render and the share card stay one per wallet). A name that does not
//! lead to a wallet gets a 404 saying why; one the node could not be asked
//! about, a 503 to retry.
//!
//! A lookup that reaches the node first takes a token from the client's
//! submission limit ([`super::rate_limit`]): a name costs RPC calls, so
//! crawling made-up names is limited like submitting forms. An answer the
//! cache still holds costs nothing and takes no token.

use std::net::IpAddr;

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::rate_limit;
use super::state::ServerState;
use crate::config::client_ip::limit_key;
use crate::domain::request::{Limit, humanize_wait};
use crate::domain::{SolName, WalletAddress};
use crate::service::names::{self, NameAnswer};

/// What the path segment names, when it is a name (it has a dot, which no
/// address has); a malformed name is left to the page or the API's 404.
pub fn as_name(segment: &str) -> Option<Result<SolName, String>> {
    segment.contains('.').then(|| SolName::parse(segment).map_err(|e| e.to_string()))
}

/// How a name link is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answering {
    /// `/report/{name}`: the page; a name without a wallet renders the
    /// report page's not-found, which says why (`None` from here).
    Page,
    /// `/api/reports/{name}`: JSON.
    Api,
}

/// Redirects a link by `name` to its wallet's URL (`to`), or answers why
/// not. `None`: let the page render (the name has no wallet; the page's
/// not-found says why, from the cache this filled).
pub async fn redirect(
    state: &ServerState,
    name: &SolName,
    client: Option<IpAddr>,
    answering: Answering,
    to: impl Fn(&WalletAddress) -> String,
) -> Option<Response> {
    let app = &state.app;
    if app.names.get(name, app.clock.now_ms()).is_none()
        && let Some(refused) = take_token(state, client, answering).await
    {
        return Some(refused);
    }
    match app.names.resolve(&app.rpc, name, app.clock.now_ms()).await {
        Ok(NameAnswer::Wallet { wallet, .. }) => {
            let mut response = Redirect::to(&to(&wallet)).into_response();
            // The name may change hands; its answer is kept as long as the cache keeps it.
            let max_age = names::NAME_TTL.as_secs();
            let cache = HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("ASCII");
            response.headers_mut().insert(header::CACHE_CONTROL, cache);
            Some(response)
        }
        Ok(NameAnswer::NoWallet(message)) => match answering {
            Answering::Page => None,
            Answering::Api => {
                Some((StatusCode::NOT_FOUND, Json(json!({ "error": message }))).into_response())
            }
        },
        Err(_) => {
            let message = "Could not look up that .sol name: the Solana node did not answer. Please try again in a minute.";
            Some(unavailable(message, answering))
        }
    }
}

fn unavailable(message: &str, answering: Answering) -> Response {
    let headers = [(header::RETRY_AFTER, HeaderValue::from(30))];
    match answering {
        Answering::Api => {
            (StatusCode::SERVICE_UNAVAILABLE, headers, Json(json!({ "error": message }))).into_response()
        }
        Answering::Page => (StatusCode::SERVICE_UNAVAILABLE, headers, message.to_owned()).into_response(),
    }
}

/// The client a request comes from, as the per-client limit keys it.
pub fn client_of(state: &ServerState, request: &Request) -> Option<IpAddr> {
    state.app.settings.client_ip.for_request(request.extensions(), request.headers())
}

/// One token from the client's submission bucket; the refusal when empty.
/// A request without a client address (no connect info) is not limited
/// here: the submission limit refuses those itself.
async fn take_token(state: &ServerState, client: Option<IpAddr>, answering: Answering) -> Option<Response> {
    let wait = rate_limit::refusal(state, limit_key(client?)).await?;
    let retry_after_secs = wait.as_secs() + 1;
    crate::metrics::rate_limited(Limit::Client);
    let message = format!(
        "Too many .sol name lookups from your connection in a short time. Please try again {}.",
        humanize_wait(retry_after_secs)
    );
    let headers =
        crate::service::refusal::limit_headers(&state.app.settings, Limit::Client, retry_after_secs);
    Some(match answering {
        Answering::Api => {
            (StatusCode::TOO_MANY_REQUESTS, headers, Json(json!({ "error": message }))).into_response()
        }
        Answering::Page => (StatusCode::TOO_MANY_REQUESTS, headers, message).into_response(),
    })
}
