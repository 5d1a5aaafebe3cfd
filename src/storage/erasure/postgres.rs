//! The clean on Postgres: `VACUUM FULL` of the one table that holds
//! addresses, only once no snapshot can still see what was erased, and
//! never waiting long for a lock.

use anyhow::Context as _;
use sqlx::Connection as _;

use super::{CLEAN_LOCK_WAIT, Try};

/// Rewrites the one table that holds addresses into a new file.
const PG_VACUUM: &str = "VACUUM FULL mail_recipients";

/// SQLSTATE `lock_not_available`: `lock_timeout` ran out.
const PG_LOCK_NOT_AVAILABLE: &str = "55P03";

/// `VACUUM FULL mail_recipients` once no snapshot can still see what was
/// erased below `erased_below`, on a connection of its own whose
/// `lock_timeout` is [`CLEAN_LOCK_WAIT`] (so the pool's connections never
/// carry that setting, and a clean never holds one of them).
pub(super) async fn vacuum(pool: &sqlx::PgPool, erased_below: i64) -> anyhow::Result<Try> {
    let wait = format!("{}ms", CLEAN_LOCK_WAIT.as_millis());
    let options = (*pool.connect_options()).clone().options([("lock_timeout", wait.as_str())]);
    let mut conn = sqlx::PgConnection::connect_with(&options).await.context("Failed to connect to vacuum")?;
    let outcome = vacuum_on(&mut conn, erased_below).await;
    let _ = conn.close().await;
    outcome
}

async fn vacuum_on(conn: &mut sqlx::PgConnection, erased_below: i64) -> anyhow::Result<Try> {
    match horizon(conn).await? {
        Horizon::Hidden => {
            return Ok(Try::NotYet(
                "a session of another database role hides its snapshot (grant Kimiko's role pg_read_all_stats)"
                    .to_owned(),
            ));
        }
        Horizon::Below(horizon) if horizon < erased_below => {
            return Ok(Try::NotYet("a snapshot older than the erasure is still open".to_owned()));
        }
        Horizon::Below(_) => {}
    }
    // Sent as a simple query, VACUUM runs outside any transaction, as it must.
    match sqlx::raw_sql(PG_VACUUM).execute(&mut *conn).await {
        Ok(_) => Ok(Try::Done("mail_recipients rewritten into a fresh file (VACUUM FULL)".to_owned())),
        Err(error) if lock_not_available(&error) => {
            Ok(Try::NotYet("another session (a backup?) holds a lock on mail_recipients".to_owned()))
        }
        Err(error) => Err(error).context("Failed to vacuum the table that holds addresses"),
    }
}

fn lock_not_available(error: &sqlx::Error) -> bool {
    error.as_database_error().and_then(|e| e.code()).as_deref() == Some(PG_LOCK_NOT_AVAILABLE)
}

/// What a vacuum of a table of this database may remove right now.
enum Horizon {
    /// Row versions deleted by transactions below this id (as 64-bit
    /// `txid`) are visible to no one, and a vacuum starting now drops them.
    Below(i64),
    /// Another role's session hides its snapshot (`pg_stat_activity`
    /// shows others' only to members of `pg_read_all_stats`): unknown.
    Hidden,
}

/// How far back any session's snapshot reaches: the oldest transaction id a
/// vacuum must keep rows for, as Postgres itself works it out for a table
/// of this database (`ComputeXidHorizons`): every other session of this
/// database (its snapshot's `backend_xmin` and its own `backend_xid`),
/// sessions of no database (WAL senders, which carry standbys' feedback),
/// replication slots and prepared transactions. `age()` gives each as a
/// distance back from the next id, so the 32-bit ids need no arithmetic of
/// their own; `age()` counts from a next id read no earlier than the
/// snapshot's, so the horizon is, if anything, a little too old: the safe
/// side.
async fn horizon(conn: &mut sqlx::PgConnection) -> anyhow::Result<Horizon> {
    let (horizon, hidden): (i64, bool) = sqlx::query_as(
        "SELECT txid_snapshot_xmax(txid_current_snapshot()) - COALESCE(GREATEST(
                    (SELECT max(GREATEST(age(backend_xmin), age(backend_xid))) FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datid IS NULL)),
                    (SELECT max(GREATEST(age(xmin), age(catalog_xmin))) FROM pg_replication_slots
                     WHERE database IS NULL OR database = current_database()),
                    (SELECT max(age(transaction)) FROM pg_prepared_xacts WHERE database = current_database())
                ), 0),
                EXISTS (SELECT 1 FROM pg_stat_activity
                        WHERE pid <> pg_backend_pid() AND datname = current_database()
                          AND query = '<insufficient privilege>')",
    )
    .fetch_one(&mut *conn)
    .await
    .context("Failed to read the oldest open snapshot")?;
    Ok(if hidden { Horizon::Hidden } else { Horizon::Below(horizon) })
}
