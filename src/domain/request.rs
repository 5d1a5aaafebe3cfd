//! The report request form's outcome, shared by the server function, the
//! no-JavaScript form handler and the page that shows the messages.

use serde::{Deserialize, Serialize};

/// Messages to show beside each field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub wallet: Option<String>,
    pub email: Option<String>,
}

/// Which limit refused a request: each has its own quota and window, and
/// its own name in the `RateLimit` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Limit {
    /// Submissions from one client address (IPv4, or an IPv6 /64) at the edge.
    Client,
    /// Reports per email address per 24 hours.
    Email,
    /// The same email address and wallet once per 24 hours.
    EmailAndWallet,
}

/// Why a report request was refused. The messages are for people; none of
/// them repeats the email address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RequestReportError {
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("{message}")]
    RateLimited { limit: Limit, message: String, retry_after_secs: u64 },
    #[error("This request came from another site, so it was refused.")]
    Forbidden,
    #[error("Something went wrong on our side. Please try again in a minute.")]
    Internal,
    /// The server cannot store anything (its disk is full); nothing was kept.
    #[error(
        "Your request could not be saved: the server has run out of storage space. Nothing was kept; please try again in a few minutes."
    )]
    Unavailable { retry_after_secs: u64 },
    /// A `.sol` name could not be looked up (the Solana node did not
    /// answer); nothing was kept.
    #[error(
        "Could not look up that .sol name: the Solana node did not answer. Nothing was kept; please try again in a minute, or paste the wallet address."
    )]
    NameLookupFailed { retry_after_secs: u64 },
    /// Transport trouble between the browser and the server.
    #[error("Could not reach Kimiko: {0}")]
    Network(String),
}

impl RequestReportError {
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            RequestReportError::Invalid(errors) => errors.clone(),
            _ => FieldErrors::default(),
        }
    }

    /// The message for the form as a whole (not tied to one field).
    pub fn form_message(&self) -> Option<String> {
        match self {
            RequestReportError::Invalid(_) => None,
            other => Some(other.to_string()),
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for RequestReportError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        RequestReportError::Network(value.to_string())
    }
}

/// "in 3 hours", "in 12 minutes", "in a few seconds".
pub fn humanize_wait(seconds: u64) -> String {
    match seconds {
        0..=59 => "in a few seconds".to_owned(),
        60..=3_599 => plural(seconds.div_ceil(60), "minute"),
        3_600..=86_399 => plural(seconds.div_ceil(3_600), "hour"),
        _ => plural(seconds.div_ceil(86_400), "day"),
    }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 { format!("in 1 {unit}") } else { format!("in {n} {unit}s") }
}
