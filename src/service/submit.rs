//! Accepting a report request: validate, apply the per-address limits, and
//! record request and job in one write transaction. The server function and
//! the no-JavaScript form handler both call [`request_report`].
//!
//! Requests arriving together are written together
//! ([`super::request_writer::RequestWriter`]):
//! SQLite has one writer, and under load a submit spent its time waiting
//! for it, each holding it across five round trips to the database thread.

use std::net::IpAddr;
use std::time::Duration;

use super::names::NameAnswer;
use super::request_writer::{Pending, WriteFailure};
use super::state::AppState;
use crate::domain::{
    EmailAddress, FieldErrors, JobId, RequestReportError, SolName, WalletAddress, WalletOrName,
};

/// What the form sent. `refresh` comes from a report page's "Ask for a fresh
/// analysis": analyse again even if the stored report is still current.
#[derive(Clone, Copy, Debug)]
pub struct FormInput<'a> {
    pub wallet: &'a str,
    pub email: &'a str,
    pub refresh: bool,
}

/// Validates the form, checks the limits and queues the job.
pub async fn request_report(
    state: &AppState,
    input: FormInput<'_>,
    client_ip: Option<IpAddr>,
) -> Result<JobId, RequestReportError> {
    let FormInput { wallet, email, refresh } = input;
    let (wallet, email) = parse(wallet, email)?;
    // A name is looked up only once both fields are valid, and after the
    // per-client limit (which runs before this) has counted the request.
    let (wallet, name) = match wallet {
        WalletOrName::Address(wallet) => (wallet, None),
        WalletOrName::Name(name) => (wallet_of(state, &name).await?, Some(name)),
    };
    let email_hash = state.hasher.hash("email", &email.normalized());
    let ip_hash = client_ip.map(|ip| state.hasher.hash("ip", &ip.to_string()));
    let now = state.clock.now_ms();
    let id = JobId::random();
    let pending =
        Pending { id: id.clone(), wallet: wallet.clone(), name, email, refresh, email_hash, ip_hash, now };
    match state.request_writer.write(pending).await {
        Ok(None) => {
            state.queue_wake.notify_one();
            tracing::info!(job_id = %id, wallet = %wallet, "report requested");
            Ok(id)
        }
        Ok(Some(refusal)) => {
            if let RequestReportError::RateLimited { limit, .. } = &refusal {
                crate::metrics::rate_limited(*limit);
            }
            Err(refusal)
        }
        Err(WriteFailure { disk_full: true, error }) => {
            tracing::error!(%error, "could not queue a report request: the database is full");
            Err(RequestReportError::Unavailable { retry_after_secs: DISK_FULL_RETRY.as_secs() })
        }
        Err(WriteFailure { error, .. }) => {
            tracing::error!(%error, "could not queue a report request");
            Err(RequestReportError::Internal)
        }
    }
}

/// What a refusal for a full disk asks the client to wait.
const DISK_FULL_RETRY: Duration = Duration::from_secs(300);

/// The wallet a `.sol` name stands for, or the refusal to show: a message
/// beside the field when the name has none, a retry when the node did not
/// answer. Either way nothing is written.
async fn wallet_of(state: &AppState, name: &SolName) -> Result<WalletAddress, RequestReportError> {
    match state.names.resolve(&state.rpc, name, state.clock.now_ms()).await {
        Ok(NameAnswer::Wallet { wallet, .. }) => Ok(wallet),
        Ok(NameAnswer::NoWallet(message)) => {
            Err(RequestReportError::Invalid(FieldErrors { wallet: Some(message), email: None }))
        }
        Err(_) => Err(RequestReportError::NameLookupFailed { retry_after_secs: NAME_RETRY.as_secs() }),
    }
}

/// What a refusal for a name the node could not look up asks the client to wait.
const NAME_RETRY: Duration = Duration::from_secs(30);

/// Both fields parsed (the wallet field as an address or a `.sol` name),
/// or the messages for the ones that are not valid.
pub fn parse(wallet: &str, email: &str) -> Result<(WalletOrName, EmailAddress), RequestReportError> {
    match (WalletOrName::parse(wallet), EmailAddress::parse(email)) {
        (Ok(wallet), Ok(email)) => Ok((wallet, email)),
        (wallet, email) => Err(RequestReportError::Invalid(FieldErrors {
            wallet: wallet.err().map(|e| e.to_string()),
            email: email.err().map(|e| e.to_string()),
        })),
    }
}
