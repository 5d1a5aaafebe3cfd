//! The shared cache of address lookups: what was read about an address other
//! than the analysed wallet, kept until it expires so a popular intermediary
//! (an exchange's deposit address, a friend who funds many wallets) is
//! fetched once for every report that meets it. The caller chooses how long
//! (a page before a finalized signature cannot change; a newest page can);
//! every row carries the analyser version that wrote it and is read only by
//! that version. Each read and write is one autocommit statement; nothing
//! here is held across network I/O.

use anyhow::Context as _;

use super::{Db, on};
use crate::domain::neighbourhood::{AddressLookup, LookupKey};

/// The cached lookup for `key` that analyser `version` wrote, if one has
/// not expired at `now` (ms).
pub async fn get(db: &Db, key: &LookupKey, version: &str, now: i64) -> anyhow::Result<Option<AddressLookup>> {
    let data: Option<String> = on!(db.read(), |c| {
        sqlx::query_scalar(
            "SELECT data FROM address_lookups
         WHERE address = $1 AND before_signature = $2 AND expires_at > $3 AND analyzer_version = $4",
        )
        .bind(&key.address)
        .bind(key.before.as_deref().unwrap_or(""))
        .bind(now)
        .bind(version)
        .fetch_optional(c)
        .await
    })
    .context("Failed to read a cached address lookup")?;
    // A row an older version wrote in another shape is a miss, not an error:
    // the lookup is simply made again and the row replaced.
    Ok(data.and_then(|data| serde_json::from_str::<AddressLookup>(&data).ok()).filter(|l| l.key == *key))
}

/// Keeps `lookup`, as analyser `version` read it, until `expires_at` (ms),
/// replacing an older copy.
pub async fn put(
    db: &Db,
    lookup: &AddressLookup,
    version: &str,
    now: i64,
    expires_at: i64,
) -> anyhow::Result<()> {
    let data = serde_json::to_string(lookup).context("Failed to serialise an address lookup")?;
    on!(db.write(), |c| sqlx::query(
        "INSERT INTO address_lookups (address, before_signature, data, fetched_at, expires_at, analyzer_version)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (address, before_signature)
         DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at,
                       analyzer_version = excluded.analyzer_version",
    )
    .bind(&lookup.key.address)
    .bind(lookup.key.before.as_deref().unwrap_or(""))
    .bind(data)
    .bind(now)
    .bind(expires_at)
    .bind(version)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to cache an address lookup")?;
    Ok(())
}

/// Deletes lookups past their expiry; returns how many.
pub async fn delete_expired(db: &Db, now: i64) -> anyhow::Result<u64> {
    on!(db.write(), |c| sqlx::query("DELETE FROM address_lookups WHERE expires_at <= $1")
        .bind(now)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to delete expired address lookups")
}
