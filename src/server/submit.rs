//! Accepting a report request: validate, apply the per-address limits, and
//! record request and job in one write transaction. The server function and
//! the no-JavaScript form handler both call [`request_report`].

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context as _;

use super::state::AppState;
use crate::domain::request::{Limit, humanize_wait};
use crate::domain::{EmailAddress, FieldErrors, JobId, RequestReportError, WalletAddress};
use crate::storage;

const DAY: Duration = Duration::from_secs(24 * 3600);

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
    let email_hash = state.hasher.hash("email", &email.normalized());
    let ip_hash = client_ip.map(|ip| state.hasher.hash("ip", &ip.to_string()));
    let now = state.clock.now_ms();
    let id = JobId::random();
    let queued = enqueue(state, &id, (&wallet, &email, refresh), &email_hash, ip_hash.as_deref(), now).await;
    match queued {
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
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "could not queue a report request");
            Err(RequestReportError::Internal)
        }
    }
}

/// Both fields parsed, or the messages for the ones that are not valid.
pub fn parse(wallet: &str, email: &str) -> Result<(WalletAddress, EmailAddress), RequestReportError> {
    match (WalletAddress::parse(wallet), EmailAddress::parse(email)) {
        (Ok(wallet), Ok(email)) => Ok((wallet, email)),
        (wallet, email) => Err(RequestReportError::Invalid(FieldErrors {
            wallet: wallet.err().map(|e| e.to_string()),
            email: email.err().map(|e| e.to_string()),
        })),
    }
}

/// Checks the limits and inserts under one `BEGIN IMMEDIATE`, so two
/// requests racing for the last allowed slot cannot both get it.
/// `Ok(Some(_))` is a refusal, and then nothing was written.
async fn enqueue(
    state: &AppState,
    id: &JobId,
    (wallet, email, refresh): (&WalletAddress, &EmailAddress, bool),
    email_hash: &str,
    ip_hash: Option<&str>,
    now: i64,
) -> anyhow::Result<Option<RequestReportError>> {
    let since = now - DAY.as_millis() as i64;
    let limit = state.settings.email_daily_limit;
    let mut tx = state.db.begin_write().await?;
    let request = (email_hash, wallet.as_str(), ip_hash);
    if !storage::requests::insert_within_limits(&mut tx, request, now, since, limit).await? {
        // Refused: say which limit and until when (the transaction is
        // dropped, so nothing is written).
        return refusal(&mut tx, wallet, email_hash, now, limit).await.map(Some);
    }
    storage::jobs::insert(&mut tx, id, wallet, email, state.settings.max_attempts, refresh, now).await?;
    tx.commit().await.context("Failed to commit a report request")?;
    Ok(None)
}

/// Which per-address limit refused the request, and when it lets up.
async fn refusal(
    tx: &mut storage::WriteTx,
    wallet: &WalletAddress,
    email_hash: &str,
    now: i64,
    daily_limit: u32,
) -> anyhow::Result<RequestReportError> {
    let since = now - DAY.as_millis() as i64;
    let (oldest, same_wallet_at): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT MIN(created_at), MAX(CASE WHEN wallet = ?3 THEN created_at END)
         FROM requests WHERE email_hash = ?1 AND created_at > ?2",
    )
    .bind(email_hash)
    .bind(since)
    .bind(wallet.as_str())
    .fetch_one(&mut **tx)
    .await
    .context("Failed to count requests")?;
    let wait =
        |from: Option<i64>| ((from.unwrap_or(now) + DAY.as_millis() as i64 - now).max(0) / 1000) as u64;
    Ok(match same_wallet_at {
        Some(at) => {
            let retry_after_secs = wait(Some(at));
            RequestReportError::RateLimited {
                limit: Limit::EmailAndWallet,
                message: format!(
                    "You already asked for this wallet's report today; it is on its way to your inbox. You can ask again {}.",
                    humanize_wait(retry_after_secs)
                ),
                retry_after_secs,
            }
        }
        None => {
            let retry_after_secs = wait(oldest);
            RequestReportError::RateLimited {
                limit: Limit::Email,
                message: format!(
                    "This address has had {daily_limit} reports in the last 24 hours, the most we send. You can ask again {}.",
                    humanize_wait(retry_after_secs)
                ),
                retry_after_secs,
            }
        }
    })
}
