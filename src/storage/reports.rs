//! Stored reports: the latest per wallet, served until it expires.

use anyhow::Context as _;

use super::{Db, WriteTx, on};
use crate::domain::{PublishedReport, Report};

/// Stores `report` as the wallet's latest, replacing any older one, under a
/// new random revision ([`PublishedReport::revision`]).
pub async fn upsert(
    tx: &mut WriteTx,
    report: &Report,
    created_at: i64,
    expires_at: i64,
) -> anyhow::Result<()> {
    let data = serde_json::to_string(report).context("Failed to serialise a report")?;
    on!(tx.conn(), |c| sqlx::query(
        "INSERT INTO reports (wallet, score, grade, data, analyzer_version, created_at, expires_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (wallet) DO UPDATE SET score = $2, grade = $3, data = $4, analyzer_version = $5,
                created_at = $6, expires_at = $7, revision = $8",
    )
    .bind(&report.wallet)
    .bind(i64::from(report.score))
    .bind(report.grade.as_str())
    .bind(data)
    .bind(&report.analyzer_version)
    .bind(created_at)
    .bind(expires_at)
    .bind(rand::random::<i64>())
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to store a report")?;
    Ok(())
}

/// The wallet's report if it has not expired at `now`.
pub async fn get(db: &Db, wallet: &str, now: i64) -> anyhow::Result<Option<PublishedReport>> {
    let row: Option<(String, i64, i64, i64)> = on!(db.read(), |c| {
        sqlx::query_as(
        "SELECT data, created_at, expires_at, revision FROM reports WHERE wallet = $1 AND expires_at > $2",
    )
    .bind(wallet)
    .bind(now)
    .fetch_optional(c)
    .await
    })
    .context("Failed to read a report")?;
    row.map(|(data, created_at, expires_at, revision)| {
        let report: Report = serde_json::from_str(&data).context("A stored report is not valid JSON")?;
        Ok(PublishedReport { report, created_at: created_at / 1000, expires_at: expires_at / 1000, revision })
    })
    .transpose()
}

/// The revision of the wallet's stored report, expired or not: which
/// version is stored. (Not its date: two processes can store a report for
/// one wallet within the same second, or millisecond.)
pub async fn stored_revision(db: &Db, wallet: &str) -> anyhow::Result<Option<i64>> {
    on!(db.read(), |c| sqlx::query_scalar("SELECT revision FROM reports WHERE wallet = $1")
        .bind(wallet)
        .fetch_optional(c)
        .await)
    .context("Failed to read a report's version")
}

/// Deletes reports past their expiry; returns how many.
pub async fn delete_expired(db: &Db, now: i64) -> anyhow::Result<u64> {
    let result = on!(db.write(), |c| sqlx::query("DELETE FROM reports WHERE expires_at <= $1")
        .bind(now)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to delete expired reports")?;
    Ok(result)
}
