//! Accepted requests, by keyed hash of the address: what rate limits count.

use anyhow::Context as _;

use super::{Backend, Db, WriteTx, on};

/// Holds, until `tx` ends, the lock that makes counting and recording the
/// requests of these addresses one step across processes. SQLite's write
/// lock already does that for the whole database; on Postgres two processes
/// could otherwise both count three requests and both record a fourth.
/// Locks are taken in one order (sorted), so two transactions locking
/// overlapping sets never wait for each other in a circle; all of them in
/// one statement (`unnest` yields the array in order), so a group of
/// requests costs one round trip, not one per address.
pub async fn lock_addresses<'a>(
    tx: &mut WriteTx,
    email_hashes: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<()> {
    let Backend::Postgres(c) = tx.conn() else {
        return Ok(());
    };
    let mut hashes: Vec<&str> = email_hashes.into_iter().collect();
    hashes.sort_unstable();
    hashes.dedup();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended(hash, 0)) FROM unnest($1::text[]) AS hash")
        .bind(hashes)
        .execute(c)
        .await
        .context("Failed to lock the addresses' request counts")?;
    Ok(())
}

/// Records a request unless the address is over its limits since `since`:
/// `daily_limit` requests in all, one for this wallet. Returns whether it
/// was recorded. Check and insert are one statement, so the happy path —
/// nearly every request — costs one round trip to the write connection.
pub async fn insert_within_limits(
    tx: &mut WriteTx,
    (email_hash, wallet, ip_hash): (&str, &str, Option<&str>),
    now: i64,
    since: i64,
    daily_limit: u32,
) -> anyhow::Result<bool> {
    let result = on!(tx.conn(), |c| sqlx::query(
        "INSERT INTO requests (email_hash, wallet, ip_hash, created_at)
         SELECT $1, $2, $3, $4
         WHERE (SELECT COUNT(*) FROM requests WHERE email_hash = $1 AND created_at > $5) < $6
           AND NOT EXISTS (SELECT 1 FROM requests WHERE email_hash = $1 AND created_at > $5 AND wallet = $2)",
    )
    .bind(email_hash)
    .bind(wallet)
    .bind(ip_hash)
    .bind(now)
    .bind(since)
    .bind(i64::from(daily_limit))
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to record a request")?;
    Ok(result == 1)
}

/// When the address's oldest request counted since `since` was made, and
/// when its latest one for `wallet` was (if any): why a request was refused,
/// and when the limit lets up.
pub async fn window(
    tx: &mut WriteTx,
    email_hash: &str,
    wallet: &str,
    since: i64,
) -> anyhow::Result<(Option<i64>, Option<i64>)> {
    on!(tx.conn(), |c| sqlx::query_as(
        "SELECT MIN(created_at), MAX(CASE WHEN wallet = $3 THEN created_at END)
         FROM requests WHERE email_hash = $1 AND created_at > $2",
    )
    .bind(email_hash)
    .bind(since)
    .bind(wallet)
    .fetch_one(c)
    .await)
    .context("Failed to count requests")
}

/// Deletes request rows older than `before`; returns how many.
pub async fn purge_before(db: &Db, before: i64) -> anyhow::Result<u64> {
    let result = on!(db.write(), |c| sqlx::query("DELETE FROM requests WHERE created_at < $1")
        .bind(before)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to purge old requests")?;
    Ok(result)
}
