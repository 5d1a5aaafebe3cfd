//! The one place an email address is stored: `mail_recipients`, a row per
//! job that still needs its address (its mail is not delivered yet, or it
//! died within the dead-letter window). Written once with the job, never
//! updated, deleted when the address is erased.
//!
//! Why a table of its own: an erasure leaves the old bytes in the files
//! until a clean rewrites what held them ([`super::erasure`]). With the
//! address in `jobs` and `outbox`, every clean rewrote a week of finished
//! jobs and mails, under an exclusive lock, about once a second under load.
//! Here it rewrites a few rows (the jobs in flight), and the big tables,
//! updated many times per job (claim, heartbeats, progress), never hold an
//! address at all.

use anyhow::Context as _;

use super::{Db, WriteTx, on};
use crate::domain::{EmailAddress, JobId};

/// Keeps the address of a new job, inside the transaction that queues it.
pub async fn insert(tx: &mut WriteTx, job_id: &JobId, email: &EmailAddress) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query("INSERT INTO mail_recipients (job_id, email) VALUES ($1, $2)")
        .bind(job_id.as_str())
        .bind(email.expose())
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to keep a job's address")?;
    Ok(())
}

/// The job's address; `None` once erased.
pub async fn get(db: &Db, job_id: &str) -> anyhow::Result<Option<String>> {
    on!(db.read(), |c| sqlx::query_scalar("SELECT email FROM mail_recipients WHERE job_id = $1")
        .bind(job_id)
        .fetch_optional(c)
        .await)
    .context("Failed to read a job's address")
}

/// Erases the job's address inside the caller's transaction; true if there
/// was one. After the commit, [`Db::clean_after_erasure`] clears it from
/// the files.
pub async fn erase(tx: &mut WriteTx, job_id: &str) -> anyhow::Result<bool> {
    let erased = on!(tx.conn(), |c| sqlx::query("DELETE FROM mail_recipients WHERE job_id = $1")
        .bind(job_id)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to erase a job's address")?;
    Ok(erased > 0)
}

/// Erases the addresses of jobs that died before `before`; returns how many.
pub async fn erase_dead_before(tx: &mut WriteTx, before: i64) -> anyhow::Result<u64> {
    on!(tx.conn(), |c| sqlx::query(
        "DELETE FROM mail_recipients WHERE job_id IN
             (SELECT id FROM jobs WHERE status = 'dead' AND finished_at < $1)",
    )
    .bind(before)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to erase dead jobs' addresses")
}
