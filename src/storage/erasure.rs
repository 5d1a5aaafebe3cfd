//! Clearing erased personal data out of the database's files, and when.
//!
//! Erasing an address (`SET email = NULL`) commits at once, but the bytes
//! stay in the files until a clean: on SQLite a `TRUNCATE` checkpoint of
//! the WAL, on Postgres a `VACUUM FULL` of the tables that hold addresses
//! ([`Db::checkpoint`]). A clean after every single erasure would rewrite
//! the tables after every job (and on Postgres lock them while it does),
//! so erasures only mark the database dirty ([`Db::clean_after_erasure`])
//! and one cleaner per process runs the clean [`CLEAN_DELAY`] later,
//! covering every erasure marked by then. An erasure marked while a clean
//! runs gets one more clean afterwards: every erasure is followed by a
//! completed clean that started after it. On Postgres the processes take
//! turns (an advisory lock), so only one vacuums at a time, and one that
//! waited skips its own when a vacuum that started after its erasures
//! completed meanwhile (`erasure_vacuums` numbers them). A failed clean
//! is logged and left to the hourly `checkpoint-wal` task, as is one a
//! crash cut short; a graceful [`Db::close`] runs the pending one first.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{Notify, watch};

use super::{Backend, Db};

/// How long after an erasure its clean starts: the erasures of a busy
/// moment (a batch of jobs finishing) share one clean.
pub const CLEAN_DELAY: Duration = Duration::from_secs(1);

/// A busy checkpoint is tried this many times, pausing between tries from
/// the first pause, doubling up to the longest (about 15 s in all).
const CHECKPOINT_TRIES: u32 = 12;
const CHECKPOINT_FIRST_PAUSE: Duration = Duration::from_millis(10);
const CHECKPOINT_MAX_PAUSE: Duration = Duration::from_secs(2);

/// Rewrites the tables that hold an address (or a text that once could)
/// into new files: what an erasure must scrub out of Postgres's files.
const PG_VACUUM: &str = "VACUUM FULL jobs, outbox, job_attempts";

/// Held by the process vacuuming, so the others wait their turn instead of
/// rewriting the same tables at once (a session lock: `VACUUM` cannot run
/// inside a transaction).
const PG_VACUUM_LOCK: &str = "SELECT pg_advisory_lock(hashtextextended('kimiko:erasure-vacuum', 0))";
const PG_VACUUM_UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended('kimiko:erasure-vacuum', 0))";

/// One process's erasures and cleans, counted. Erasure `n` is covered once
/// a clean that started after it has completed, i.e. once
/// `cleaned >= n`.
#[derive(Debug)]
pub(super) struct Erasures {
    /// Erasures marked so far.
    marked: AtomicU64,
    /// The most erasures a completed clean covers.
    cleaned: watch::Sender<u64>,
    /// A cleaner task is running (or about to start).
    running: AtomicBool,
    /// Ends the cleaner's wait before its delay is up.
    hurry: Notify,
    delay_ms: AtomicU64,
    /// Completed cleans, scheduled ones and ones another process's vacuum
    /// covered included.
    cleans: AtomicU64,
}

impl Default for Erasures {
    fn default() -> Self {
        Erasures {
            marked: AtomicU64::new(0),
            cleaned: watch::Sender::new(0),
            running: AtomicBool::new(false),
            hurry: Notify::new(),
            delay_ms: AtomicU64::new(CLEAN_DELAY.as_millis() as u64),
            cleans: AtomicU64::new(0),
        }
    }
}

impl Erasures {
    /// Records an erasure; true when no cleaner runs and one must start.
    fn mark(&self) -> bool {
        self.marked.fetch_add(1, Ordering::SeqCst);
        !self.running.swap(true, Ordering::SeqCst)
    }

    /// Read just before a clean starts: the erasures it will cover.
    fn covers(&self) -> u64 {
        self.marked.load(Ordering::SeqCst)
    }

    /// A clean that covers `covers` erasures has completed.
    fn cleaned(&self, covers: u64) {
        self.cleans.fetch_add(1, Ordering::SeqCst);
        self.cleaned.send_if_modified(|cleaned| {
            let newer = covers > *cleaned;
            if newer {
                *cleaned = covers;
            }
            newer
        });
    }

