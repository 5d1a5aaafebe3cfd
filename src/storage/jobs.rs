//! The job queue's SQL: enqueue, claim under a lease, heartbeat, progress,
//! succeed, fail (retry or dead), hand back, re-queue dead letters.
//!
//! Every state change after a claim is fenced on its [`Lease`] (worker and
//! attempt number): a run whose lease ran out and whose job was claimed
//! again can no longer move that job, so a late finisher never overwrites
//! the new run's work. An expired lease is claimed again by any worker,
//! the one that held it included (its run may have died without a word:
//! a failed acknowledgement, a panicked heartbeat).
//!
//! Attempt numbers only grow, across re-queues too, so every attempt stays
//! on record. Error texts are stored scrubbed of anything address-like, and
//! erased together with the job's address.

mod claim;
mod dead_letters;
mod views;
mod wakeups;

use std::time::Duration;

use anyhow::Context as _;

use super::{Db, WriteTx, on};
use crate::domain::{EmailAddress, JobId, JobPhase, JobStatus, WalletAddress};

pub use claim::claim;
pub use dead_letters::{
    RequeueOutcome, delete_finished_before, erase_dead_addresses, requeue_all_dead, requeue_dead,
};
pub use views::{AttemptRow, JobRow, attempts, counts, list, next_due, row, view};
pub use wakeups::forward as forward_wakeups;

/// A job handed to a worker.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: String,
    pub wallet: String,
    /// This attempt's number, 1-based.
    pub attempts: i64,
    pub max_attempts: i64,
    /// Analyse again even if a stored report is still fresh.
    pub refresh: bool,
}

/// Adds a job, and its address in `mail_recipients`, inside the caller's
/// transaction (which also records the request); [`announce_inserted`]
/// then wakes the workers.
pub async fn insert(
    tx: &mut WriteTx,
    id: &JobId,
    wallet: &WalletAddress,
    email: &EmailAddress,
    max_attempts: u32,
    refresh: bool,
    now: i64,
) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "INSERT INTO jobs (id, wallet, status, attempts, max_attempts, refresh, run_at, created_at, updated_at)
         VALUES ($1, $2, 'queued', 0, $3, $5, $4, $4, $4)",
    )
    .bind(id.as_str())
    .bind(wallet.as_str())
    .bind(i64::from(max_attempts))
    .bind(now)
    .bind(refresh)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to insert a job")?;
    super::recipients::insert(tx, id, email).await
}

/// Tells every process's worker, when `tx` commits, that jobs were queued:
/// once per transaction, however many jobs it inserted (Postgres merges
/// equal notifications anyway; this saves the round trips).
pub async fn announce_inserted(tx: &mut WriteTx) -> anyhow::Result<()> {
    wakeups::announce_at_commit(tx).await
}

/// One claim of one job: the worker and the attempt number it claimed.
/// Every change after the claim is fenced on all three, so neither another
/// worker nor a stale run of this worker (whose lease ran out and whose job
/// was claimed again) can move the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub job_id: String,
    pub worker: String,
    pub attempt: i64,
}

impl Lease {
    pub fn of(job: &ClaimedJob, worker: &str) -> Lease {
        Lease { job_id: job.id.clone(), worker: worker.to_owned(), attempt: job.attempts }
    }
}

/// Extends a running job's lease. `false` means the lease is lost (expired
/// and claimed again): the holder must stop working on the job.
pub async fn heartbeat(db: &Db, lease: &Lease, length: Duration, now: i64) -> anyhow::Result<bool> {
    let extended =
        set_while_held(db, lease, HeldColumn::LeaseUntil, Some(now + length.as_millis() as i64), now)
            .await
            .context("Failed to extend a lease")?;
    Ok(extended == 1)
}

/// A column a lease holder keeps up to date while it works on the job.
#[derive(Clone, Copy)]
enum HeldColumn {
    LeaseUntil,
    ProviderWaitSecs,
}

impl HeldColumn {
    fn name(self) -> &'static str {
        match self {
            HeldColumn::LeaseUntil => "lease_until",
            HeldColumn::ProviderWaitSecs => "provider_wait_secs",
        }
    }
}

