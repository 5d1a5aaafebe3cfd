//! The worker: claims due jobs (up to `KIMIKO_WORKER_BATCH` in flight), runs
//! each in its own task with a heartbeat on its lease, and acknowledges each
//! on its own — one failure never re-runs the others. A panic is caught by
//! the task boundary and recorded as a failed attempt. A claim that fails
//! (a full disk, a broken file) is tried again after a pause that doubles
//! up to [`CLAIM_PAUSE_MAX`], never in a tight loop. On shutdown it stops
//! claiming, lets running jobs finish within the grace period, waits for
//! accepted mail to be recorded, and hands back the leases of those it had
//! to abandon.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{Id as TaskId, JoinError, JoinSet};

mod attempt;
mod provider_wait;

use super::report_job::JobError;
use crate::service::state::AppState;
use crate::storage::{
    self,
    jobs::{ClaimedJob, Lease},
};
use attempt::{execute, record_failure};

/// Longest sleep between looks at the queue. Enqueues in this process wake
/// the worker at once and it sleeps exactly until the next retry or lease
/// expiry; this bound only matters for jobs another process queued (the
/// CLI re-queueing dead letters).
const MAX_IDLE: Duration = Duration::from_secs(5);
/// The pause after a failed claim, doubling with each failure in a row up
/// to the longest: a few log lines a minute while the database refuses
/// writes, and back within seconds once it takes them.
const CLAIM_PAUSE_FIRST: Duration = Duration::from_millis(100);
const CLAIM_PAUSE_MAX: Duration = Duration::from_secs(10);
/// How long a shutdown waits for sends in progress and accepted mail to be
/// recorded. Recording is retried for as long as it fails, and stopping
/// before it commits means the mail is sent again after a restart; but a
/// database that refuses every write must not keep SIGTERM from ending the
/// process forever. Long enough for an operator to free a full disk.
pub const RECORD_WAIT: Duration = Duration::from_secs(15 * 60);

pub struct Worker {
    state: AppState,
    /// Names this process's claims; every lease carries it.
    pub id: String,
    /// Longest sleep between looks at the queue ([`MAX_IDLE`]).
    max_idle: Duration,
    /// Claims that failed in a row.
    claim_failures: AtomicU32,
    /// How long a shutdown waits for accepted mail to be recorded ([`RECORD_WAIT`]).
    record_wait: Duration,
}

/// What one turn of the worker loop claimed, and how long to wait before the next.
pub struct Turn {
    pub jobs: Vec<ClaimedJob>,
    pub wait: Duration,
    /// The claim failed: `wait` is a backoff an enqueue must not cut short.
    pub backing_off: bool,
}

/// A job this worker is running.
struct Running {
    task: tokio::task::AbortHandle,
    lease: Lease,
    max_attempts: i64,
    started: std::time::Instant,
}

type InFlight = HashMap<TaskId, Running>;

impl Worker {
    pub fn new(state: AppState) -> Worker {
        let id = format!("{}-{}", std::process::id(), bs58::encode(rand::random::<[u8; 6]>()).into_string());
        Worker { state, id, max_idle: MAX_IDLE, claim_failures: AtomicU32::new(0), record_wait: RECORD_WAIT }
    }

    /// Waits at most this long at shutdown for accepted mail to be recorded.
    pub fn with_record_wait(mut self, record_wait: Duration) -> Worker {
        self.record_wait = record_wait;
        self
    }

    /// Looks at the queue unprompted only this often. Tests set it far out
    /// to show that what starts a job is the enqueue's wake-up, not a poll.
    pub fn with_max_idle(mut self, max_idle: Duration) -> Worker {
        self.max_idle = max_idle;
        self
    }

    /// Runs until `shutdown` turns true, then drains within the grace period.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let batch = self.state.settings.worker_batch as usize;
        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut in_flight = InFlight::new();
        tracing::info!(worker = %self.id, batch, "worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            self.state.health.worker_tick();
            let free = batch.saturating_sub(in_flight.len());
            let Turn { jobs, wait, backing_off } = if free > 0 {
                self.turn(free as u32).await
            } else {
                Turn { jobs: Vec::new(), wait: self.max_idle, backing_off: false }
            };
            self.start(jobs, &mut tasks, &mut in_flight);
            tokio::select! {
                Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => self.reap(done, &mut in_flight).await,
                _ = self.state.queue_wake.notified(), if !backing_off => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        self.drain(tasks, in_flight).await;
    }

    /// One turn of the loop: claims up to `free` due jobs and says how long
    /// to wait before the next look (unless woken by an enqueue or a
    /// finished job). The caller starts the jobs.
    pub async fn turn(&self, free: u32) -> Turn {
        match self.claim(free).await {
            Ok(jobs) => {
                self.claim_failures.store(0, Ordering::Relaxed);
                let wait = if (jobs.len() as u32) < free { self.idle_time().await } else { self.max_idle };
                Turn { jobs, wait, backing_off: false }
            }
            Err(error) => {
                let failures = self.claim_failures.fetch_add(1, Ordering::Relaxed) + 1;
                let wait = claim_pause(failures);
                tracing::error!(error = format!("{error:#}"), failures, retry_in = ?wait, "claiming jobs failed");
                Turn { jobs: Vec::new(), wait, backing_off: true }
            }
        }
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
            let mut tasks = JoinSet::new();
            let mut in_flight = InFlight::new();
            self.start(jobs, &mut tasks, &mut in_flight);
            while let Some(done) = tasks.join_next_with_id().await {
                self.reap(done, &mut in_flight).await;
            }
        }
    }

