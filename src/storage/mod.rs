//! All of Kimiko's SQL, behind one module: the backend is chosen by the
//! database URL alone (`sqlite:` or `postgres:`), and nothing above this
//! module knows which one it talks to.
//!
//! **Two backends, one set of statements.** [`Db`] holds either SQLite's
//! pools or a Postgres pool ([`Backend`]), and every statement is written
//! once and run through [`on!`], which expands it for each backend's native
//! sqlx driver. Both drivers accept `$1`-style placeholders and the
//! statements keep to SQL both speak; where a backend needs its own text
//! (the claim's `FOR UPDATE SKIP LOCKED`, `VACUUM` against a WAL
//! checkpoint in [`erasure`]) the match is written out. Why not sqlx's `Any` driver: it
//! would hide the SQLite connection the write pool must inspect (a
//! transaction SQLite rolled back itself) and the PRAGMAs set per
//! connection, and it decodes a narrower set of types. Why not a storage
//! trait with two implementations: every statement would be written twice
//! although nearly all are the same text. The price of the enum is one
//! `match` per statement, which the macro writes.
//!
//! **SQLite** runs in WAL mode with `synchronous=NORMAL` and foreign keys on.
//! Reads use a pool of connections; writes go through a pool of exactly one,
//! so concurrent writers queue in Rust instead of spinning in SQLite's busy
//! handler, and every multi-statement write starts with `BEGIN IMMEDIATE`
//! (a deferred transaction that later writes fails with SQLITE_BUSY no
//! matter the busy timeout). No write transaction is ever held across
//! network I/O.
//!
//! **PostgreSQL** is one pool shared by any number of Kimiko processes.
//! Transactions run at READ COMMITTED; where several processes could race
//! (claims, rate limits) the statement takes the lock it needs itself.
//! Migrations come from `migrations/postgres`; sqlx's migrator holds an
//! advisory lock while it runs, so processes starting together apply each
//! migration once.
//!
//! Layer: may import `domain`, and `solana` for the trait the kept
//! transactions implement (`transactions`). Everything above (`service`, `jobs`,
//! `server`, `cli`) reaches the database through here.

pub mod client_limits;
pub mod erasure;
pub mod job_names;
pub mod jobs;
pub mod lookups;
pub mod outbox;
pub mod recipients;
pub mod report_history;
pub mod reports;
pub mod requests;
pub mod schedule;
pub mod transactions;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{
    Connection as _, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction,
};