/// Sets one column of the job while `lease` still holds it; the rows changed
/// (0 when the lease is lost). The column's name comes from [`HeldColumn`],
/// never from input, which is what makes formatting it into the SQL safe.
async fn set_while_held(
    db: &Db,
    lease: &Lease,
    column: HeldColumn,
    value: Option<i64>,
    now: i64,
) -> sqlx::Result<u64> {
    let sql = format!(
        "UPDATE jobs SET {} = $1, updated_at = $2
         WHERE id = $3 AND lease_owner = $4 AND attempts = $5 AND status = 'running'",
        column.name()
    );
    on!(db.write(), |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(value)
        .bind(now)
        .bind(&lease.job_id)
        .bind(&lease.worker)
        .bind(lease.attempt)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
}

/// Records progress in `phase` (a single autocommit statement, no RPC inside).
pub async fn progress(
    db: &Db,
    lease: &Lease,
    phase: JobPhase,
    done: u32,
    total: u32,
    now: i64,
) -> anyhow::Result<()> {
    on!(db.write(), |c| sqlx::query(
        // Never backwards within a phase: a late write of an older value
        // can't undo a newer one.
        "UPDATE jobs SET progress_done = CASE WHEN progress_total = $2 AND progress_phase = $7 AND progress_done > $1
                    THEN progress_done ELSE $1 END,
                progress_total = $2, progress_phase = $7, updated_at = $3
         WHERE id = $4 AND lease_owner = $5 AND attempts = $6 AND status = 'running'",
    )
    .bind(i64::from(done))
    .bind(i64::from(total))
    .bind(now)
    .bind(&lease.job_id)
    .bind(&lease.worker)
    .bind(lease.attempt)
    .bind(phase.as_str())
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to record progress")?;
    Ok(())
}

/// Records that the running job is held back by its RPC provider's rate
/// limits and how long the rest should take (`None`: not held back).
pub async fn provider_wait(db: &Db, lease: &Lease, wait_secs: Option<u32>, now: i64) -> anyhow::Result<()> {
    set_while_held(db, lease, HeldColumn::ProviderWaitSecs, wait_secs.map(i64::from), now)
        .await
        .context("Failed to record the provider's wait")?;
    Ok(())
}

/// Marks the job done and erases its email address, inside the caller's
/// transaction (which also marks the outbox row sent). `false` if the lease
/// was lost. The caller runs [`Db::clean_after_erasure`] after the commit.
pub async fn succeed(tx: &mut WriteTx, lease: &Lease, now: i64) -> anyhow::Result<bool> {
    let result = on!(tx.conn(), |c| sqlx::query(
        "UPDATE jobs SET status = 'succeeded', lease_until = NULL, lease_owner = NULL,
                last_error = NULL, finished_at = $1, updated_at = $1
         WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND status = 'running'",
    )
    .bind(now)
    .bind(&lease.job_id)
    .bind(&lease.worker)
    .bind(lease.attempt)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to mark a job succeeded")?;
    if result == 0 {
        return Ok(false);
    }
    finish_attempt(tx, lease, "succeeded", None, now).await?;
    super::recipients::erase(tx, &lease.job_id).await?;
    erase_attempt_errors(tx, &lease.job_id).await?;
    Ok(true)
}

/// The address is gone, so are the error texts of the job's attempts (their
/// outcomes stay): written by an older version, one could still hold a mail
/// server's reply quoting the address.
async fn erase_attempt_errors(tx: &mut WriteTx, job_id: &str) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE job_attempts SET error = NULL WHERE job_id = $1 AND error IS NOT NULL"
    )
    .bind(job_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to erase attempt errors")?;
    Ok(())
}

/// What happens to a job after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Run again after `backoff`.
    Retry { backoff: Duration },
    /// Run again after `backoff` without counting the attempt: the failure
    /// was the database's (a full disk), not the job's.
    Postpone { backoff: Duration },
    /// No more attempts: the job is dead.
    Dead,
    /// Dead, and the address erased at once: the receiving mail server
    /// refused it for good, so there is nothing left to deliver to.
    Refused,
}

/// Records a failed attempt: back to the queue after a backoff, or dead.
/// Returns the new status, or `None` if the lease was lost.
pub async fn fail(
    db: &Db,
    lease: &Lease,
    error: &str,
    after: AfterFailure,
    now: i64,
) -> anyhow::Result<Option<JobStatus>> {
    let error = scrub(error);
    let mut tx = db.begin_write().await?;
    let (status, outcome, run_at) = match after {
        AfterFailure::Retry { backoff } | AfterFailure::Postpone { backoff } => {
            (JobStatus::Queued, "retry", now + backoff.as_millis() as i64)
        }
        AfterFailure::Dead | AfterFailure::Refused => (JobStatus::Dead, "dead", now),
    };
    let postpone = matches!(after, AfterFailure::Postpone { .. });
    let refused = after == AfterFailure::Refused;
    let result = on!(tx.conn(), |c| sqlx::query(
        // A postponement (the disk is full) only shrinks the row, so that
        // it can be written when nothing that grows can.
        "UPDATE jobs SET status = $1, run_at = $2, last_error = CASE WHEN $8 THEN last_error ELSE $3 END,
                lease_until = NULL, lease_owner = NULL,
                attempts = CASE WHEN $8 THEN CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END ELSE attempts END,
                finished_at = CASE WHEN $1 = 'dead' THEN $4 ELSE NULL END, updated_at = $4
         WHERE id = $5 AND lease_owner = $6 AND attempts = $7 AND status = 'running'",
    )
    .bind(status.as_str())
    .bind(run_at)
    .bind(error.as_ref())
    .bind(now)
    .bind(&lease.job_id)
    .bind(&lease.worker)
    .bind(lease.attempt)
    .bind(postpone)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to record a failed attempt")?;
    if result == 0 {
        return Ok(None);
    }
    if postpone {
        // Not counted, so not on record: the same number runs again.
        drop_attempt(&mut tx, lease).await?;
    } else {
        finish_attempt(&mut tx, lease, outcome, Some(error.as_ref()), now).await?;
    }
    if refused {
        super::recipients::erase(&mut tx, &lease.job_id).await?;
        on!(tx.conn(), |c| sqlx::query("UPDATE outbox SET refused = 1 WHERE job_id = $1")
            .bind(&lease.job_id)
            .execute(c)
            .await
            .map(|done| done.rows_affected()))
        .context("Failed to note a refused address")?;
        erase_attempt_errors(&mut tx, &lease.job_id).await?;
    }
    tx.commit().await.context("Failed to commit a failed attempt")?;
    if refused {
        db.clean_after_erasure();
    }
    Ok(Some(status))
}

/// `text` with every address-like word replaced, at most [`MOST_ERROR_CHARS`]
/// long: error texts are kept and shown, and some carry untrusted words (a
/// server's reply, a panic message).
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    let clean = !text.split(' ').any(address_like) && text.chars().count() <= MOST_ERROR_CHARS;
    if clean {
        return std::borrow::Cow::Borrowed(text);
    }
    let words: Vec<&str> =
        text.split(' ').map(|word| if address_like(word) { "[address removed]" } else { word }).collect();
    std::borrow::Cow::Owned(words.join(" ").chars().take(MOST_ERROR_CHARS).collect())
}

/// A word with an at sign in it, also written escaped (`%40`), full-width
/// or spelled out between two parts (`who(at)example.com`).
fn address_like(word: &str) -> bool {
    if word.contains(['@', '\u{FF20}']) {
        return true;
    }
    let lower = word.to_ascii_lowercase();
    ["%40", "(at)", "[at]", "{at}"]
        .iter()
        .any(|at| lower.find(at).is_some_and(|start| start > 0 && start + at.len() < lower.len()))
}

/// Longest error text kept.
const MOST_ERROR_CHARS: usize = 500;

async fn drop_attempt(tx: &mut WriteTx, lease: &Lease) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "DELETE FROM job_attempts WHERE job_id = $1 AND attempt = $2 AND outcome IS NULL"
    )
    .bind(&lease.job_id)
    .bind(lease.attempt)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to drop an uncounted attempt")?;
    Ok(())
}

