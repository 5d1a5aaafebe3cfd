//! Finalized transactions already read, kept in the database so that no
//! report, job attempt or lookup on any process reads one twice
//! ([`crate::solana::tx_cache`] says why that is safe). Each row is the
//! node's `getTransaction` result (`jsonParsed`) as JSON, deflated: about a
//! fifth of its size (`cargo bench --bench rpc` prints the figures).
//!
//! Bounded: past `max_rows` the rows stored first go first. A read does not
//! refresh a row (that would make every read a write); a transaction that
//! went out and is needed again is simply read again and stored anew.
//! Each statement is one autocommit write; nothing is held across network
//! I/O, and a failing statement makes the store a miss, never a failed report.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use futures::future::BoxFuture;
use serde_json::Value;

use super::{Db, on};
use crate::solana::tx_store::TransactionStore;

/// Signatures per statement: well under both backends' bind limits.
const CHUNK: usize = 100;

pub struct StoredTransactions {
    db: Db,
    max_rows: u64,
    /// Rows inserted since the table was last trimmed to `max_rows`.
    since_trim: AtomicU64,
}

impl StoredTransactions {
    pub fn new(db: Db, max_rows: u64) -> Self {
        // Trimmed on the first write, in case the bound was lowered.
        Self { db, max_rows, since_trim: AtomicU64::new(u64::MAX / 2) }
    }

    /// The kept results among `signatures`.
    pub async fn get_many(&self, signatures: &[String]) -> anyhow::Result<HashMap<String, Value>> {
        let mut found = HashMap::new();
        for chunk in signatures.chunks(CHUNK) {
            let sql = format!(
                "SELECT signature, data FROM finalized_transactions WHERE signature IN ({})",
                placeholders(chunk.len(), 1)
            );
            let rows: Vec<(String, Vec<u8>)> = on!(self.db.read(), |c| {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for signature in chunk {
                    query = query.bind(signature);
                }
                query.fetch_all(c).await
            })
            .context("Failed to read kept transactions")?;
            for (signature, data) in rows {
                // A row that does not inflate to JSON is a miss.
                if let Some(value) = inflate(&data) {
                    found.insert(signature, value);
                }
            }
        }
        Ok(found)
    }

    /// Keeps `transactions`; one already kept stays as it is.
    pub async fn put_many(&self, transactions: &[(String, Value)], now: i64) -> anyhow::Result<()> {
        for chunk in transactions.chunks(CHUNK) {
            let rows: Vec<(&str, Vec<u8>)> = chunk
                .iter()
                .map(|(signature, tx)| Ok((signature.as_str(), deflate(tx)?)))
                .collect::<anyhow::Result<_>>()?;
            let values: Vec<String> = (0..rows.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO finalized_transactions (signature, data, stored_at) VALUES {} ON CONFLICT (signature) DO NOTHING",
                values.join(", ")
            );
            let inserted = on!(self.db.write(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (signature, data) in &rows {
                    query = query.bind(*signature).bind(data.clone()).bind(now);
                }
                query.execute(c).await.map(|done| done.rows_affected())
            })
            .context("Failed to keep transactions")?;
            let since = self.since_trim.fetch_add(inserted, Ordering::Relaxed) + inserted;
            // Trim once per hundredth of the bound: the statement walks the
            // index over `max_rows` entries.
            if since >= (self.max_rows / 100).max(1) {
                self.since_trim.store(0, Ordering::Relaxed);
                self.trim().await?;
            }
        }
        Ok(())
    }

    /// Deletes the rows stored first beyond the bounds (`max_rows`
    /// transactions, a tenth of that in signature lists); returns how many.
    pub async fn trim(&self) -> anyhow::Result<u64> {
        let transactions = trim_table(&self.db, "finalized_transactions", self.max_rows).await?;
        Ok(transactions + trim_table(&self.db, "signature_lists", self.max_rows / 10).await?)
    }

