//! One report job, start to finish: fetch the wallet's history, analyse it,
//! store the report and its mail in one transaction, send the mail, then
//! mark mail and job done in one transaction.
//!
//! Each step can be the one a crash interrupts, and a re-run picks up from
//! what is stored: a stored outbox row means the report is stored too, so
//! only the mail is left; a mail marked sent means nothing is left. Once the
//! SMTP server has accepted the message, recording that is never given up
//! for a re-send: send and record run in a task shutdown does not abort,
//! the record is retried in-process until it commits, a second run of the
//! job in this process waits for both, and shutdown waits for them up to
//! [`super::worker::RECORD_WAIT`] ([`crate::service::accepted`]). The one window that remains is a
//! crash (SIGKILL, power) after the acceptance and before that commit; the
//! re-run then sends the same message again with the same Message-ID and
//! idempotency key, which most mail systems, and Resend, deduplicate.

use std::time::Duration;

use tokio::sync::watch;
use tracing::Instrument as _;

use crate::analysis;
use crate::domain::{Changes, JobPhase, PublishedReport, Report, WalletAddress};
use crate::email::templates;
use crate::email::{MailError, OutgoingEmail};
use crate::service::neighbourhood::{Limits, follow_links};
use crate::service::state::AppState;
use crate::solana::{Progress, RpcError, fetch_history};
use crate::storage::{self, jobs::ClaimedJob, jobs::Lease, outbox::NewMail};

/// How a failed attempt should be treated.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// RPC or SMTP trouble that may pass: retry after a backoff.
    #[error("{0}")]
    Retryable(String),
    /// Retrying cannot help (a malformed wallet, a message refused by policy).
    #[error("{0}")]
    Permanent(String),
    /// The receiving mail server refused the address for good: the job is
    /// dead and the address is erased at once.
    #[error("{0}")]
    AddressRefused(String),
    /// The database is full: nothing can be stored until space is freed.
    /// The job waits without spending an attempt.
    #[error("{0}")]
    DiskFull(String),
}

impl From<RpcError> for JobError {
    fn from(error: RpcError) -> Self {
        let text = format!("Solana RPC: {error}");
        if error.is_retryable() { JobError::Retryable(text) } else { JobError::Permanent(text) }
    }
}

impl From<MailError> for JobError {
    /// Only the classified reason is kept: it is stored and shown.
    fn from(error: MailError) -> Self {
        match error {
            MailError::Transient(reason) => JobError::Retryable(format!("mail: {reason}")),
            MailError::Permanent(reason) if reason.refuses_address() => {
                JobError::AddressRefused(format!("mail: {reason}"))
            }
            MailError::Permanent(reason) => JobError::Permanent(format!("mail: {reason}")),
        }
    }
}

impl From<anyhow::Error> for JobError {
    /// Database trouble: the database is local, so it is most likely a
    /// passing lock (retry) or a full disk being cleared (wait).
    fn from(error: anyhow::Error) -> Self {
        if storage::is_disk_full(&error) {
            JobError::DiskFull(format!("the database is full: {error:#}"))
        } else {
            JobError::Retryable(format!("{error:#}"))
        }
    }
}

/// What a successful run ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    /// The mail went out and the job is marked succeeded.
    Delivered,
    /// Someone else owns the job now (our lease ran out); nothing was changed.
    LeaseLost,
}

