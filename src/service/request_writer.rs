//! Writing report requests in groups (see [`RequestWriter`]): one task, one
//! transaction per group, each request checked against the per-address
//! limits as the ones before it left them. [`super::submit`] validates a
//! request and hands it here.

use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{mpsc, oneshot};

use crate::domain::request::{Limit, humanize_wait};
use crate::domain::{EmailAddress, JobId, RequestReportError, SolName, WalletAddress};
use crate::storage::{self, Db};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A group that could not be written (and so wrote nothing).
#[derive(Clone, Debug)]
pub(super) struct WriteFailure {
    /// SQLite found the disk full: nothing can be taken until space is freed.
    pub(super) disk_full: bool,
    pub(super) error: String,
}

impl WriteFailure {
    fn from(error: &anyhow::Error) -> Self {
        WriteFailure { disk_full: storage::is_disk_full(error), error: format!("{error:#}") }
    }
}

/// Most requests written in one transaction.
const MOST_PER_GROUP: usize = 64;

/// A valid request on its way to the database.
pub(super) struct Pending {
    pub(super) id: JobId,
    pub(super) wallet: WalletAddress,
    /// The `.sol` name the request named, resolved to `wallet`.
    pub(super) name: Option<SolName>,
    pub(super) email: EmailAddress,
    pub(super) refresh: bool,
    pub(super) email_hash: String,
    pub(super) ip_hash: Option<String>,
    pub(super) now: i64,
}

/// `None`: queued; `Some`: refused by a per-address limit, nothing written.
pub(super) type Outcome = Option<RequestReportError>;

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

    pub(super) async fn write(&self, pending: Pending) -> Result<Outcome, WriteFailure> {
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
