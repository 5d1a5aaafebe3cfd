//! Accepting a report request: validate, apply the per-address limits, and
//! record request and job in one write transaction. The server function and
//! the no-JavaScript form handler both call [`request_report`].
//!
//! Requests arriving together are written together ([`RequestWriter`]):
//! SQLite has one writer, and under load a submit spent its time waiting
//! for it, each holding it across five round trips to the database thread.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{mpsc, oneshot};

use super::names::{self, NameAnswer};
use super::state::AppState;
use crate::domain::request::{Limit, humanize_wait};
use crate::domain::{
    EmailAddress, FieldErrors, JobId, RequestReportError, SolName, WalletAddress, WalletOrName,
};
use crate::storage::{self, Db};

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

/// A group that could not be written (and so wrote nothing).
#[derive(Clone, Debug)]
struct WriteFailure {
    /// SQLite found the disk full: nothing can be taken until space is freed.
    disk_full: bool,
    error: String,
}

impl WriteFailure {
    fn from(error: &anyhow::Error) -> Self {
        WriteFailure { disk_full: storage::is_disk_full(error), error: format!("{error:#}") }
    }
}

/// The wallet a `.sol` name stands for, or the refusal to show: a message
/// beside the field when the name has none, a retry when the node did not
/// answer. Either way nothing is written.
async fn wallet_of(state: &AppState, name: &SolName) -> Result<WalletAddress, RequestReportError> {
    match names::resolve(state, name).await {
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

/// Most requests written in one transaction.
const MOST_PER_GROUP: usize = 64;

/// A valid request on its way to the database.
struct Pending {
    id: JobId,
    wallet: WalletAddress,
    /// The `.sol` name the request named, resolved to `wallet`.
    name: Option<SolName>,
    email: EmailAddress,
    refresh: bool,
    email_hash: String,
    ip_hash: Option<String>,
    now: i64,
}

/// `None`: queued; `Some`: refused by a per-address limit, nothing written.
type Outcome = Option<RequestReportError>;

/// Where a request's outcome goes (the failure goes to a whole group).
type Answer = oneshot::Sender<Result<Outcome, WriteFailure>>;

/// Writes report requests in groups: one task takes every request waiting
/// and writes them in one `BEGIN IMMEDIATE` transaction, in arrival order,
/// each checked against the limits as the ones before it left them — so
/// two requests racing for an address's last slot cannot both get it. A
/// request is answered only after its group is committed; if the group
/// fails, every request in it gets the error and none is written.
#[derive(Clone)]
pub struct RequestWriter {
    sender: mpsc::Sender<(Pending, Answer)>,
}

impl RequestWriter {
    /// Starts the writing task; it ends when the last clone is dropped.
    pub fn start(db: Db, daily_limit: u32, max_attempts: u32) -> Self {
        let (sender, mut receiver) = mpsc::channel::<(Pending, Answer)>(4 * MOST_PER_GROUP);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MOST_PER_GROUP);
            while receiver.recv_many(&mut group, MOST_PER_GROUP).await > 0 {
                let (requests, answers): (Vec<Pending>, Vec<_>) = group.drain(..).unzip();
                match write_group(&db, daily_limit, max_attempts, &requests).await {
                    Ok(outcomes) => {
                        for (answer, outcome) in answers.into_iter().zip(outcomes) {
                            let _ = answer.send(Ok(outcome));
                        }
                    }
                    Err(error) => {
                        let failure = WriteFailure::from(&error);
                        for answer in answers {
                            let _ = answer.send(Err(failure.clone()));
                        }
                    }
                }
            }
        });
        Self { sender }
    }

    async fn write(&self, pending: Pending) -> Result<Outcome, WriteFailure> {
        let stopped = || WriteFailure { disk_full: false, error: "the request writer has stopped".into() };
        let (answer, answered) = oneshot::channel();
        self.sender.send((pending, answer)).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn write_group(
    db: &Db,
    daily_limit: u32,
    max_attempts: u32,
    group: &[Pending],
) -> anyhow::Result<Vec<Outcome>> {
    let mut tx = db.begin_write().await?;
    storage::requests::lock_addresses(&mut tx, group.iter().map(|pending| pending.email_hash.as_str()))
        .await?;
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(group.len());
    for pending in group {
        let Pending { id, wallet, name, email, refresh, email_hash, ip_hash, now } = pending;
        let since = now - DAY.as_millis() as i64;
        let request = (email_hash.as_str(), wallet.as_str(), ip_hash.as_deref());
        if storage::requests::insert_within_limits(&mut tx, request, *now, since, daily_limit).await? {
            storage::jobs::insert(&mut tx, id, wallet, email, max_attempts, *refresh, *now).await?;
            if let Some(name) = name {
                storage::job_names::record(&mut tx, id, name).await?;
            }
            outcomes.push(None);
        } else {
            outcomes.push(Some(refusal(&mut tx, wallet, email_hash, *now, daily_limit).await?));
        }
    }
    if outcomes.iter().any(Option::is_none) {
        storage::jobs::announce_inserted(&mut tx).await?;
    }
    tx.commit().await.context("Failed to commit report requests")?;
    Ok(outcomes)
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
    let (oldest, same_wallet_at) = storage::requests::window(tx, email_hash, wallet.as_str(), since).await?;
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
