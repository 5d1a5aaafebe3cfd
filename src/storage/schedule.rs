//! Which process runs a housekeeping tick. With SQLite there is one
//! process, and it runs every tick; with Postgres each process's scheduler
//! comes due at the same tick, and the first to record `(task,
//! scheduled_at)` runs it.

use anyhow::Context as _;

use super::{Backend, Db};

/// Rows of ticks older than this are deleted as new ones are recorded.
const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;

/// True when this process should run `task`'s tick due at `scheduled_at`
/// (unix ms): always on SQLite, and on Postgres only for the one process
/// whose record of the tick went in first.
pub async fn claim_tick(db: &Db, task: &str, scheduled_at: i64, now: i64) -> anyhow::Result<bool> {
    let Backend::Postgres(pool) = db.write() else {
        return Ok(true);
    };
    sqlx::query("DELETE FROM task_runs WHERE scheduled_at < $1")
        .bind(now - KEEP_MS)
        .execute(pool)
        .await
        .context("Failed to forget old ticks")?;
    let recorded = sqlx::query(
        "INSERT INTO task_runs (task, scheduled_at, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(task)
    .bind(scheduled_at)
    .bind(now)
    .execute(pool)
    .await
    .context("Failed to record a tick")?;
    Ok(recorded.rows_affected() == 1)
}
