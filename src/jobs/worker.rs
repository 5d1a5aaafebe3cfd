//! The worker: claims due jobs (up to `KIMIKO_WORKER_BATCH` in flight), runs
//! each in its own task with a heartbeat on its lease, and acknowledges each
//! on its own — one failure never re-runs the others. A panic is caught by
//! the task boundary and recorded as a failed attempt. On shutdown it stops
//! claiming, lets running jobs finish within the grace period, and hands
//! back the leases of those it had to abandon.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;
use tokio::task::{Id as TaskId, JoinSet};
use tracing::Instrument as _;

use super::report_job::{self, Done, JobError};
use crate::server::state::AppState;
use crate::solana::Progress;
use crate::storage::{self, jobs::ClaimedJob};

/// Longest sleep between looks at the queue. Enqueues in this process wake
/// the worker at once and it sleeps exactly until the next retry or lease
/// expiry; this bound only matters for jobs another process queued (the
/// CLI re-queueing dead letters).
const MAX_IDLE: Duration = Duration::from_secs(5);
/// Progress is written at most this often per job.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

pub struct Worker {
    state: AppState,
    /// Names this process's claims; fencing keys on it.
    pub id: String,
}

/// What one finished task reports back to the loop.
struct Finished {
    job_id: String,
}

impl Worker {
    pub fn new(state: AppState) -> Worker {
        let id = format!(
            "{}-{}",
            std::process::id(),
            bs58::encode(rand::random::<[u8; 6]>()).into_string()
        );
        Worker { state, id }
    }

    /// Runs until `shutdown` turns true, then drains within the grace period.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let batch = self.state.settings.worker_batch as usize;
        let mut running: JoinSet<Finished> = JoinSet::new();
        let mut in_flight: HashMap<TaskId, String> = HashMap::new();
        tracing::info!(worker = %self.id, batch, "worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let free = batch - in_flight.len();
            if free > 0 {
                match self.claim(free as u32).await {
                    Ok(jobs) => {
                        for job in jobs {
                            let job_id = job.id.clone();
                            let handle = running.spawn(self.execute(job));
                            in_flight.insert(handle.id(), job_id);
                        }
                    }
                    Err(error) => {
                        tracing::error!(error = format!("{error:#}"), "claiming jobs failed")
                    }
                }
            }
            let idle = if in_flight.len() < batch {
                self.idle_time().await
            } else {
                MAX_IDLE
            };
            tokio::select! {
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    self.reap(done, &mut in_flight).await;
                }
                _ = self.state.queue_wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
            }
        }
        self.drain(running, in_flight).await;
    }

    /// Claims and runs every job that is due now, to completion; returns how
    /// many ran. For tests and `kimiko jobs run`: no sleeps, no background.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let jobs = self.claim(self.state.settings.worker_batch).await?;
            if jobs.is_empty() {
                return Ok(total);
            }
            total += jobs.len();
            let mut set = JoinSet::new();
            let mut in_flight = HashMap::new();
            for job in jobs {
                let job_id = job.id.clone();
                let handle = set.spawn(self.execute(job));
                in_flight.insert(handle.id(), job_id);
            }
            while let Some(done) = set.join_next_with_id().await {
                self.reap(done, &mut in_flight).await;
            }
        }
    }

    /// Until the next job comes due, at most [`MAX_IDLE`].
    async fn idle_time(&self) -> Duration {
        match storage::jobs::next_due(&self.state.db).await {
            Ok(Some(due)) => {
                let wait = (due - self.state.clock.now_ms()).max(0) as u64;
                Duration::from_millis(wait + 5).min(MAX_IDLE)
            }
            Ok(None) => MAX_IDLE,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "could not look for due jobs");
                MAX_IDLE
            }
        }
    }

    async fn claim(&self, limit: u32) -> anyhow::Result<Vec<ClaimedJob>> {
        let settings = &self.state.settings;
        storage::jobs::claim(
            &self.state.db,
            &self.id,
            limit,
            settings.lease,
            self.state.clock.now_ms(),
        )
        .await
    }

    /// The future of one job's task: heartbeat, progress writer and the job
    /// itself; acknowledges the outcome.
    fn execute(&self, job: ClaimedJob) -> impl Future<Output = Finished> + Send + 'static {
        let state = self.state.clone();
        let worker = self.id.clone();
        let span = tracing::info_span!("job", job_id = %job.id, wallet = %job.wallet, attempt = job.attempts);
        async move {
            let (progress_tx, progress_rx) = watch::channel(Progress::default());
            let (lost_tx, mut lost_rx) = watch::channel(false);
            let heartbeat = tokio::spawn(heartbeat(
                state.clone(),
                job.id.clone(),
                worker.clone(),
                lost_tx,
            ));
            let progress = tokio::spawn(write_progress(
                state.clone(),
                job.id.clone(),
                worker.clone(),
                progress_rx,
            ));

            let outcome = tokio::select! {
                outcome = report_job::run(&state, &job, &worker, &progress_tx) => outcome,
                _ = lost_rx.wait_for(|lost| *lost) => Ok(Done::LeaseLost),
            };
            heartbeat.abort();
            drop(progress_tx);
            let _ = progress.await;
            acknowledge(&state, &job, &worker, outcome).await;
            Finished { job_id: job.id }
        }
        .instrument(span)
    }

    /// Handles a finished task; a panicked one is recorded as a failed attempt.
    async fn reap(
        &self,
        done: Result<(TaskId, Finished), tokio::task::JoinError>,
        in_flight: &mut HashMap<TaskId, String>,
    ) {
        match done {
            Ok((id, Finished { job_id })) => {
                in_flight.remove(&id);
                tracing::debug!(%job_id, "job task finished");
            }
            Err(error) => {
                let Some(job_id) = in_flight.remove(&error.id()) else {
                    return;
                };
                if error.is_panic() {
                    let message = panic_message(error.into_panic());
                    tracing::error!(%job_id, panic = %message, "job panicked");
                    let failure = JobError::Retryable(format!("the job panicked: {message}"));
                    record_failure(&self.state, &job_id, &self.id, &failure).await;
                }
            }
        }
    }

    /// Waits up to the grace period for running jobs, then aborts the rest and
    /// hands their leases back so another worker can start them at once.
    async fn drain(&self, mut running: JoinSet<Finished>, mut in_flight: HashMap<TaskId, String>) {
        let grace = self.state.settings.shutdown_grace;
        tracing::info!(
            running = in_flight.len(),
            ?grace,
            "worker stopping; letting running jobs finish"
        );
        let deadline = tokio::time::Instant::now() + grace;
        while !running.is_empty() {
            match tokio::time::timeout_at(deadline, running.join_next_with_id()).await {
                Ok(Some(done)) => self.reap(done, &mut in_flight).await,
                Ok(None) => break,
                Err(_) => break,
            }
        }
        running.abort_all();
        while running.join_next().await.is_some() {}
        for job_id in in_flight.values() {
            match storage::jobs::release(
                &self.state.db,
                job_id,
                &self.id,
                self.state.clock.now_ms(),
            )
            .await
            {
                Ok(true) => tracing::warn!(%job_id, "job abandoned at shutdown; lease handed back"),
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(%job_id, error = format!("{error:#}"), "could not hand back a lease")
                }
            }
        }
        tracing::info!("worker stopped");
    }
}

