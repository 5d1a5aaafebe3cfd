//! Mail on its way to the SMTP server, or accepted by it and not yet
//! recorded. From the moment a send starts until the mail is marked sent
//! (or the send failed), the job's id is held here ([`Accepted::enter`]):
//! the send and its record run in a task of their own that an aborted job
//! (a shutdown past its grace period) does not take down, since a cut-off
//! send may already have been accepted; a second run of the same job in
//! this process (its lease ran out while the record was retried) waits for
//! the first to leave before it looks at the outbox again, so it finds the
//! mail sent instead of sending it again. Recording is the one write
//! Kimiko never gives up on: an error there (a write timeout, a full disk,
//! a failed commit) treated as a failed attempt would send the message
//! again, so it is retried with a growing pause until it commits. The
//! worker's shutdown waits for all of it ([`Accepted::wait`]).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::clock::Clock;
use crate::storage::{self, Db, jobs::Lease};

/// First pause after a failed record, doubling up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// The jobs whose mail is being sent or recorded in this process.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    jobs: Mutex<BTreeSet<String>>,
    left: Notify,
    waiters: AtomicUsize,
}

/// Held from the start of one job's send until it is recorded.
pub struct Sending {
    accepted: Accepted,
    job_id: String,
}

impl Drop for Sending {
    fn drop(&mut self) {
        self.accepted.jobs().remove(&self.job_id);
        self.accepted.inner.left.notify_waiters();
    }
}

/// Counts a waiter for as long as it waits (also when its wait is dropped).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Accepted {
    fn jobs(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        // The set stays consistent even if a holder panicked: each change is one call.
        self.inner.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Enters the send for `job_id`, once no other run of that job in this
    /// process is inside it.
    pub async fn enter(&self, job_id: &str) -> Sending {
        let mut waiting = None;
        loop {
            let left = self.inner.left.notified();
            tokio::pin!(left);
            // Registered before the set is read, so no wake-up is missed.
            left.as_mut().enable();
            if self.jobs().insert(job_id.to_owned()) {
                return Sending { accepted: self.clone(), job_id: job_id.to_owned() };
            }
            if waiting.is_none() {
                tracing::warn!(%job_id, "an earlier run of this job is still sending or recording its mail; waiting for it");
                waiting = Some(Waiting::new(&self.inner.waiters));
            }
            left.await;
        }
    }

    /// How many mails are being sent or recorded.
    pub fn in_flight(&self) -> usize {
        self.jobs().len()
    }

    /// The jobs whose mail is being sent or recorded.
    pub fn job_ids(&self) -> Vec<String> {
        self.jobs().iter().cloned().collect()
    }

    /// How many are waiting for a send to be recorded: a shutdown, or a
    /// second run of a job.
    pub fn waiters(&self) -> usize {
        self.inner.waiters.load(Ordering::SeqCst)
    }

    /// Returns once no mail is left in a send or unrecorded.
    pub async fn wait(&self) {
        let _waiting = Waiting::new(&self.inner.waiters);
        loop {
            let left = self.inner.left.notified();
            tokio::pin!(left);
            left.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            left.await;
        }
    }
}

/// Records that the server accepted the job's mail: marks it sent (always,
/// so no later run sends it again) and the job succeeded (if `lease` still
/// holds), retrying until that commits. Returns whether the lease still held.
pub async fn record(db: &Db, clock: &Clock, lease: &Lease) -> bool {
    let mut pause = FIRST_PAUSE;
    let mut noted = false;
    loop {
        match try_record(db, clock, lease).await {
            Ok(owned) => {
                tracing::info!(job_id = %lease.job_id, "report mail marked sent");
                return owned;
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    retry_in = ?pause,
                    "the mail server accepted the report mail but recording it failed; trying again"
                );
                // Best effort (the same write trouble may refuse it):
                // lets an operator see why the job is still running.
                if !noted {
                    noted = storage::outbox::note_unrecorded(db, &lease.job_id).await.is_ok();
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
        }
    }
}

async fn try_record(db: &Db, clock: &Clock, lease: &Lease) -> anyhow::Result<bool> {
    let now = clock.now_ms();
    let mut tx = db.begin_write().await?;
    storage::outbox::mark_sent(&mut tx, &lease.job_id, now).await?;
    let owned = storage::jobs::succeed(&mut tx, lease, now).await?;
    tx.commit().await?;
    Ok(owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_once_every_recording_is_done() {
        let accepted = Accepted::default();
        accepted.wait().await;
        let first = accepted.enter("job-1").await;
        let second = accepted.enter("job-2").await;
        let waiting = tokio::spawn({
            let accepted = accepted.clone();
            async move { accepted.wait().await }
        });
        drop(first);
        assert_eq!(accepted.job_ids(), ["job-2"]);
        drop(second);
        waiting.await.unwrap();
        assert_eq!(accepted.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_second_run_of_a_job_enters_only_once_the_first_has_left() {
        let accepted = Accepted::default();
        let first = accepted.enter("job-1").await;
        let second = tokio::spawn({
            let accepted = accepted.clone();
            async move {
                let _sending = accepted.enter("job-1").await;
            }
        });
        while accepted.waiters() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(!second.is_finished());
        drop(first);
        second.await.unwrap();
        assert_eq!((accepted.in_flight(), accepted.waiters()), (0, 0));
    }
}
