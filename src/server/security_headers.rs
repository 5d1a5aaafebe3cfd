//! Response headers that make the browser our ally: a Content-Security-Policy
//! that runs only our own scripts, no framing, no MIME sniffing, no
//! referrer, no powerful features, and HSTS when the site is served over
//! https.
//!
//! Leptos inlines a few scripts (the hydration loader, streamed resources);
//! each carries a nonce. The nonce is made here, once per request that may
//! render, handed to Leptos through the request (see
//! [`provide_request_nonce`]) and named in the policy of the same response,
//! so only the scripts we rendered run. A kept page is served with the
//! policy made once with it.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::*;

use crate::config::settings::Settings;

/// Features a report site never needs; denying them means an injected
/// script could not use them either.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), \
     display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), \
     payment=(), publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()";
const HSTS: &str = "max-age=31536000";

// The nonce lives in the application layer: a kept page keeps its nonce.
pub use crate::service::nonce::CspNonce;

/// The policy for a response whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    // 'wasm-unsafe-eval' lets the page compile our WASM, nothing more.
    // Style attributes are allowed (the job page's progress bar sets its
    // width in one; an attribute cannot run script), <style> elements and
    // foreign stylesheets are not. form-action keeps the no-JavaScript form
    // posting to us only.
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The `Content-Security-Policy` header naming `nonce`.
pub fn policy_header(nonce: &CspNonce) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(&nonce.0)).expect("base64url is a valid header")
}

/// Middleware, outermost: the headers every response carries, whatever
/// answered it (a kept page, a render, a refusal, a timeout).
pub async fn set(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // For browsers too old for frame-ancestors.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("permissions-policy", HeaderValue::from_static(PERMISSIONS_POLICY));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

/// Middleware, below the kept pages (which carry the policy made with
/// them, and never get here): makes the nonce of whatever this request
/// renders, and names it in the response's policy. A render of a page to
/// keep brings the page's own nonce, which is used instead; a response
/// that already has its policy (a kept page served from the router's
/// fallback) keeps it.
pub async fn set_content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = match request.extensions().get::<CspNonce>() {
        Some(nonce) => nonce.clone(),
        None => {
            let nonce = CspNonce::random();
            request.extensions_mut().insert(nonce.clone());
            nonce
        }
    };
    let mut response = next.run(request).await;
    // A 304's headers update the copy the browser kept, whose scripts carry
    // the nonce it was served with: a policy naming this request's nonce
    // would block them. Without one, the kept policy stays.
    if response.status() != StatusCode::NOT_MODIFIED
        && !response.headers().contains_key(header::CONTENT_SECURITY_POLICY)
    {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy_header(&nonce));
    }
    response
}

/// Whether HSTS applies: only a site whose public URL is https may pin
/// browsers to https (on plain http the header would be a lie, and ignored).
pub fn hsts_applies(settings: &Settings) -> bool {
    settings.public_url.scheme() == "https"
}

/// Gives Leptos this request's nonce (it would otherwise make its own, one
/// the header does not name). Call inside a render's context closure, after
/// Leptos has put the request parts into context.
pub fn provide_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_gets_a_fresh_unguessable_nonce() {
        let (a, b) = (CspNonce::random(), CspNonce::random());
        assert_ne!(a, b);
        assert!(a.0.len() >= 22, "128 bits in base64: {}", a.0);
        assert!(a.0.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn the_policy_allows_only_our_own_and_nonced_scripts() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(csp.contains("style-src-attr 'unsafe-inline'"), "only style attributes may be inline");
        assert!(!csp.replace("style-src-attr 'unsafe-inline'", "").contains("unsafe-inline"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
