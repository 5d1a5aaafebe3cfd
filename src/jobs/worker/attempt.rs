//! One attempt at one job, in its own task: the heartbeat that keeps its
//! lease, the writer that records its progress, the job itself, and the
//! acknowledgement of how it ended.

use std::time::Duration;

use tokio::sync::watch;
use tracing::Instrument as _;

use crate::domain::JobStatus;
use crate::jobs::report_job::{self, Done, JobError};
use crate::service::state::AppState;
use crate::solana::Progress;
use crate::storage::{
    self,
    jobs::{ClaimedJob, Lease},
};

/// Progress is written at most this often per job.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// One job's task: heartbeat, progress writer and the job itself; then the
/// acknowledgement of its outcome.
pub(super) fn execute(
    state: AppState,
    job: ClaimedJob,
    lease: Lease,
) -> impl Future<Output = ()> + Send + 'static {
    let span = tracing::info_span!("job", job_id = %job.id, wallet = %job.wallet, attempt = job.attempts);
    async move {
        let started = std::time::Instant::now();
        // Claimed: its page now says it runs.
        state.job_events.changed(&lease.job_id);
        let (progress_tx, progress_rx) = watch::channel(Progress::default());
        let (lost_tx, mut lost_rx) = watch::channel(false);
        // Aborted when this task ends in any way (a panic, an abort): an
        // orphaned heartbeat would keep extending the lease of a dead run.
        let heartbeat = AbortOnDrop(tokio::spawn(heartbeat(state.clone(), lease.clone(), lost_tx)));
        let waiting = AbortOnDrop(tokio::spawn(super::provider_wait::watch(
            state.clone(),
            lease.clone(),
            progress_rx.clone(),
        )));
        let progress = AbortOnDrop(tokio::spawn(write_progress(state.clone(), lease.clone(), progress_rx)));

        let outcome = tokio::select! {
            outcome = report_job::run(&state, &job, &lease, &progress_tx) => outcome,
            ended = lost_rx.wait_for(|lost| *lost) => match ended {
                Ok(_) => Ok(Done::LeaseLost),
                // The heartbeat died (a panic) with the lease still ours:
                // without it the lease would run out under a live run, so
                // stop and record the attempt as failed.
                Err(_) => Err(JobError::Retryable("the job's heartbeat stopped".into())),
            },
        };
        drop(heartbeat);
        drop(waiting);
        drop(progress_tx);
        progress.finish().await;
        let label = match outcome {
            Ok(Done::Delivered) => {
                tracing::info!("job succeeded");
                "succeeded"
            }
            Ok(Done::LeaseLost) => {
                tracing::warn!("lease lost; this run stopped without changes");
                "lease_lost"
            }
            Err(error) => match record_failure(&state, &lease, job.max_attempts, &error).await {
                Some(JobStatus::Dead) => "dead",
                _ => "retry",
            },
        };
        state.job_events.changed(&lease.job_id);
        crate::metrics::job_finished(label, started.elapsed());
    }
    .instrument(span)
}

/// A helper task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    /// Lets the task run to its end and waits for it.
    async fn finish(mut self) {
        let _ = (&mut self.0).await;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Records a failed attempt; returns the job's new status (None if the lease was lost).
pub(super) async fn record_failure(
    state: &AppState,
    lease: &Lease,
    max_attempts: i64,
    error: &JobError,
) -> Option<JobStatus> {
    let after = report_job::after_failure(error, lease.attempt, max_attempts, state.settings.retry_base);
    let text = storage::jobs::scrub(&error.to_string()).into_owned();
    match storage::jobs::fail(&state.db, lease, &text, after, state.clock.now_ms()).await {
        Ok(Some(status)) => {
            tracing::warn!(error = %text, ?after, status = status.as_str(), "job attempt failed");
            if after == storage::jobs::AfterFailure::Refused {
                tracing::info!("the mail server refused the address for good; it is erased");
            }
            Some(status)
        }
        Ok(None) => {
            tracing::warn!(error = %text, "job failed after losing its lease");
            None
        }
        Err(db_error) => {
            tracing::error!(error = format!("{db_error:#}"), "could not record a failure");
            None
        }
    }
}

/// Extends the lease every third of its length; flags `lost` when the job
/// has been claimed again (this run stalled past its lease).
async fn heartbeat(state: AppState, lease: Lease, lost: watch::Sender<bool>) {
    let length = state.settings.lease;
    let mut tick = tokio::time::interval(length / 3);
    tick.tick().await;
    loop {
        tick.tick().await;
        match storage::jobs::heartbeat(&state.db, &lease, length, state.clock.now_ms()).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = lost.send(true);
                return;
            }
            // A failed heartbeat is not yet a lost lease: try again next tick.
            Err(error) => tracing::warn!(error = format!("{error:#}"), "heartbeat failed"),
        }
    }
}

/// Writes progress as it changes, at most every [`PROGRESS_EVERY`], each as
/// its own tiny autocommit statement — never inside a transaction that spans
/// an RPC call.
async fn write_progress(state: AppState, lease: Lease, mut progress: watch::Receiver<Progress>) {
    while progress.changed().await.is_ok() {
        let Progress { phase, done, total } = *progress.borrow_and_update();
        if let Err(error) =
            storage::jobs::progress(&state.db, &lease, phase, done, total, state.clock.now_ms()).await
        {
            tracing::warn!(error = format!("{error:#}"), "could not record progress");
        }
        state.job_events.changed(&lease.job_id);
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
    // The last value, if it changed during the final sleep.
    let Progress { phase, done, total } = *progress.borrow();
    let _ = storage::jobs::progress(&state.db, &lease, phase, done, total, state.clock.now_ms()).await;
    state.job_events.changed(&lease.job_id);
}
