//! Housekeeping on cron schedules (UTC), in-process: the counterpart of the
//! original design's Cron Triggers. `kimiko cron list` shows the tasks and
//! `kimiko cron run TASK` runs one by hand.

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use croner::Cron;
use tokio::sync::watch;

use crate::service::state::AppState;
use crate::storage;

type TaskFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<String>> + Send + 'a>>;

/// A housekeeping task: a name for the CLI, a cron expression, and what it does.
pub struct Task {
    pub name: &'static str,
    pub schedule: &'static str,
    pub about: &'static str,
    pub run: for<'a> fn(&'a AppState) -> TaskFuture<'a>,
}

/// Finished jobs (succeeded or dead) are deleted after this long, with their
/// attempts and outbox rows.
pub const FINISHED_JOB_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
/// Rate-limit rows older than this can no longer count against anyone.
pub const REQUEST_RETENTION: Duration = Duration::from_secs(24 * 3600);

pub static TASKS: &[Task] = &[
    Task {
        name: "expire-reports",
        schedule: "0 */6 * * *",
        about: "delete reports and cached address lookups past their expiry",
        run: |state| Box::pin(expire_reports(state)),
    },
    Task {
        name: "purge-rate-limits",
        schedule: "0 0 * * *",
        about: "delete rate-limit rows older than a day",
        run: |state| Box::pin(purge_rate_limits(state)),
    },
    Task {
        name: "prune-jobs",
        schedule: "30 0 * * *",
        about: "delete finished jobs older than 7 days, with their attempts and mail",
        run: |state| Box::pin(prune_jobs(state)),
    },
    Task {
        name: "erase-dead-letters",
        schedule: "15 * * * *",
        about: "erase the email address of dead jobs past the dead-letter window",
        run: |state| Box::pin(erase_dead_letters(state)),
    },
    Task {
        name: "expire-outbox-files",
        schedule: "50 * * * *",
        about: "delete .eml files in the file outbox older than KIMIKO_OUTBOX_RETENTION_HOURS (each names its recipient)",
        run: |state| Box::pin(expire_outbox_files(state)),
    },
    Task {
        name: "checkpoint-wal",
        schedule: "45 * * * *",
        about: "clear erased data out of the database files (SQLite: checkpoint the WAL; Postgres: VACUUM FULL mail_recipients)",
        run: |state| Box::pin(checkpoint_wal(state)),
    },
];

pub fn find(name: &str) -> Option<&'static Task> {
    TASKS.iter().find(|t| t.name == name)
}

/// The next time `task` is due after `after`.
pub fn next_run(task: &Task, after: DateTime<Utc>) -> DateTime<Utc> {
    Cron::from_str(task.schedule)
        .expect("task schedules are valid (checked by tests)")
        .find_next_occurrence(&after, false)
        .expect("every task schedule has a next occurrence")
}

/// Runs each task when due until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let now = || Utc.timestamp_millis_opt(state.clock.now_ms()).single().unwrap_or_else(Utc::now);
    let mut due: Vec<DateTime<Utc>> = TASKS.iter().map(|t| next_run(t, now())).collect();
    loop {
        let (index, at) =
            due.iter().enumerate().min_by_key(|(_, at)| **at).map(|(i, at)| (i, *at)).expect("tasks");
        let wait = (at - now()).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let task = &TASKS[index];
        match run_tick(&state, task, at).await {
            Ok(Some(summary)) => tracing::info!(task = task.name, summary, "scheduled task done"),
            Ok(None) => tracing::debug!(task = task.name, "another process runs this tick"),
            Err(error) => {
                tracing::error!(task = task.name, error = format!("{error:#}"), "scheduled task failed")
            }
        }
        due[index] = next_run(task, now().max(at));
    }
}

/// Runs `task`'s tick due at `at`, unless another process sharing the
/// database already took it (`None`).
pub async fn run_tick(state: &AppState, task: &Task, at: DateTime<Utc>) -> anyhow::Result<Option<String>> {
    let claimed =
        storage::schedule::claim_tick(&state.db, task.name, at.timestamp_millis(), state.clock.now_ms());
    if !claimed.await? {
        return Ok(None);
    }
    (task.run)(state).await.map(Some)
}

async fn expire_reports(state: &AppState) -> anyhow::Result<String> {
    let now = state.clock.now_ms();
    let deleted = storage::reports::delete_expired(&state.db, now).await?;
    let lookups = storage::lookups::delete_expired(&state.db, now).await?;
    let history_before = now - storage::report_history::HISTORY_RETENTION_MS;
    let forgotten = storage::report_history::forget_before(&state.db, history_before).await?;
    Ok(format!(
        "{deleted} expired report(s) deleted, {lookups} address lookup(s) expired, {forgotten} year-old report histories forgotten"
    ))
}

async fn expire_outbox_files(state: &AppState) -> anyhow::Result<String> {
    let deleted = state.mailer.expire_files(state.settings.outbox_retention).await?;
    Ok(format!("{deleted} outbox file(s) past their retention deleted"))
}

async fn purge_rate_limits(state: &AppState) -> anyhow::Result<String> {
    let before = state.clock.now_ms() - REQUEST_RETENTION.as_millis() as i64;
    let deleted = storage::requests::purge_before(&state.db, before).await?;
    let clients = storage::client_limits::purge(&state.db, state.clock.now_ms()).await?;
    Ok(format!("{deleted} rate-limit row(s) purged, {clients} idle client(s) forgotten"))
}

async fn prune_jobs(state: &AppState) -> anyhow::Result<String> {
    let before = state.clock.now_ms() - FINISHED_JOB_RETENTION.as_millis() as i64;
    let deleted = storage::jobs::delete_finished_before(&state.db, before).await?;
    Ok(format!("{deleted} finished job(s) pruned"))
}

async fn erase_dead_letters(state: &AppState) -> anyhow::Result<String> {
    let before = state.clock.now_ms() - state.settings.dead_letter_window.as_millis() as i64;
    let erased = storage::jobs::erase_dead_addresses(&state.db, before).await?;
    Ok(format!("{erased} dead job address(es) erased"))
}

async fn checkpoint_wal(state: &AppState) -> anyhow::Result<String> {
    state.db.checkpoint().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_parses_and_fires_when_documented() {
        for task in TASKS {
            assert!(Cron::from_str(task.schedule).is_ok(), "{}", task.name);
        }
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 7, 10, 0).unwrap();
        let expire = find("expire-reports").unwrap();
        assert_eq!(next_run(expire, start), Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap());
        let purge = find("purge-rate-limits").unwrap();
        assert_eq!(next_run(purge, start), Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap());
    }
}