/// The SQLite migrations in `migrations/sqlite`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// The Postgres migrations in `migrations/postgres`, embedded in the binary.
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Readers that may run at once; SQLite in WAL mode lets them all proceed
/// beside the one writer.
const READ_CONNECTIONS: u32 = 8;
/// Connections one process keeps to Postgres; several processes share the
/// server's `max_connections` (100 by default).
const PG_CONNECTIONS: u32 = 10;
/// How long a statement waits for a lock another process holds (the CLI,
/// a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// One thing per backend: pools, connections, transactions.
#[derive(Clone, Debug)]
pub enum Backend<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// Runs `$body` with `$c` bound to the SQLite or the Postgres side of
/// `$on` (a [`Backend`]): a statement written once, compiled for each
/// driver. The two arms must produce one type, so an `execute` maps its
/// backend-specific result (`.map(|done| done.rows_affected())`).
macro_rules! on {
    ($on:expr, |$c:ident| $body:expr) => {
        match $on {
            $crate::storage::Backend::Sqlite($c) => $body,
            $crate::storage::Backend::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend<SqliteDb, PgPool>,
    /// Shared by every clone: one cleaner per process ([`erasure`]).
    erasures: Arc<erasure::Erasures>,
}

#[derive(Clone, Debug)]
struct SqliteDb {
    read: SqlitePool,
    write: SqlitePool,
    /// The cleaner's own connection ([`erasure`]): its checkpoint waits for
    /// locks only briefly, and never holds up the write connection.
    clean: SqlitePool,
    /// The most pages the file may grow to (0: as far as the disk allows),
    /// applied to every write connection, including ones opened later.
    max_pages: Arc<AtomicU64>,
}

/// A write transaction on either backend; dropped without [`commit`](WriteTx::commit),
/// it rolls back, but only once the pool gets round to it: until then its
/// row locks stay held. Use [`Db::in_write`] where that matters.
pub struct WriteTx(Backend<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>);

impl WriteTx {
    /// The transaction's connection, for [`on!`].
    pub fn conn(&mut self) -> Backend<&mut SqliteConnection, &mut PgConnection> {
        match &mut self.0 {
            Backend::Sqlite(tx) => Backend::Sqlite(&mut **tx),
            Backend::Postgres(tx) => Backend::Postgres(&mut **tx),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Backend::Sqlite(tx) => tx.commit().await,
            Backend::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Backend::Sqlite(tx) => tx.rollback().await,
            Backend::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// True when `url` names a Postgres database rather than a SQLite file.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Db {
    /// Opens the database at `url` — a SQLite file (created if missing) or
    /// a Postgres database — and runs pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if is_postgres_url(url) {
            return Self::connect_postgres(url).await;
        }
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
            .connect_with(options.clone().read_only(true))
            .await
            .with_context(|| format!("Failed to open the database at {url} for reading"))?;
        let clean = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .connect_lazy_with(options.busy_timeout(erasure::CLEAN_LOCK_WAIT));
        Ok(Db {
            backend: Backend::Sqlite(SqliteDb { read, write, clean, max_pages }),
            erasures: Arc::default(),
        })
    }

    /// Postgres: TLS as the URL's `sslmode` says. The URL carries a
    /// password, so no message here repeats it.
    async fn connect_postgres(url: &str) -> anyhow::Result<Db> {
        let options = PgConnectOptions::from_str(url)
            .context("KIMIKO_DATABASE_URL is not a valid postgres:// URL")?
            .application_name("kimiko");
        let pool = PgPoolOptions::new()
            .max_connections(PG_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .context("Failed to connect to the Postgres database")?;
        PG_MIGRATOR.run(&pool).await.context("Failed to run database migrations")?;
        Ok(Db { backend: Backend::Postgres(pool), erasures: Arc::default() })
    }

    /// True on Postgres, false on SQLite.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// True when other Kimiko processes may write to this database at the
    /// same time (Postgres), so what one process keeps in memory about
    /// the data can go stale without it knowing.
    pub fn is_shared(&self) -> bool {
        self.is_postgres()
    }

    /// Caps how far the database file may grow, in pages (`None`: as far as
    /// the disk allows). A write that needs more fails as on a full disk
    /// (SQLITE_FULL), which is how the tests make one. SQLite only.
    pub async fn set_max_pages(&self, pages: Option<u64>) -> anyhow::Result<()> {
        // SQLite's own default ceiling, for "no cap" on an open connection.
        const UNCAPPED: u64 = 0xFFFF_FFFE;
        let Backend::Sqlite(sqlite) = &self.backend else {
            anyhow::bail!("a page limit exists only on SQLite");
        };
        sqlite.max_pages.store(pages.unwrap_or(0), Ordering::SeqCst);
        let pragma = format!("PRAGMA max_page_count = {}", pages.unwrap_or(UNCAPPED));
        sqlx::query(sqlx::AssertSqlSafe(pragma))
            .execute(&sqlite.write)
            .await
            .context("Failed to set the database's page limit")?;
        Ok(())
    }

    /// Pools for reads (SQLite's read-only pool, or the Postgres pool).
    pub(crate) fn read(&self) -> Backend<&SqlitePool, &PgPool> {
        match &self.backend {
            Backend::Sqlite(sqlite) => Backend::Sqlite(&sqlite.read),
            Backend::Postgres(pool) => Backend::Postgres(pool),
        }
    }

    /// Pools for single-statement writes (SQLite's one write connection,
    /// or the Postgres pool).
    pub(crate) fn write(&self) -> Backend<&SqlitePool, &PgPool> {
        match &self.backend {
            Backend::Sqlite(sqlite) => Backend::Sqlite(&sqlite.write),
            Backend::Postgres(pool) => Backend::Postgres(pool),
        }
    }

    /// SQLite's read pool, for tests and benchmarks that look at the file
    /// directly. Panics on Postgres: such a caller is SQLite-specific.
    pub fn reader(&self) -> &SqlitePool {
        match &self.backend {
            Backend::Sqlite(sqlite) => &sqlite.read,
            Backend::Postgres(_) => panic!("Db::reader is SQLite's read pool; this database is Postgres"),
        }
    }

    /// SQLite's one write connection, for tests and benchmarks that change
    /// the file directly. Panics on Postgres, like [`Db::reader`].
    pub fn writer(&self) -> &SqlitePool {
        match &self.backend {
            Backend::Sqlite(sqlite) => &sqlite.write,
            Backend::Postgres(_) => panic!("Db::writer is SQLite's write pool; this database is Postgres"),
        }
    }

    /// The Postgres pool, for tests and benchmarks on Postgres. Panics on
    /// SQLite.
    pub fn pg_pool(&self) -> &PgPool {
        match &self.backend {
            Backend::Postgres(pool) => pool,
            Backend::Sqlite(_) => panic!("Db::pg_pool is Postgres's pool; this database is SQLite"),
        }
    }

    /// A write transaction. On SQLite it holds the write lock from its first
    /// statement (`BEGIN IMMEDIATE`); on Postgres rows are locked as they
    /// are written, and statements that race across processes lock what
    /// they need themselves.
    pub async fn begin_write(&self) -> anyhow::Result<WriteTx> {
        let tx = match &self.backend {
            Backend::Sqlite(sqlite) => Backend::Sqlite(sqlite.write.begin_with("BEGIN IMMEDIATE").await),
            Backend::Postgres(pool) => Backend::Postgres(pool.begin().await),
        };
        let tx = match tx {
            Backend::Sqlite(tx) => Backend::Sqlite(tx.context("Failed to begin a write transaction")?),
            Backend::Postgres(tx) => Backend::Postgres(tx.context("Failed to begin a write transaction")?),
        };
        Ok(WriteTx(tx))
    }

    /// Runs `work` in a write transaction: commits what it did, or rolls it
    /// back before returning its error. A transaction merely dropped on
    /// error holds its row locks until its connection is back in the pool,
    /// and a claim that skips locked rows would take those for another
    /// worker's and read "nothing due".
    pub async fn in_write<T>(
        &self,
        work: impl AsyncFnOnce(&mut WriteTx) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut tx = self.begin_write().await?;
        match work(&mut tx).await {
            Ok(done) => {
                tx.commit().await.context("Failed to commit a write")?;
                Ok(done)
            }
            Err(error) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back a failed write failed; the pool closes its connection");
                }
                Err(error)
            }
        }
    }

    /// True when the database answers a query.
    pub async fn ping(&self) -> bool {
        on!(self.read(), |pool| sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await.is_ok())
    }

    /// Closes the pools, after the clean pending for erasures (if any).
    pub async fn close(&self) {
        self.clean_pending_erasures().await;
        match &self.backend {
            Backend::Sqlite(sqlite) => {
                sqlite.read.close().await;
                sqlite.clean.close().await;
                sqlite.write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// True when `error` comes from the database finding the disk full (on
/// SQLite also its `max_page_count`): no write that grows the file can
/// succeed until space is freed, so callers wait instead of failing for good.
pub fn is_disk_full(error: &anyhow::Error) -> bool {
    const SQLITE_FULL: i64 = 13;
    /// SQLSTATE `disk_full`.
    const PG_DISK_FULL: &str = "53100";
    error.chain().any(|cause| {
        let Some(db) = cause.downcast_ref::<sqlx::Error>().and_then(sqlx::Error::as_database_error) else {
            return false;
        };
        let Some(code) = db.code() else { return false };
        if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
            return code == PG_DISK_FULL;
        }
        code.parse::<i64>().is_ok_and(|code| code & 0xff == SQLITE_FULL)
    })
}

/// Milliseconds since the Unix epoch: the unit of every time column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
