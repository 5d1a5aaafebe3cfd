//! The job queue as people and the worker read it: the public view of a
//! job (never its address), the lists and attempt history the CLI and
//! admin views show, counts, and when the next job comes due.

use anyhow::Context as _;
use serde::Serialize;

use crate::domain::{JobId, JobPhase, JobStatus, JobView};
use crate::storage::{Db, on};

/// `SELECT <every JobRow column> FROM jobs <tail>` as one static string.
macro_rules! select_jobs {
    ($tail:literal) => {
        concat!(
            "SELECT id, wallet, status, attempts, max_attempts, run_at, lease_until, last_error, ",
            "progress_done, progress_total, progress_phase, created_at, updated_at, finished_at FROM jobs ",
            $tail
        )
    };
}

/// A job as the CLI and admin views list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub wallet: String,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
    pub progress_done: i64,
    pub progress_total: i64,
    pub progress_phase: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i64,
    pub worker: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub error: Option<String>,
}

/// What `/jobs/{id}` and `GET /api/jobs/{id}` show: no email address.
pub async fn view(
    db: &Db,
    id: &JobId,
    report_url: impl Fn(&str) -> String,
) -> anyhow::Result<Option<JobView>> {
    let row = row(db, id.as_str()).await?;
    let Some(row) = row else { return Ok(None) };
    let status = JobStatus::parse(&row.status).context("unknown job status in the database")?;
    let queue_position = if status == JobStatus::Queued {
        let ahead: i64 = on!(db.read(), |c| {
            sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND (run_at, created_at, id) < ($1, $2, $3)",
        )
        .bind(row.run_at)
        .bind(row.created_at)
        .bind(&row.id)
        .fetch_one(c)
        .await
        })
        .context("Failed to count the queue")?;
        Some(ahead as u32)
    } else {
        None
    };
    // Refused for good, but the report was made: point the person to it.
    let mail_refused = status == JobStatus::Dead && {
        let (refused, reports): (i64, i64) = on!(db.read(), |c| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE job_id = $1 AND refused = 1),
                    (SELECT COUNT(*) FROM reports WHERE wallet = $2)",
        )
        .bind(&row.id)
        .bind(&row.wallet)
        .fetch_one(c)
        .await)
        .context("Failed to read the job's mail")?;
        refused > 0 && reports > 0
    };
    // Only a running job can be waiting for its provider.
    let provider_wait_secs = if status == JobStatus::Running {
        let wait: Option<i64> =
            on!(db.read(), |c| sqlx::query_scalar("SELECT provider_wait_secs FROM jobs WHERE id = $1")
                .bind(&row.id)
                .fetch_optional(c)
                .await)
            .context("Failed to read the job's wait")?
            .flatten();
        wait.map(|secs| secs.clamp(0, i64::from(u32::MAX)) as u32)
    } else {
        None
    };
    Ok(Some(JobView {
        provider_wait_secs,
        report_url: (status == JobStatus::Succeeded || mail_refused).then(|| report_url(&row.wallet)),
        mail_refused,
        id: row.id,
        status,
        progress_done: row.progress_done as u32,
        progress_total: row.progress_total as u32,
        progress_phase: JobPhase::parse(&row.progress_phase),
        wallet: row.wallet,
        attempts: row.attempts as u32,
        max_attempts: row.max_attempts as u32,
        queue_position,
        error: row.last_error,
    }))
}

pub async fn list(db: &Db, status: Option<JobStatus>, limit: u32) -> anyhow::Result<Vec<JobRow>> {
    on!(db.read(), |c| sqlx::query_as(select_jobs!(
        "WHERE $1 IS NULL OR status = $1 ORDER BY created_at DESC, id LIMIT $2"
    ))
    .bind(status.map(JobStatus::as_str))
    .bind(i64::from(limit))
    .fetch_all(c)
    .await)
    .context("Failed to list jobs")
}

pub async fn attempts(db: &Db, id: &str) -> anyhow::Result<Vec<AttemptRow>> {
    on!(db.read(), |c| sqlx::query_as(
        "SELECT attempt, worker, started_at, finished_at, outcome, error FROM job_attempts
         WHERE job_id = $1 ORDER BY attempt",
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("Failed to read attempts")
}

/// Counts by status, for the queue page and metrics.
pub async fn counts(db: &Db) -> anyhow::Result<Vec<(String, i64)>> {
    on!(db.read(), |c| sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
        .fetch_all(c)
        .await)
    .context("Failed to count jobs")
}

/// When the next job comes due: the earliest `run_at` of a queued job or
/// lease expiry of a running one (milliseconds), if any.
pub async fn next_due(db: &Db) -> anyhow::Result<Option<i64>> {
    on!(db.read(), |c| sqlx::query_scalar(
        "SELECT MIN(due) FROM (
             SELECT MIN(run_at) AS due FROM jobs WHERE status = 'queued'
             UNION ALL
             SELECT MIN(lease_until) FROM jobs WHERE status = 'running') AS due_times",
    )
    .fetch_one(c)
    .await)
    .context("Failed to find the next due job")
}

pub async fn row(db: &Db, id: &str) -> anyhow::Result<Option<JobRow>> {
    on!(db.read(), |c| sqlx::query_as(select_jobs!("WHERE id = $1")).bind(id).fetch_optional(c).await)
        .context("Failed to read a job")
}
