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

pub mod jobs;
pub mod outbox;
pub mod reports;
pub mod requests;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Readers that may run at once; SQLite in WAL mode lets them all proceed
/// beside the one writer.
const READ_CONNECTIONS: u32 = 8;
/// How long a statement waits for a lock another process holds (the CLI,
/// a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
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
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
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
        Ok(Db { read, write })
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

    /// Folds the WAL back into the database file (scheduled; also before backups).
    pub async fn checkpoint(&self) -> anyhow::Result<(i64, i64)> {
        let row: (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.write)
            .await
            .context("Failed to checkpoint the WAL")?;
        Ok((row.1, row.2))
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Milliseconds since the Unix epoch: the unit of every time column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