async fn acknowledge(
    state: &AppState,
    job: &ClaimedJob,
    worker: &str,
    outcome: Result<Done, JobError>,
) {
    match outcome {
        Ok(Done::Delivered) => tracing::info!("job succeeded"),
        Ok(Done::LeaseLost) => {
            tracing::warn!("lease lost to another worker; stopped without changes")
        }
        Err(error) => record_failure(state, &job.id, worker, &error).await,
    }
}

async fn record_failure(state: &AppState, job_id: &str, worker: &str, error: &JobError) {
    let db = &state.db;
    let attempts =
        sqlx::query_as::<_, (i64, i64)>("SELECT attempts, max_attempts FROM jobs WHERE id = ?1")
            .bind(job_id)
            .fetch_optional(db.reader())
            .await
            .context("Failed to read attempts");
    let (attempt, max) = match attempts {
        Ok(Some(row)) => row,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "could not record a failure");
            return;
        }
    };
    let after = report_job::after_failure(error, attempt, max, state.settings.retry_base);
    let text = error.to_string();
    match storage::jobs::fail(db, job_id, worker, &text, after, state.clock.now_ms()).await {
        Ok(Some(status)) => {
            tracing::warn!(error = %text, ?after, status = status.as_str(), "job attempt failed")
        }
        Ok(None) => tracing::warn!(error = %text, "job failed after losing its lease"),
        Err(db_error) => tracing::error!(
            error = format!("{db_error:#}"),
            "could not record a failure"
        ),
    }
}

/// Extends the lease every third of its length; flags `lost` when another
/// worker has taken the job over.
async fn heartbeat(state: AppState, job_id: String, worker: String, lost: watch::Sender<bool>) {
    let lease = state.settings.lease;
    let mut tick = tokio::time::interval(lease / 3);
    tick.tick().await;
    loop {
        tick.tick().await;
        match storage::jobs::heartbeat(&state.db, &job_id, &worker, lease, state.clock.now_ms())
            .await
        {
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
async fn write_progress(
    state: AppState,
    job_id: String,
    worker: String,
    mut progress: watch::Receiver<Progress>,
) {
    while progress.changed().await.is_ok() {
        let Progress { done, total } = *progress.borrow_and_update();
        if let Err(error) = storage::jobs::progress(
            &state.db,
            &job_id,
            &worker,
            done,
            total,
            state.clock.now_ms(),
        )
        .await
        {
            tracing::warn!(error = format!("{error:#}"), "could not record progress");
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
    // The last value, if it changed during the final sleep.
    let Progress { done, total } = *progress.borrow();
    let _ = storage::jobs::progress(
        &state.db,
        &job_id,
        &worker,
        done,
        total,
        state.clock.now_ms(),
    )
    .await;
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
