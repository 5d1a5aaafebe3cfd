//! The outbox: each job's report mail, written in the same transaction as
//! the report and marked sent once the SMTP server has accepted it. It
//! holds no address: the recipient is read from [`super::recipients`] when
//! the mail is sent.

use anyhow::Context as _;

use super::{Db, WriteTx, on};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    pub job_id: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i64,
}

impl OutboxRow {
    pub fn is_sent(&self) -> bool {
        self.status == "sent"
    }
}

pub struct NewMail<'a> {
    pub job_id: &'a str,
    pub subject: &'a str,
    pub html: &'a str,
    pub text: &'a str,
    pub message_id: &'a str,
}

/// Adds the job's mail unless it already has one (a retried job keeps the
/// message, and its Message-ID, of its first attempt).
pub async fn insert_pending(tx: &mut WriteTx, mail: &NewMail<'_>, now: i64) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "INSERT INTO outbox (job_id, subject, html, text, message_id, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6)
         ON CONFLICT (job_id) DO NOTHING",
    )
    .bind(mail.job_id)
    .bind(mail.subject)
    .bind(mail.html)
    .bind(mail.text)
    .bind(mail.message_id)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to queue a mail")?;
    Ok(())
}

pub async fn get(db: &Db, job_id: &str) -> anyhow::Result<Option<OutboxRow>> {
    on!(db.write(), |c| sqlx::query_as(
        "SELECT job_id, subject, html, text, message_id, status, attempts FROM outbox WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_optional(c)
    .await)
    .context("Failed to read the outbox")
}

/// Marks the mail sent, inside the caller's transaction (which also
/// completes the job and erases the recipient).
pub async fn mark_sent(tx: &mut WriteTx, job_id: &str, now: i64) -> anyhow::Result<()> {
    on!(tx.conn(), |c| sqlx::query(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = $1
         WHERE job_id = $2",
    )
    .bind(now)
    .bind(job_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to mark a mail sent")?;
    Ok(())
}

/// Counts a failed send and keeps why (scrubbed, like every stored error).
pub async fn record_failure(db: &Db, job_id: &str, error: &str) -> anyhow::Result<()> {
    on!(db.write(), |c| sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE job_id = $2"
    )
    .bind(super::jobs::scrub(error).as_ref())
    .bind(job_id)
    .execute(c)
    .await
    .map(|done| done.rows_affected()))
    .context("Failed to record a mail failure")?;
    Ok(())
}

/// Notes on a mail that the server accepted it and recording that failed
/// (and is being retried): why its job still shows as running.
pub async fn note_unrecorded(db: &Db, job_id: &str) -> anyhow::Result<()> {
    on!(db.write(), |c| sqlx::query(
        "UPDATE outbox SET last_error = 'accepted by the mail server; recording that failed and is being retried'
         WHERE job_id = $1 AND status = 'pending'",
    )
    .bind(job_id)
    .execute(c)
    .await.map(|done| done.rows_affected()))
    .context("Failed to note an unrecorded mail")?;
    Ok(())
}
