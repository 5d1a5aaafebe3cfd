//! All of Kimiko's SQL, behind one module so the backend can change (the path
//! past one machine is Postgres through sqlx).
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL` and foreign keys on.
//! Reads use a pool of connections; writes go through a pool of exactly one,
//! so concurrent writers queue in Rust instead of spinning in SQLite's busy
//! handler, and every multi-statement write starts with `BEGIN IMMEDIATE`
//! (a deferred transaction that later writes fails with SQLITE_BUSY no
//! matter the busy timeout). No write transaction is ever held across
//! network I/O.
//!
//! Layer: may import `domain` only. Everything above (`service`, `jobs`,
//! `server`, `cli`) reaches the database through here.

pub mod jobs;
pub mod lookups;
pub mod outbox;
pub mod reports;
pub mod requests;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, Sqlite, SqlitePool, Transaction};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Readers that may run at once; SQLite in WAL mode lets them all proceed
/// beside the one writer.
const READ_CONNECTIONS: u32 = 8;
/// How long a statement waits for a lock another process holds (the CLI,
/// a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A busy checkpoint is tried this many times, pausing between tries from
/// the first pause, doubling up to the longest (about 15 s in all).
const CHECKPOINT_TRIES: u32 = 12;
const CHECKPOINT_FIRST_PAUSE: Duration = Duration::from_millis(10);
const CHECKPOINT_MAX_PAUSE: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
    /// The most pages the file may grow to (0: as far as the disk allows),
    /// applied to every write connection, including ones opened later.
    max_pages: Arc<AtomicU64>,
}

pub type WriteTx = Transaction<'static, Sqlite>;

impl Db {
    /// Opens (creating if missing) the database at `url` and runs pending
    /// migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("KIMIKO_DATABASE_URL: '{url}' is not a SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("temp_store", "memory")
            // Erasing an email address (SET email = NULL) must erase its
            // bytes too: without this, SQLite leaves the old record in the
            // page's free space, readable in the file for months.
            .pragma("secure_delete", "on");
        let max_pages = Arc::new(AtomicU64::new(0));
        let limit = max_pages.clone();
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                let pages = limit.load(Ordering::SeqCst);
                Box::pin(async move {
                    if pages > 0 {
                        let pragma = format!("PRAGMA max_page_count = {pages}");
                        sqlx::query(sqlx::AssertSqlSafe(pragma)).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite rolls the
            // whole transaction back itself; sqlx's own ROLLBACK then fails
            // and it counts the connection as still inside a transaction,
            // refusing every later BEGIN. Such a connection is replaced.
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    // A rollback may still be queued on the connection's
                    // thread: let it run, then look again.
                    conn.ping().await?;
                    let stuck = conn.is_in_transaction();
                    if stuck {
                        tracing::warn!("replacing a write connection left inside a rolled-back transaction");
                    }
                    Ok(!stuck)
                })
            })
            .connect_with(options.clone())
            .await
            .with_context(|| format!("Failed to open the database at {url}"))?;
        MIGRATOR.run(&write).await.context("Failed to run database migrations")?;
        let read = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("Failed to open the database at {url} for reading"))?;
        Ok(Db { read, write, max_pages })
    }

    /// Caps how far the database file may grow, in pages (`None`: as far as
    /// the disk allows). A write that needs more fails as on a full disk
    /// (SQLITE_FULL), which is how the tests make one.
    pub async fn set_max_pages(&self, pages: Option<u64>) -> anyhow::Result<()> {
        // SQLite's own default ceiling, for "no cap" on an open connection.
        const UNCAPPED: u64 = 0xFFFF_FFFE;
        self.max_pages.store(pages.unwrap_or(0), Ordering::SeqCst);
        let pragma = format!("PRAGMA max_page_count = {}", pages.unwrap_or(UNCAPPED));
        sqlx::query(sqlx::AssertSqlSafe(pragma))
            .execute(&self.write)
            .await
            .context("Failed to set the database's page limit")?;
        Ok(())
    }

    /// A pool for reads.
    pub fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// The one write connection, for single-statement writes.
    pub fn writer(&self) -> &SqlitePool {
        &self.write
    }

    /// A write transaction that holds the write lock from its first statement.
    pub async fn begin_write(&self) -> anyhow::Result<WriteTx> {
        self.write.begin_with("BEGIN IMMEDIATE").await.context("Failed to begin a write transaction")
    }

    /// True when the database answers a query.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.read).await.is_ok()
    }

    /// Folds the WAL back into the database file and truncates it
    /// (scheduled; also before backups). A reader still on an older
    /// snapshot makes SQLite answer "busy" instead of finishing: that is
    /// retried with a growing pause, and an error if it never clears.
    pub async fn checkpoint(&self) -> anyhow::Result<(i64, i64)> {
        let mut pause = CHECKPOINT_FIRST_PAUSE;
        for _ in 0..CHECKPOINT_TRIES {
            let (busy, log, checkpointed): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(&self.write)
                    .await
                    .context("Failed to checkpoint the WAL")?;
            if busy == 0 {
                return Ok((log, checkpointed));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(CHECKPOINT_MAX_PAUSE);
        }
        anyhow::bail!("the WAL checkpoint stayed busy after {CHECKPOINT_TRIES} tries")
    }

    /// After personal data was erased: every page ever written holding it
    /// has a copy in the WAL (each heartbeat and progress update wrote
    /// another), and only a completed TRUNCATE checkpoint removes them. A
    /// failure is logged, not returned: the erasure itself is committed,
    /// and the hourly checkpoint tries again.
    pub async fn checkpoint_after_erasure(&self) {
        match self.checkpoint().await {
            Ok(_) => tracing::info!("erased personal data checkpointed out of the WAL"),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "could not checkpoint the WAL after an erasure")
            }
        }
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// True when `error` comes from SQLite finding the disk (or the database's
/// `max_page_count`) full: no write that grows the file can succeed until
/// space is freed, so callers wait instead of failing for good.
pub fn is_disk_full(error: &anyhow::Error) -> bool {
    const SQLITE_FULL: i64 = 13;
    error.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(sqlx::Error::as_database_error)
            .and_then(|db| db.code())
            .and_then(|code| code.parse::<i64>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_FULL)
    })
}

/// Milliseconds since the Unix epoch: the unit of every time column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
