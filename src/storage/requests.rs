//! Accepted requests, by keyed hash of the address: what rate limits count.

use anyhow::Context as _;

use super::{Db, WriteTx};

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
    let result = sqlx::query(
        "INSERT INTO requests (email_hash, wallet, ip_hash, created_at)
         SELECT ?1, ?2, ?3, ?4
         WHERE (SELECT COUNT(*) FROM requests WHERE email_hash = ?1 AND created_at > ?5) < ?6
           AND NOT EXISTS (SELECT 1 FROM requests WHERE email_hash = ?1 AND created_at > ?5 AND wallet = ?2)",
    )
    .bind(email_hash)
    .bind(wallet)
    .bind(ip_hash)
    .bind(now)
    .bind(since)
    .bind(i64::from(daily_limit))
    .execute(&mut **tx)
    .await
    .context("Failed to record a request")?;
    Ok(result.rows_affected() == 1)
}

/// Deletes request rows older than `before`; returns how many.
pub async fn purge_before(db: &Db, before: i64) -> anyhow::Result<u64> {
    let result = sqlx::query("DELETE FROM requests WHERE created_at < ?1")
        .bind(before)
        .execute(db.writer())
        .await
        .context("Failed to purge old requests")?;
    Ok(result.rows_affected())
}
