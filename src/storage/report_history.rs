//! What a wallet's previous report said ([`ReportSnapshot`]), kept past the
//! report's expiry so a fresh analysis can say what changed. One row per
//! wallet, replaced with each new report in the transaction that stores
//! it; rows left unreplaced for [`HISTORY_RETENTION_MS`] are deleted by the
//! report-expiry task. Public data only: scores, titles, severities.

use anyhow::Context as _;

use super::{Db, WriteTx, on};
use crate::domain::Report;
use crate::domain::changes::{ReportSnapshot, SnapshotFinding};

/// How long a wallet's last report is remembered: a year.
pub const HISTORY_RETENTION_MS: i64 = 365 * 24 * 3600 * 1000;

/// The wallet's previous report, if one is remembered.
pub async fn previous(db: &Db, wallet: &str) -> anyhow::Result<Option<ReportSnapshot>> {
    let row: Option<(i64, String, String, String, i64)> = on!(db.read(), |c| {
        sqlx::query_as(
        "SELECT score, grade, findings, analyzer_version, created_at FROM report_history WHERE wallet = $1",
    )
    .bind(wallet)
    .fetch_optional(c)
    .await
    })
    .context("Failed to read a wallet's previous report")?;
    // A row written in a shape this version cannot read is no history,
    // not an error: the report simply shows no changes.
    Ok(row.and_then(|(score, grade, findings, analyzer_version, created_at)| {
        Some(ReportSnapshot {
            score: u8::try_from(score).ok()?,
            grade: serde_json::from_value(serde_json::Value::String(grade)).ok()?,
            created_at: created_at / 1000,
            analyzer_version,
            findings: serde_json::from_str::<Vec<SnapshotFinding>>(&findings).ok()?,
        })
    }))
}

/// Remembers `report`, made at `created_at` (ms), as the wallet's latest.
pub async fn remember(tx: &mut WriteTx, report: &Report, created_at: i64) -> anyhow::Result<()> {
    let snapshot = ReportSnapshot::of(report, created_at / 1000);
    let findings = serde_json::to_string(&snapshot.findings).context("Failed to serialise findings")?;
    on!(tx.conn(), |c| sqlx::query(
        "INSERT INTO report_history (wallet, score, grade, findings, analyzer_version, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (wallet) DO UPDATE SET score = $2, grade = $3, findings = $4, analyzer_version = $5,
                created_at = $6",
    )
    .bind(&report.wallet)
    .bind(i64::from(snapshot.score))
    .bind(snapshot.grade.as_str())
    .bind(findings)
    .bind(&snapshot.analyzer_version)
    .bind(created_at)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to remember a report")?;
    Ok(())
}

/// Forgets wallets whose last report is older than the retention; returns how many.
pub async fn forget_before(db: &Db, before: i64) -> anyhow::Result<u64> {
    on!(db.write(), |c| sqlx::query("DELETE FROM report_history WHERE created_at < $1")
        .bind(before)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to forget old report history")
}