/// Runs `job` under `lease`. Progress goes to `progress` (written to the
/// database by the caller, outside any transaction).
pub async fn run(
    state: &AppState,
    job: &ClaimedJob,
    lease: &Lease,
    progress: &watch::Sender<Progress>,
) -> Result<Done, JobError> {
    let db = &state.db;
    if let Some(mail) = storage::outbox::get(db, &job.id).await? {
        if mail.is_sent() {
            // Sent and marked before a crash that hit between the two commits
            // of an older version; nothing to send again.
            return finish(state, lease).await;
        }
        return deliver(state, job, lease).await;
    }

    let wallet = WalletAddress::parse(&job.wallet)
        .map_err(|e| JobError::Permanent(format!("stored wallet is invalid: {e}")))?;
    if storage::recipients::get(db, &job.id).await?.is_none() {
        return Err(JobError::Permanent("the email address was already erased".into()));
    }
    let now = state.clock.now_ms();
    // A report still within its lifetime is mailed again as it is (a burst of
    // requests for one wallet costs one analysis), unless the request asked
    // for a fresh analysis or an older analyser made it: its findings and
    // score may be ones this version no longer stands behind.
    let reusable = if job.refresh {
        None
    } else {
        storage::reports::get(db, wallet.as_str(), now)
            .await?
            .filter(|stored| stored.report.analyzer_version == analysis::ANALYZER_VERSION)
    };
    let (published, fresh) = match reusable {
        Some(mut existing) => {
            // Asked for by a name: the reused report says so too.
            let name = storage::job_names::of_job(db, &job.id).await?.map(|name| name.to_string());
            let renamed = name.is_some() && name != existing.report.reached_via;
            if renamed {
                existing.report.reached_via = name;
            }
            (existing, !renamed)
        }
        None => {
            let mut published = analyse(state, lease, &wallet, job.refresh, progress).await?;
            with_context(state, job, &mut published.report).await?;
            (published, false)
        }
    };

    let report_url = state.settings.link(&format!("/report/{}", published.report.wallet));
    let mail = templates::report_ready(
        &published.report,
        &report_url,
        published.expires_at,
        state.settings.public_url.as_str().trim_end_matches('/'),
    );
    let message_id = format!("<report.{}@{}>", job.id, state.mailer.sender_domain());
    let mut tx = db.begin_write().await?;
    if !fresh {
        // (A reused report only named anew is stored again, unchanged otherwise.)
        storage::reports::upsert(
            &mut tx,
            &published.report,
            published.created_at * 1000,
            published.expires_at * 1000,
        )
        .await?;
        storage::report_history::remember(&mut tx, &published.report, published.created_at * 1000).await?;
    }
    let new_mail = NewMail {
        job_id: &job.id,
        subject: &mail.subject,
        html: &mail.html,
        text: &mail.text,
        message_id: &message_id,
    };
    storage::outbox::insert_pending(&mut tx, &new_mail, now).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    if !fresh {
        state.reports.invalidate(&published.report.wallet);
    }
    tracing::info!(fresh, score = published.report.score, "report stored");

    deliver(state, job, lease).await
}

/// What the analysis cannot know: the `.sol` name the request named, and
/// what changed since the wallet's previous report (read before the write
/// transaction, which then remembers this report in its place).
async fn with_context(state: &AppState, job: &ClaimedJob, report: &mut Report) -> Result<(), JobError> {
    report.reached_via = storage::job_names::of_job(&state.db, &job.id).await?.map(|name| name.to_string());
    let previous = storage::report_history::previous(&state.db, &report.wallet).await?;
    report.changes = previous.map(|previous| Changes::between(&previous, report));
    Ok(())
}

/// Fetches and analyses; the report expires after the configured TTL. A
/// `refresh` (the user asked for a fresh analysis) reads other addresses'
/// newest pages again instead of taking them from the shared cache.
async fn analyse(
    state: &AppState,
    lease: &Lease,
    wallet: &WalletAddress,
    refresh: bool,
    progress: &watch::Sender<Progress>,
) -> Result<PublishedReport, JobError> {
    let on_progress = |p: Progress| {
        progress.send_replace(p);
    };
    let (history, gaps) = fetch_history(&state.rpc, wallet, state.settings.history_cap, &on_progress)
        .instrument(tracing::info_span!("fetch_history"))
        .await?;
    // The progress writer is throttled; record the end of fetching now, before
    // the job can finish and stop accepting progress.
    let fetched = u32::try_from(history.signatures.len()).unwrap_or(u32::MAX);
    storage::jobs::progress(&state.db, lease, JobPhase::Fetching, fetched, fetched, state.clock.now_ms())
        .await?;
    state.job_events.changed(&lease.job_id);
    if gaps.missing + gaps.unsupported_version > 0 {
        tracing::warn!(
            missing = gaps.missing,
            unsupported_version = gaps.unsupported_version,
            "some transactions could not be read"
        );
    }
    let neighbourhood = follow_links(
        &state.rpc,
        Some(&state.db),
        &state.labels,
        &history,
        Limits { fresh: refresh, ..Limits::from_settings(&state.settings) },
        state.clock.now_ms(),
        &on_progress,
    )
    .instrument(tracing::info_span!("follow_links"))
    .await;
    if !neighbourhood.lookups.is_empty() {
        // As above: the throttled writer may not get to the last value.
        let followed = u32::try_from(neighbourhood.lookups.len()).unwrap_or(u32::MAX);
        let now = state.clock.now_ms();
        storage::jobs::progress(&state.db, lease, JobPhase::FollowingLinks, followed, followed, now).await?;
    }
    tracing::info!(
        lookups = neighbourhood.lookups.len(),
        cached = neighbourhood.cached,
        rpc_calls = neighbourhood.calls,
        stopped_early = neighbourhood.stopped_early,
        incomplete = neighbourhood.incomplete,
        "links followed"
    );
    let now = state.clock.now_ms();
    let report = analysis::analyze_with(&history, &neighbourhood, &state.labels, now / 1000);
    let ttl = state.settings.report_ttl.as_millis() as i64;
    // Its revision is drawn when it is stored.
    Ok(PublishedReport { report, created_at: now / 1000, expires_at: (now + ttl) / 1000, revision: 0 })
}