    /// The signature list kept for `address`.
    pub async fn get_list(&self, address: &str) -> anyhow::Result<Option<Value>> {
        let data: Option<Vec<u8>> = on!(self.db.read(), |c| {
            sqlx::query_scalar("SELECT data FROM signature_lists WHERE address = $1")
                .bind(address)
                .fetch_optional(c)
                .await
        })
        .context("Failed to read a kept signature list")?;
        Ok(data.as_deref().and_then(inflate))
    }

    /// Replaces the signature list kept for `address`.
    pub async fn put_list_at(&self, address: &str, list: &Value, now: i64) -> anyhow::Result<()> {
        let data = deflate(list)?;
        on!(self.db.write(), |c| sqlx::query(
            "INSERT INTO signature_lists (address, data, stored_at) VALUES ($1, $2, $3)
             ON CONFLICT (address) DO UPDATE SET data = excluded.data, stored_at = excluded.stored_at",
        )
        .bind(address)
        .bind(data)
        .bind(now)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
        .context("Failed to keep a signature list")?;
        Ok(())
    }

    /// Rows kept and their total stored size in bytes.
    pub async fn size(&self) -> anyhow::Result<(i64, i64)> {
        on!(self.db.read(), |c| sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(data)), 0) AS BIGINT) FROM finalized_transactions"
        )
        .fetch_one(c)
        .await)
        .context("Failed to measure the kept transactions")
    }
}

impl TransactionStore for StoredTransactions {
    fn get<'a>(&'a self, signatures: &'a [String]) -> BoxFuture<'a, HashMap<String, Value>> {
        Box::pin(async move {
            self.get_many(signatures).await.unwrap_or_else(|error| {
                tracing::warn!(error = %format!("{error:#}"), "kept transactions unreadable; reading from the RPC");
                HashMap::new()
            })
        })
    }

    fn put<'a>(&'a self, transactions: &'a [(String, Value)]) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(error) = self.put_many(transactions, super::now_ms()).await {
                tracing::warn!(error = %format!("{error:#}"), "could not keep transactions; they will be read again");
            }
        })
    }

    fn list<'a>(&'a self, address: &'a str) -> BoxFuture<'a, Option<Value>> {
        Box::pin(async move {
            self.get_list(address).await.unwrap_or_else(|error| {
                tracing::warn!(error = %format!("{error:#}"), "kept signature list unreadable; listing anew");
                None
            })
        })
    }

    fn put_list<'a>(&'a self, address: &'a str, list: Value) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(error) = self.put_list_at(address, &list, super::now_ms()).await {
                tracing::warn!(error = %format!("{error:#}"), "could not keep a signature list");
            }
        })
    }
}

/// Deletes the rows of `table` stored first beyond `keep`.
async fn trim_table(db: &Db, table: &'static str, keep: u64) -> anyhow::Result<u64> {
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    // Rows stored at the same millisecond as the boundary row stay: the
    // bound can be passed by the rows of one write, never by more.
    let sql = if keep == 0 {
        // Keep nothing (the bound is 0); `$1` is 0 then.
        format!("DELETE FROM {table} WHERE stored_at >= $1 OR stored_at < $1")
    } else {
        format!(
            "DELETE FROM {table} WHERE stored_at < (SELECT stored_at FROM {table} ORDER BY stored_at DESC LIMIT 1 OFFSET $1)"
        )
    };
    on!(db.write(), |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind((keep - 1).max(0))
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .with_context(|| format!("Failed to trim {table}"))
}

fn placeholders(count: usize, first: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub fn deflate(value: &Value) -> anyhow::Result<Vec<u8>> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    serde_json::to_writer(&mut encoder, value).context("Failed to write a transaction")?;
    encoder.flush().context("Failed to deflate a transaction")?;
    encoder.finish().context("Failed to deflate a transaction")
}

fn inflate(data: &[u8]) -> Option<Value> {
    let mut json = Vec::new();
    DeflateDecoder::new(data).read_to_end(&mut json).ok()?;
    serde_json::from_slice(&json).ok()
}
