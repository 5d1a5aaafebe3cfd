//! Claiming due jobs under a lease: one statement text per backend, as
//! only SQLite's write lock makes a claim the only one running.

use std::time::Duration;

use anyhow::Context as _;

use super::ClaimedJob;
use crate::storage::{Db, WriteTx, on};

/// Claims up to `limit` jobs that are due (queued and past `run_at`) or
/// abandoned (running with an expired lease), oldest first, under a lease
/// for `worker`. A job whose lease expired after its last allowed attempt
/// is declared dead instead of being run again.
pub async fn claim(
    db: &Db,
    worker: &str,
    limit: u32,
    lease: Duration,
    now: i64,
) -> anyhow::Result<Vec<ClaimedJob>> {
    let lease_until = now + lease.as_millis() as i64;
    db.in_write(async |tx| claim_in(tx, db.is_postgres(), worker, limit, lease_until, now).await).await
}

async fn claim_in(
    tx: &mut WriteTx,
    postgres: bool,
    worker: &str,
    limit: u32,
    lease_until: i64,
    now: i64,
) -> anyhow::Result<Vec<ClaimedJob>> {
    // Attempts that never reported back: their worker died or lost the lease.
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE job_attempts SET outcome = 'abandoned', finished_at = $1,
                error = 'the worker stopped answering (lease expired)'
         WHERE outcome IS NULL AND job_id IN
               (SELECT id FROM jobs WHERE status = 'running' AND lease_until < $1)",
    )
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to close abandoned attempts")?;
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE jobs SET status = 'dead', lease_until = NULL, lease_owner = NULL, finished_at = $1, updated_at = $1,
                last_error = 'the worker stopped answering during the last allowed attempt (lease expired)'
         WHERE status = 'running' AND lease_until < $1 AND attempts >= max_attempts",
    )
    .bind(now)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to bury exhausted jobs")?;
    let sql = if postgres { CLAIM_POSTGRES } else { CLAIM_SQLITE };
    let claimed: Vec<ClaimedJob> = on!(tx.conn(), |c| sqlx::query_as(sql)
        .bind(lease_until)
        .bind(worker)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await)
    .context("Failed to claim jobs")?;
    for job in &claimed {
        on!(tx.conn(), |c| sqlx::query(
            "INSERT INTO job_attempts (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job_id, attempt) DO UPDATE SET worker = $3, started_at = $4, outcome = NULL, error = NULL, finished_at = NULL",
        )
        .bind(&job.id)
        .bind(job.attempts)
        .bind(worker)
        .bind(now)
        .execute(c)
        .await.map(|done| done.rows_affected()))
        .context("Failed to record an attempt")?;
    }
    Ok(claimed)
}

/// The claim on SQLite, where the write lock makes it the only one
/// running. Each half takes at most `limit` rows straight off its index, so
/// a claim costs the same with ten queued jobs or forty thousand. (One
/// `WHERE … OR …` sorted every queued job first: 10 ms per claim, under the
/// write lock, at 40k queued.)
const CLAIM_SQLITE: &str = "UPDATE jobs
     SET status = 'running', attempts = attempts + 1, lease_until = $1, lease_owner = $2, updated_at = $3
     WHERE id IN (
         SELECT id FROM (
             SELECT * FROM (SELECT id, run_at, created_at FROM jobs
                            WHERE status = 'queued' AND run_at <= $3
                            ORDER BY run_at, created_at LIMIT $4)
             UNION ALL
             SELECT * FROM (SELECT id, run_at, created_at FROM jobs
                            WHERE status = 'running' AND lease_until < $3
                            ORDER BY run_at, created_at LIMIT $4))
         ORDER BY run_at, created_at
         LIMIT $4)
     RETURNING id, wallet, attempts, max_attempts, refresh";

/// The claim on Postgres, where other processes claim at the same moment:
/// each locks the rows it picks and skips rows another claim holds, so no
/// two processes take one job and none waits for another. (Row locks don't
/// combine with `UNION`, so the two halves are one `OR`.)
const CLAIM_POSTGRES: &str = "UPDATE jobs
     SET status = 'running', attempts = attempts + 1, lease_until = $1, lease_owner = $2, updated_at = $3
     WHERE id IN (
         SELECT id FROM jobs
         WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND lease_until < $3)
         ORDER BY run_at, created_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
     RETURNING id, wallet, attempts, max_attempts, refresh";
