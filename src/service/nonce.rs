//! The CSP nonce a page is rendered with. Here rather than with the
//! security headers because a kept-rendered page keeps its nonce.

/// This request's CSP nonce: 128 random bits, base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);

impl CspNonce {
    pub fn random() -> Self {
        CspNonce(leptos::nonce::Nonce::new().to_string())
    }
}
