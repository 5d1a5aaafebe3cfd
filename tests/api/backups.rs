//! A backup is a long reader: `pg_dump` holds `ACCESS SHARE` on every table
//! and one snapshot for the length of the dump; SQLite's `VACUUM INTO` (or
//! any copy made inside a read transaction) keeps its snapshot open. While
//! one runs, the site must keep answering, and the clean that scrubs an
//! erased address out of the files must wait its turn behind the backup
//! without putting anything else in line behind itself — and must not
//! count as done while an older snapshot can still see the address.

use std::time::Duration;

use kimiko::testing::{Chain, scenarios};
use sqlx::Connection as _;

use crate::helpers::{Options, TestApp, spawn_app_with};
use crate::on_both_backends;

/// Distinctive enough that any trace of it is ours.
const ADDRESS: &str = "Yolanda.Backupsson+kimiko@example.com";

/// A stall detector, not a latency target: a request that is not answered
/// within this long is waiting for a lock.
const STALL: Duration = Duration::from_secs(2);

/// A backup in progress, holding what a real one holds until [`Backup::end`].
enum Backup {
    /// A read transaction on a connection of its own, as `VACUUM INTO`.
    Sqlite(sqlx::SqliteConnection),
    /// What `pg_dump` holds: one repeatable-read snapshot and `ACCESS
    /// SHARE` on every table of the database.
    Postgres(sqlx::PgConnection),
}

impl Backup {
    async fn start(app: &TestApp) -> Backup {
        let url = &app.state.settings.database_url;
        if app.state.db.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut conn)
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.len() > 5, "{tables:?}");
            let lock = format!("LOCK TABLE {} IN ACCESS SHARE MODE", tables.join(", "));
            sqlx::raw_sql(sqlx::AssertSqlSafe(lock)).execute(&mut conn).await.unwrap();
            return Backup::Postgres(conn);
        }
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let mut conn = sqlx::SqliteConnection::connect_with(&options.read_only(true)).await.unwrap();
        sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
        // Reading is what starts the snapshot; a copy reads every table.
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for table in tables {
            let count = format!("SELECT COUNT(*) FROM \"{table}\"");
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count)).fetch_one(&mut conn).await.unwrap();
        }
        Backup::Sqlite(conn)
    }

    async fn end(self) {
        match self {
            Backup::Sqlite(mut conn) => {
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            Backup::Postgres(mut conn) => {
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }
}

/// `request`, which must be answered before [`STALL`].
async fn answered<F: std::future::Future<Output = reqwest::Response>>(
    what: &str,
    request: F,
) -> reqwest::Response {
    tokio::time::timeout(STALL, request)
        .await
        .unwrap_or_else(|_| panic!("{what} stalled behind the erasure's clean while a backup ran"))
}

/// Waits until the cleaner has begun `tries` tries, or a clean completed;
/// false if neither happened within a minute.
async fn clean_tried(app: &TestApp, tries: u64) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while app.state.db.erasure_clean_tries() < tries && app.state.db.erasure_cleans() == 0 {
        if std::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

on_both_backends! {
    async fn while_a_backup_reads_the_site_answers_and_the_erased_address_leaves_the_files_after_it(database) {
        let mut chain = Chain::new();
        let wallets = scenarios::many_wallets(&mut chain, 3, 2);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
        // Held back until the backup runs.
        app.state.db.set_erasure_clean_delay(Duration::from_secs(3600));
        app.submit(&wallets[0], ADDRESS).await;
        app.run_worker().await;
        assert_eq!(app.sent_mail().len(), 1, "delivered, so its address is erased");
        let report = format!("/report/{}", wallets[0]);
        assert_eq!(app.get(&report).await.status(), 200, "the report page, now kept");

        let backup = Backup::start(&app).await;
        app.state.db.hurry_erasure_clean();
        for (round, wallet) in wallets[1..].iter().enumerate() {
            assert!(clean_tried(&app, round as u64 + 1).await, "the clean never tried");
            let submitted = answered("a submission", app.post_form(wallet, "someone.else@example.com")).await;
            assert_eq!(submitted.status(), 303);
            let job = submitted.headers()["location"].to_str().unwrap().replace("/jobs/", "/api/jobs/");
            assert_eq!(answered("the job's status", app.get(&job)).await.status(), 200);
            assert_eq!(answered("a kept report page", app.get(&report)).await.status(), 200);
        }
        assert_eq!(app.state.db.erasure_cleans(), 0, "no clean can be complete while the backup reads");

        backup.end().await;
        app.state.db.hurry_erasure_clean();
        tokio::time::timeout(Duration::from_secs(60), app.state.db.erasures_cleaned())
            .await
            .expect("the clean completes once the backup has ended");
        assert!(!app.files_hold(ADDRESS).await, "the erased address is still in the database files");
    }
}

/// `VACUUM FULL` copies row versions an open snapshot can still see: a
/// clean run while one is open does not erase, and must not say it did.
#[tokio::test]
async fn an_erasure_is_not_cleaned_while_a_snapshot_from_before_it_is_open() {
    let Some(url) = kimiko::testing::postgres::fresh_database().await else { return };
    let mut chain = Chain::new();
    let wallet = scenarios::careful_wallet(&mut chain).wallet;
    let database = crate::helpers::Database::Postgres(url.clone());
    let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
    app.state.db.set_erasure_clean_delay(Duration::from_secs(3600));
    app.submit(&wallet, ADDRESS).await;
    // A reader whose snapshot predates the erasure, locking nothing the
    // clean needs (a report export, a long analytics query).
    let mut reader = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ").execute(&mut reader).await.unwrap();
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM requests").fetch_one(&mut reader).await.unwrap();
    app.run_worker().await;
    assert_eq!(app.sent_mail().len(), 1);

    app.state.db.hurry_erasure_clean();
    assert!(clean_tried(&app, 2).await, "the clean never tried");
    assert_eq!(
        app.state.db.erasure_cleans(),
        0,
        "counted clean while a snapshot from before the erasure was open"
    );

    sqlx::raw_sql("COMMIT").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    app.state.db.hurry_erasure_clean();
    tokio::time::timeout(Duration::from_secs(60), app.state.db.erasures_cleaned())
        .await
        .expect("the clean completes once the snapshot is gone");
    assert!(!app.files_hold(ADDRESS).await, "the erased address is still in the table files");
}
