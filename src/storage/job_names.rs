//! The `.sol` name a report request was made with, beside its job: public
//! data (the name resolves on chain to the job's wallet), kept so the
//! report can say which name led to it.

use anyhow::Context as _;

use super::{Db, WriteTx, on};
use crate::domain::{JobId, SolName};

/// Records `name` for the job `id`, in the transaction that inserts it.
pub async fn record(tx: &mut WriteTx, id: &JobId, name: &SolName) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query("UPDATE jobs SET sol_name = $1 WHERE id = $2")
        .bind(name.as_str())
        .bind(id.as_str())
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
    .context("Failed to record a job's .sol name")?;
    Ok(())
}

/// The name the job was requested with, if any (and still valid).
pub async fn of_job(db: &Db, id: &str) -> anyhow::Result<Option<SolName>> {
    let name: Option<Option<String>> =
        on!(db.read(), |c| sqlx::query_scalar("SELECT sol_name FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await)
        .context("Failed to read a job's .sol name")?;
    Ok(name.flatten().and_then(|name| SolName::parse(&name).ok()))
}
