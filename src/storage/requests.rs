//! Accepted requests, by keyed hash of the address: what rate limits count.

use anyhow::Context as _;

use super::{Db, WriteTx};

pub async fn insert(
    tx: &mut WriteTx,
    email_hash: &str,
    wallet: &str,
    ip_hash: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO requests (email_hash, wallet, ip_hash, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(email_hash)
        .bind(wallet)
        .bind(ip_hash)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("Failed to record a request")?;
    Ok(())
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
