//! Wake-ups across processes (Postgres): a new or re-queued job is
//! announced with `NOTIFY`, and every process `LISTEN`s and wakes its own
//! worker. Nothing depends on a notification arriving: a worker looks at
//! the queue at least every few seconds anyway, so a notification lost with
//! a dropped connection costs only that wait. With SQLite there is one
//! process, and the in-process wake-up is all there is.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, watch};

use crate::storage::{Backend, Db, WriteTx};

/// The channel jobs are announced on.
const CHANNEL: &str = "kimiko_jobs";

/// Pause before listening again after the listener failed.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Announces a due job when `tx` commits (Postgres delivers a transaction's
/// notifications at commit, and one per channel and payload). Nothing on
/// SQLite.
pub(super) async fn announce_at_commit(tx: &mut WriteTx) -> anyhow::Result<()> {
    if let Backend::Postgres(c) = tx.conn() {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(c)
            .await
            .context("Failed to announce a job")?;
    }
    Ok(())
}

/// Announces due jobs now. Nothing on SQLite.
pub(super) async fn announce(db: &Db) -> anyhow::Result<()> {
    if let Backend::Postgres(pool) = db.write() {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(pool)
            .await
            .context("Failed to announce a job")?;
    }
    Ok(())
}

/// Until `shutdown` turns true, wakes `wake` whenever any process announces
/// a job. Returns at once on SQLite.
pub async fn forward(db: Db, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    let Backend::Postgres(pool) = db.write() else { return };
    let pool = pool.clone();
    loop {
        tokio::select! {
            result = listen(&pool, &wake) => {
                let error = match result { Ok(never) => match never {}, Err(error) => error };
                tracing::warn!(error = format!("{error:#}"), "job wake-ups from other processes paused; polling meanwhile");
            }
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(RETRY_PAUSE) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Listens until the connection fails; returns only with the error.
async fn listen(pool: &PgPool, wake: &Notify) -> anyhow::Result<Infallible> {
    let mut listener = PgListener::connect_with(pool).await.context("Failed to connect the job listener")?;
    listener.listen(CHANNEL).await.context("Failed to listen for jobs")?;
    loop {
        listener.recv().await.context("The job listener lost its connection")?;
        wake.notify_one();
    }
}
