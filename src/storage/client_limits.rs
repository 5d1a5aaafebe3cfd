//! The per-client submission limit where several processes share the
//! database (Postgres): a token bucket per client in one row, taken and
//! refilled by one atomic statement, so a client behind a load balancer
//! gets one limit, not one per process. (With SQLite, one process keeps the
//! same bucket in memory: `server::rate_limit`.)
//!
//! The bucket is kept as the generic cell rate algorithm does: `tat`, the
//! time at which the bucket would be full again. A request at `now` is
//! allowed when `max(tat, now) - now` leaves room for one more within the
//! burst, and moves `tat` one period on.

use std::time::Duration;

use anyhow::Context as _;

use super::{Backend, Db};

/// Takes one request from `client_hash`'s bucket (`burst` requests at
/// once, one more every `period`) at `now` (unix ms). `None` when allowed;
/// when refused, how long until one more would be.
pub async fn take(
    db: &Db,
    client_hash: &str,
    now: i64,
    period: Duration,
    burst: u32,
) -> anyhow::Result<Option<Duration>> {
    let Backend::Postgres(pool) = db.write() else {
        anyhow::bail!("the shared client limit lives in Postgres only");
    };
    let period = period.as_millis() as i64;
    // How far ahead of now the bucket may run: the burst less the request
    // being made.
    let tolerance = period * (i64::from(burst) - 1);
    // The row lock ON CONFLICT takes makes a read-modify-write of one
    // client's bucket one step across processes.
    let allowed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO client_limits (client_hash, tat) VALUES ($1, $2 + $3)
         ON CONFLICT (client_hash) DO UPDATE SET tat = GREATEST(client_limits.tat, $2) + $3
         WHERE GREATEST(client_limits.tat, $2) - $2 <= $4
         RETURNING tat",
    )
    .bind(client_hash)
    .bind(now)
    .bind(period)
    .bind(tolerance)
    .fetch_optional(pool)
    .await
    .context("Failed to take from a client's bucket")?;
    if allowed.is_some() {
        return Ok(None);
    }
    let tat: i64 = sqlx::query_scalar("SELECT tat FROM client_limits WHERE client_hash = $1")
        .bind(client_hash)
        .fetch_one(pool)
        .await
        .context("Failed to read a client's bucket")?;
    let wait = (tat - now - tolerance).max(0);
    Ok(Some(Duration::from_millis(wait as u64)))
}

/// Forgets clients whose bucket is full again at `now` (their row says no
/// more than a newcomer's would); returns how many. Nothing on SQLite.
pub async fn purge(db: &Db, now: i64) -> anyhow::Result<u64> {
    let Backend::Postgres(pool) = db.write() else {
        return Ok(0);
    };
    let done = sqlx::query("DELETE FROM client_limits WHERE tat <= $1")
        .bind(now)
        .execute(pool)
        .await
        .context("Failed to forget idle clients")?;
    Ok(done.rows_affected())
}
