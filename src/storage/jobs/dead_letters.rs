//! Finished jobs: pruning them, erasing the address of dead ones past the
//! dead-letter window, and re-queueing dead ones for an operator.

use anyhow::Context as _;
use serde::Serialize;

use crate::storage::{Db, on};

/// Deletes succeeded and dead jobs that finished before `before` (their
/// attempts and outbox rows go with them).
pub async fn delete_finished_before(db: &Db, before: i64) -> anyhow::Result<u64> {
    let result = on!(db.write(), |c| sqlx::query(
        "DELETE FROM jobs WHERE status IN ('succeeded', 'dead') AND finished_at IS NOT NULL AND finished_at < $1",
    )
    .bind(before)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to prune finished jobs")?;
    Ok(result)
}

/// Erases the address of jobs that died before `before`: past the window
/// in which an operator may re-queue them, the address has no use left.
pub async fn erase_dead_addresses(db: &Db, before: i64) -> anyhow::Result<u64> {
    let mut tx = db.begin_write().await?;
    // First, while the addresses still say which jobs are being erased now.
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE job_attempts SET error = NULL WHERE error IS NOT NULL AND job_id IN
             (SELECT job_id FROM mail_recipients WHERE job_id IN
                 (SELECT id FROM jobs WHERE status = 'dead' AND finished_at < $1))",
    )
    .bind(before)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to erase dead attempt errors")?;
    let result = crate::storage::recipients::erase_dead_before(&mut tx, before).await?;
    tx.commit().await.context("Failed to commit an erasure")?;
    if result > 0 {
        db.clean_after_erasure();
    }
    Ok(result)
}

/// Puts a dead job back in the queue with `more` attempts to go. Its
/// attempt numbers carry on from where they stopped, so the earlier ones
/// stay on record. Refused when its address is already erased (there is
/// no one left to mail).
pub async fn requeue_dead(db: &Db, id: &str, more: u32, now: i64) -> anyhow::Result<RequeueOutcome> {
    let result = on!(db.write(), |c| sqlx::query(
        "UPDATE jobs SET status = 'queued', max_attempts = attempts + $3, run_at = $1, finished_at = NULL, updated_at = $1
         WHERE id = $2 AND status = 'dead' AND EXISTS (SELECT 1 FROM mail_recipients WHERE job_id = jobs.id)",
    )
    .bind(now)
    .bind(id)
    .bind(i64::from(more))
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to re-queue a job")?;
    if result == 1 {
        super::wakeups::announce(db).await?;
        return Ok(RequeueOutcome::Requeued);
    }
    let status: Option<String> =
        on!(db.read(), |c| sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await)?;
    Ok(match status {
        None => RequeueOutcome::NotFound,
        Some(status) if status != "dead" => RequeueOutcome::NotDead(status),
        Some(_) => RequeueOutcome::AddressErased,
    })
}

/// Re-queues every dead job that still has an address, each with `more`
/// attempts to go; returns the count.
pub async fn requeue_all_dead(db: &Db, more: u32, now: i64) -> anyhow::Result<u64> {
    let result = on!(db.write(), |c| sqlx::query(
        "UPDATE jobs SET status = 'queued', max_attempts = attempts + $2, run_at = $1, finished_at = NULL, updated_at = $1
         WHERE status = 'dead' AND EXISTS (SELECT 1 FROM mail_recipients WHERE job_id = jobs.id)",
    )
    .bind(now)
    .bind(i64::from(more))
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to re-queue dead jobs")?;
    if result > 0 {
        super::wakeups::announce(db).await?;
    }
    Ok(result)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "status")]
pub enum RequeueOutcome {
    Requeued,
    NotFound,
    NotDead(String),
    AddressErased,
}