/// Sends the job's stored mail and records it. Inside [`Accepted::enter`]
/// (`crate::service::accepted`) from before the outbox row is read until the mail is
/// recorded: a second run of this job in this process waits there and then
/// finds the mail sent.
async fn deliver(state: &AppState, job: &ClaimedJob, lease: &Lease) -> Result<Done, JobError> {
    let sending = state.accepted.enter(&job.id).await;
    // Read now, not before the wait: an earlier run may have sent it meanwhile.
    let mail = storage::outbox::get(&state.db, &job.id)
        .await?
        .ok_or_else(|| JobError::Retryable("the job's mail is missing from the outbox".into()))?;
    if mail.is_sent() {
        drop(sending);
        return finish(state, lease).await;
    }
    let Some(to) = storage::recipients::get(&state.db, &job.id).await? else {
        return Err(JobError::Permanent("the email address was already erased".into()));
    };
    let outgoing = OutgoingEmail {
        to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        message_id: mail.message_id,
        idempotency_key: format!("kimiko-report/{}", job.id),
    };
    // Still ours? If the lease ran out (a stalled process) and the job was
    // claimed again, the new run sends; this one must not. Renewing here
    // also gives the send a full lease.
    if !storage::jobs::heartbeat(&state.db, lease, state.settings.lease, state.clock.now_ms()).await? {
        return Ok(Done::LeaseLost);
    }
    // The server may accept the message at any moment from here on, so the
    // send and its record run in a task an abort of this job's task (a
    // shutdown past its grace) does not cut off; the shutdown waits for it.
    let task =
        tokio::spawn(send_and_record(state.clone(), lease.clone(), outgoing, sending).in_current_span());
    match task.await {
        Ok(outcome) => outcome,
        // A panic in the send is this job's panic: the worker records it.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(JobError::Retryable(format!("the send task stopped: {error}"))),
    }
}

async fn send_and_record(
    state: AppState,
    lease: Lease,
    outgoing: OutgoingEmail,
    sending: crate::service::accepted::Sending,
) -> Result<Done, JobError> {
    // These lines bracket the one duplicate-mail window (see the module
    // docs); the crash test reads them to measure it.
    tracing::info!(job_id = %lease.job_id, "sending the report mail");
    match state.mailer.send(&outgoing).await {
        Ok(path) => {
            crate::metrics::mail("sent");
            tracing::info!(job_id = %lease.job_id, "the mail server accepted the report mail");
            if let Some(path) = path {
                tracing::info!(path = %path.display(), "mail written to the file outbox");
            }
        }
        Err(error) => {
            drop(sending);
            crate::metrics::mail(match error {
                MailError::Transient(_) => "transient",
                MailError::Permanent(_) => "permanent",
            });
            storage::outbox::record_failure(&state.db, &lease.job_id, &error.to_string()).await?;
            return Err(error.into());
        }
    }
    // Accepted: from here on only recording it is left, never a re-send.
    let owned = crate::service::accepted::record(&state.db, &state.clock, &lease).await;
    drop(sending);
    state.db.clean_after_erasure();
    Ok(if owned { Done::Delivered } else { Done::LeaseLost })
}

async fn finish(state: &AppState, lease: &Lease) -> Result<Done, JobError> {
    let mut tx = state.db.begin_write().await?;
    let owned = storage::jobs::succeed(&mut tx, lease, state.clock.now_ms()).await?;
    tx.commit().await.map_err(anyhow::Error::from)?;
    if owned {
        state.db.clean_after_erasure();
    }
    Ok(if owned { Done::Delivered } else { Done::LeaseLost })
}

/// Retry or bury: the attempt count and the error kind decide.
pub fn after_failure(
    error: &JobError,
    attempt: i64,
    max_attempts: i64,
    base: Duration,
) -> storage::jobs::AfterFailure {
    match error {
        JobError::Retryable(_) if attempt < max_attempts => storage::jobs::AfterFailure::Retry {
            backoff: super::backoff::backoff(base, attempt as u32, &mut rand::rng()),
        },
        JobError::DiskFull(_) => storage::jobs::AfterFailure::Postpone { backoff: DISK_FULL_WAIT },
        JobError::AddressRefused(_) => storage::jobs::AfterFailure::Refused,
        _ => storage::jobs::AfterFailure::Dead,
    }
}

/// How long a job waits when the database was full: long enough for an
/// operator to free space, short enough to resume soon after.
pub const DISK_FULL_WAIT: Duration = Duration::from_secs(60);
