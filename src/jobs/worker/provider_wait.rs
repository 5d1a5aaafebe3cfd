//! Whether a running job is held back by its RPC provider's rate limits,
//! and how long the rest of its reading should take, written for its page
//! (`/jobs/{id}`) about once a second while it runs.

use std::time::Duration;

use tokio::sync::watch;

use crate::service::state::AppState;
use crate::solana::Progress;
use crate::solana::client::Pace;
use crate::storage::{self, jobs::Lease};

/// How often the pace is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Runs until aborted with the job's other helper tasks.
pub(super) async fn watch(state: AppState, lease: Lease, progress: watch::Receiver<Progress>) {
    // `None` until written once: a re-run must clear what a failed run left.
    let mut shown: Option<Option<u32>> = None;
    let mut tick = tokio::time::interval(LOOK_EVERY);
    loop {
        tick.tick().await;
        let Progress { done, total, .. } = *progress.borrow();
        let wait = wait_secs(state.rpc.pace(total.saturating_sub(done)));
        if shown == Some(wait) {
            continue;
        }
        match storage::jobs::provider_wait(&state.db, &lease, wait, state.clock.now_ms()).await {
            Ok(()) => {
                shown = Some(wait);
                state.job_events.changed(&lease.job_id);
            }
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "could not record the provider's wait")
            }
        }
    }
}

/// Seconds the rest should take while requests are held back; `None` when
/// they are not.
fn wait_secs(pace: Pace) -> Option<u32> {
    pace.waiting.then(|| pace.eta.map_or(0, |eta| eta.as_secs_f64().ceil() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_held_back_job_is_said_to_wait_and_its_wait_rounds_up() {
        assert_eq!(wait_secs(Pace { waiting: false, eta: Some(Duration::from_secs(70)) }), None);
        assert_eq!(wait_secs(Pace { waiting: true, eta: Some(Duration::from_millis(70_100)) }), Some(71));
        assert_eq!(wait_secs(Pace { waiting: true, eta: None }), Some(0));
    }
}
