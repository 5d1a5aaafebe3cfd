//! Mail the SMTP server has accepted but the database does not yet know
//! about. Recording it is the one write Kimiko never gives up on: an error
//! here (a write timeout, a full disk, a failed commit) treated as a failed
//! attempt would send the message again. So it is retried in-process with a
//! growing pause until it commits, in a task of its own that an aborted job
//! (a shutdown past its grace period) does not take down, and the worker's
//! shutdown waits for every such task ([`Accepted::wait`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tracing::Instrument as _;

use crate::service::state::AppState;
use crate::storage::{self, jobs::Lease};

/// First pause after a failed record, doubling up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// Counts the accepted mails still being recorded.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    inner: Arc<(AtomicUsize, Notify)>,
}

/// Held while one accepted mail is being recorded.
struct Recording(Accepted);

impl Drop for Recording {
    fn drop(&mut self) {
        let (count, done) = &*self.0.inner;
        count.fetch_sub(1, Ordering::SeqCst);
        done.notify_waiters();
    }
}

impl Accepted {
    fn enter(&self) -> Recording {
        self.inner.0.fetch_add(1, Ordering::SeqCst);
        Recording(self.clone())
    }

    /// How many accepted mails are still being recorded.
    pub fn in_flight(&self) -> usize {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Returns once no accepted mail is left unrecorded.
    pub async fn wait(&self) {
        loop {
            let done = self.inner.1.notified();
            tokio::pin!(done);
            // Registered before the count is read, so no wake-up is missed.
            done.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            done.await;
        }
    }
}

/// Records that the server accepted the job's mail: marks it sent (always,
/// so no later run sends it again) and the job succeeded (if `lease` still
/// holds), then checkpoints the erased address out of the WAL. Returns
/// whether the lease still held.
pub async fn record(state: &AppState, lease: &Lease) -> bool {
    let recording = state.accepted.enter();
    let state = state.clone();
    let lease = lease.clone();
    let task = tokio::spawn(
        async move {
            let _recording = recording;
            let mut pause = FIRST_PAUSE;
            let mut noted = false;
            loop {
                match try_record(&state, &lease).await {
                    Ok(owned) => {
                        tracing::info!(job_id = %lease.job_id, "report mail marked sent");
                        state.db.checkpoint_after_erasure().await;
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
                            noted = storage::outbox::note_unrecorded(&state.db, &lease.job_id).await.is_ok();
                        }
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(LONGEST_PAUSE);
                    }
                }
            }
        }
        .in_current_span(),
    );
    // The job's task may be aborted while it waits here; the record task
    // is not, and the shutdown waits for it.
    task.await.unwrap_or(false)
}

async fn try_record(state: &AppState, lease: &Lease) -> anyhow::Result<bool> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
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
        let first = accepted.enter();
        let second = accepted.enter();
        let waiting = tokio::spawn({
            let accepted = accepted.clone();
            async move { accepted.wait().await }
        });
        drop(first);
        assert_eq!(accepted.in_flight(), 1);
        drop(second);
        waiting.await.unwrap();
        assert_eq!(accepted.in_flight(), 0);
    }
}