/// Hands a running job back to the queue without counting the attempt (on
/// shutdown, when the grace period ran out).
pub async fn release(db: &Db, lease: &Lease, now: i64) -> anyhow::Result<bool> {
    let mut tx = db.begin_write().await?;
    let result = on!(tx.conn(), |c| sqlx::query(
        "UPDATE jobs SET status = 'queued', run_at = $1, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                lease_until = NULL, lease_owner = NULL, updated_at = $1
         WHERE id = $2 AND lease_owner = $3 AND attempts = $4 AND status = 'running'",
    )
    .bind(now)
    .bind(&lease.job_id)
    .bind(&lease.worker)
    .bind(lease.attempt)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to release a job")?;
    if result == 1 {
        drop_attempt(&mut tx, lease).await?;
    }
    tx.commit().await.context("Failed to commit a release")?;
    Ok(result == 1)
}

async fn finish_attempt(
    tx: &mut WriteTx,
    lease: &Lease,
    outcome: &str,
    error: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE job_attempts SET outcome = $1, error = $2, finished_at = $3 WHERE job_id = $4 AND attempt = $5",
    )
    .bind(outcome)
    .bind(error)
    .bind(now)
    .bind(&lease.job_id)
    .bind(lease.attempt)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to close an attempt")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn scrub_removes_every_address_like_word_and_bounds_the_length() {
        assert_eq!(scrub("Solana RPC: endpoint answered HTTP 503"), "Solana RPC: endpoint answered HTTP 503");
        assert_eq!(
            scrub("the job panicked: cannot send to <who@example.com>: no"),
            "the job panicked: cannot send to [address removed] no"
        );
        assert_eq!(scrub(&"x".repeat(2_000)).chars().count(), 500);
    }

    #[test]
    fn scrub_removes_addresses_written_with_an_escaped_or_spelled_out_at_sign() {
        for written in ["who%40example.com", "who(at)example.com", "who[at]example.com", "who＠example.com"]
        {
            let text = format!("cannot send to {written} today");
            assert_eq!(scrub(&text), "cannot send to [address removed] today", "{written}");
        }
        assert_eq!(scrub("look at the (at) sign"), "look at the (at) sign", "a lone word is no address");
    }
}