    /// After the cleaner's clean covering `covers`: true when it must run
    /// again for erasures marked since, false when it has stopped.
    fn run_again(&self, covers: u64) -> bool {
        if self.marked.load(Ordering::SeqCst) > covers {
            return true;
        }
        self.running.store(false, Ordering::SeqCst);
        // An erasure marked between the load above and the store saw a
        // cleaner running and started none: this one carries on for it,
        // unless another has started meanwhile.
        self.marked.load(Ordering::SeqCst) > covers && !self.running.swap(true, Ordering::SeqCst)
    }

    fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::SeqCst))
    }
}

impl Db {
    /// After personal data was erased (committed): a clean follows within
    /// [`CLEAN_DELAY`], shared with the erasures around it. Returns at once.
    pub fn clean_after_erasure(&self) {
        if self.erasures.mark() {
            tokio::spawn(self.clone().run_cleaner());
        }
    }

    async fn run_cleaner(self) {
        loop {
            // Hurried or not, the wait ends the same way; which is irrelevant.
            let _ = tokio::time::timeout(self.erasures.delay(), self.erasures.hurry.notified()).await;
            let (covers, outcome) = self.checkpoint_covering().await;
            match outcome {
                Ok(_) => {
                    tracing::info!(erasures = covers, "erased personal data removed from the database files")
                }
                Err(error) => tracing::warn!(
                    error = format!("{error:#}"),
                    "could not clear erased personal data from the database files"
                ),
            }
            if !self.erasures.run_again(covers) {
                return;
            }
        }
    }

    /// Waits until a clean that started after every erasure marked so far
    /// (in this process) has completed. For tests: a failed clean makes it
    /// wait for the next one that succeeds.
    pub async fn erasures_cleaned(&self) {
        let marked = self.erasures.covers();
        let mut cleaned = self.erasures.cleaned.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = cleaned.wait_for(|cleaned| *cleaned >= marked).await;
    }

    /// Starts the pending clean now instead of after its delay.
    pub fn hurry_erasure_clean(&self) {
        self.erasures.hurry.notify_one();
    }