    async fn claim(&self, limit: u32) -> anyhow::Result<Vec<ClaimedJob>> {
        let settings = &self.state.settings;
        storage::jobs::claim(&self.state.db, &self.id, limit, settings.lease, self.state.clock.now_ms()).await
    }

    fn start(&self, jobs: Vec<ClaimedJob>, tasks: &mut JoinSet<()>, in_flight: &mut InFlight) {
        for job in jobs {
            // This process claimed its own expired lease: the old run is
            // still alive (stalled), fenced out of every write by the new
            // lease. Stop it rather than run the job twice side by side; a
            // send of its already under way is not cut off (it runs in a
            // task of its own and the new run waits for it).
            let stale: Vec<TaskId> =
                in_flight.iter().filter(|(_, r)| r.lease.job_id == job.id).map(|(id, _)| *id).collect();
            for id in stale {
                if let Some(old) = in_flight.remove(&id) {
                    tracing::warn!(job_id = %job.id, "stopping an earlier run of a job claimed again");
                    old.task.abort();
                }
            }
            let lease = Lease::of(&job, &self.id);
            let max_attempts = job.max_attempts;
            let handle = tasks.spawn(execute(self.state.clone(), job, lease.clone()));
            let running =
                Running { task: handle.clone(), lease, max_attempts, started: std::time::Instant::now() };
            in_flight.insert(handle.id(), running);
        }
    }

    /// Until the next job comes due, at most `max_idle`.
    async fn idle_time(&self) -> Duration {
        match storage::jobs::next_due(&self.state.db).await {
            Ok(Some(due)) => {
                let wait = (due - self.state.clock.now_ms()).max(0) as u64;
                Duration::from_millis(wait + 5).min(self.max_idle)
            }
            Ok(None) => self.max_idle,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "could not look for due jobs");
                self.max_idle
            }
        }
    }

    /// Forgets a finished task; a panicked one is recorded as a failed attempt.
    async fn reap(&self, done: Result<(TaskId, ()), JoinError>, in_flight: &mut InFlight) {
        let (id, panic) = match done {
            Ok((id, ())) => (id, None),
            Err(error) => (error.id(), error.is_panic().then(|| panic_message(error.into_panic()))),
        };
        let Some(running) = in_flight.remove(&id) else { return };
        if let Some(message) = panic {
            let message = storage::jobs::scrub(&message).into_owned();
            tracing::error!(job_id = %running.lease.job_id, panic = %message, "job panicked");
            crate::metrics::job_finished("panic", running.started.elapsed());
            let failure = JobError::Retryable(format!("the job panicked: {message}"));
            record_failure(&self.state, &running.lease, running.max_attempts, &failure).await;
            self.state.job_events.changed(&running.lease.job_id);
        }
    }

    /// Waits up to the grace period for running jobs, then aborts the rest and
    /// hands their leases back so another worker can start them at once.
    async fn drain(&self, mut tasks: JoinSet<()>, mut in_flight: InFlight) {
        let grace = self.state.settings.shutdown_grace;
        tracing::info!(running = in_flight.len(), ?grace, "worker stopping; letting running jobs finish");
        let deadline = tokio::time::Instant::now() + grace;
        while let Ok(Some(done)) = tokio::time::timeout_at(deadline, tasks.join_next_with_id()).await {
            self.reap(done, &mut in_flight).await;
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        // An aborted job may have handed an accepted mail to its record
        // task: let that finish, or the restart would send the mail again.
        if self.state.accepted.in_flight() > 0 {
            tracing::info!(
                mails = self.state.accepted.in_flight(),
                bound = ?self.record_wait,
                "waiting for accepted mail to be recorded"
            );
            if tokio::time::timeout(self.record_wait, self.state.accepted.wait()).await.is_err() {
                // Each of these will be sent again after a restart.
                for job_id in self.state.accepted.job_ids() {
                    tracing::error!(%job_id, "stopping with a sent mail unrecorded; it will be sent again");
                }
            }
        }
        for Running { lease, .. } in in_flight.values() {
            match storage::jobs::release(&self.state.db, lease, self.state.clock.now_ms()).await {
                Ok(true) => {
                    tracing::warn!(job_id = %lease.job_id, "job abandoned at shutdown; lease handed back");
                    self.state.job_events.changed(&lease.job_id);
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(job_id = %lease.job_id, error = format!("{error:#}"), "could not hand back a lease")
                }
            }
        }
        tracing::info!("worker stopped");
    }
}

/// The pause after `failures` failed claims in a row.
fn claim_pause(failures: u32) -> Duration {
    CLAIM_PAUSE_FIRST.saturating_mul(1 << failures.saturating_sub(1).min(16)).min(CLAIM_PAUSE_MAX)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_claims_pause_longer_each_time_up_to_the_cap() {
        let pauses: Vec<u64> = (1..=9).map(|n| claim_pause(n).as_millis() as u64).collect();
        assert_eq!(pauses, [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
        assert_eq!(claim_pause(u32::MAX), CLAIM_PAUSE_MAX);
    }
}