    /// How long after an erasure its clean starts ([`CLEAN_DELAY`] unless
    /// changed here, which tests do to hold it back).
    pub fn set_erasure_clean_delay(&self, delay: Duration) {
        self.erasures.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Cleans completed by this process so far, the scheduled ones included.
    pub fn erasure_cleans(&self) -> u64 {
        self.erasures.cleans.load(Ordering::SeqCst)
    }

    /// At shutdown: the clean for erasures not yet covered, without waiting
    /// for its delay.
    pub(super) async fn clean_pending_erasures(&self) {
        if self.erasures.covers() <= *self.erasures.cleaned.borrow() {
            return;
        }
        if let (_, Err(error)) = self.checkpoint_covering().await {
            tracing::warn!(
                error = format!("{error:#}"),
                "could not clear erased personal data before stopping"
            );
        }
    }

    /// Makes erased data unreadable from the database's files, and says
    /// what it did (after erasures, and hourly as `checkpoint-wal`).
    ///
    /// SQLite folds the WAL back into the database file and truncates it.
    /// A reader still on an older snapshot makes SQLite answer "busy"
    /// instead of finishing: that is retried with a growing pause, and an
    /// error if it never clears.
    ///
    /// Postgres keeps an updated row's old version in the table's file
    /// until a vacuum, and a plain vacuum frees that space without
    /// overwriting it; `VACUUM FULL` writes each table holding addresses
    /// into a new file and drops the old one. The tables are small (finished
    /// jobs are pruned), so the moment of exclusive lock this takes is short;
    /// processes take turns.
    pub async fn checkpoint(&self) -> anyhow::Result<String> {
        self.checkpoint_covering().await.1
    }

    /// [`Db::checkpoint`], and the erasures it covers.
    async fn checkpoint_covering(&self) -> (u64, anyhow::Result<String>) {
        let covers = self.erasures.covers();
        let outcome = match &self.backend {
            Backend::Sqlite(sqlite) => checkpoint_wal(&sqlite.write).await,
            Backend::Postgres(pool) => vacuum(pool).await,
        };
        if outcome.is_ok() {
            self.erasures.cleaned(covers);
        }
        (covers, outcome)
    }
}

async fn checkpoint_wal(write: &sqlx::SqlitePool) -> anyhow::Result<String> {
    let mut pause = CHECKPOINT_FIRST_PAUSE;
    for _ in 0..CHECKPOINT_TRIES {
        let (busy, log, checkpointed): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(write)
            .await
            .context("Failed to checkpoint the WAL")?;
        if busy == 0 {
            return Ok(format!("WAL checkpointed ({checkpointed} of {log} frames)"));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(CHECKPOINT_MAX_PAUSE);
    }
    anyhow::bail!("the WAL checkpoint stayed busy after {CHECKPOINT_TRIES} tries")
}

/// `VACUUM FULL`, one process at a time; skipped when, while this one
/// waited its turn, another process's vacuum started after this call and
/// completed (it started after the erasures this call is for, so it covers
/// them too).
async fn vacuum(pool: &sqlx::PgPool) -> anyhow::Result<String> {
    let mut conn = pool.acquire().await.context("Failed to get a connection to vacuum on")?;
    let before: i64 = sqlx::query_scalar("SELECT started FROM erasure_vacuums")
        .fetch_one(&mut *conn)
        .await
        .context("Failed to read the vacuums started")?;
    sqlx::raw_sql(PG_VACUUM_LOCK)
        .execute(&mut *conn)
        .await
        .context("Failed to wait for another process's vacuum")?;
    let vacuumed = vacuum_in_turn(&mut conn, before).await;
    if sqlx::raw_sql(PG_VACUUM_UNLOCK).execute(&mut *conn).await.is_err() {
        // A session lock outlives everything but its connection.
        let _ = conn.close().await;
    }
    vacuumed
}

/// The part of [`vacuum`] that holds the lock.
async fn vacuum_in_turn(conn: &mut sqlx::PgConnection, before: i64) -> anyhow::Result<String> {
    let completed: i64 = sqlx::query_scalar("SELECT completed FROM erasure_vacuums")
        .fetch_one(&mut *conn)
        .await
        .context("Failed to read the vacuums completed")?;
    if completed > before {
        return Ok("another process's VACUUM FULL, started after this one was due, covered it".to_owned());
    }
    let number: i64 =
        sqlx::query_scalar("UPDATE erasure_vacuums SET started = started + 1 RETURNING started")
            .fetch_one(&mut *conn)
            .await
            .context("Failed to number a vacuum")?;
    // Sent as a simple query, VACUUM runs outside any transaction, as it must.
    sqlx::raw_sql(PG_VACUUM)
        .execute(&mut *conn)
        .await
        .context("Failed to vacuum the tables that hold addresses")?;
    sqlx::query("UPDATE erasure_vacuums SET completed = $1")
        .bind(number)
        .execute(&mut *conn)
        .await
        .context("Failed to record a vacuum")?;
    Ok("jobs, outbox and job_attempts rewritten into fresh files (VACUUM FULL)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::Erasures;

    #[test]
    fn an_erasure_marked_while_a_clean_runs_gets_one_more_clean_that_covers_it() {
        let erasures = Erasures::default();
        assert!(erasures.mark(), "the first erasure starts a cleaner");
        let first = erasures.covers();
        assert!(!erasures.mark(), "the running cleaner takes the second");
        erasures.cleaned(first);
        assert_eq!(*erasures.cleaned.borrow(), 1, "the clean started before the second erasure");
        assert!(erasures.run_again(first), "so the cleaner runs once more");
        let second = erasures.covers();
        erasures.cleaned(second);
        assert_eq!(*erasures.cleaned.borrow(), 2);
        assert!(!erasures.run_again(second), "and then stops");
        assert!(erasures.mark(), "a later erasure starts a new cleaner");
    }

    #[test]
    fn erasures_marked_before_a_clean_starts_share_it() {
        let erasures = Erasures::default();
        assert!(erasures.mark());
        assert!(!erasures.mark());
        assert!(!erasures.mark());
        let covers = erasures.covers();
        erasures.cleaned(covers);
        assert!(!erasures.run_again(covers));
        assert_eq!(
            (*erasures.cleaned.borrow(), erasures.cleans.load(std::sync::atomic::Ordering::SeqCst)),
            (3, 1)
        );
    }
}
