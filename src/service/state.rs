//! What the web server, the worker and the scheduler share.

use std::sync::Arc;

use tokio::sync::Notify;

use super::cache::ReportCache;
use super::clock::Clock;
use super::request_writer::RequestWriter;
use super::secret::KeyedHasher;
use crate::analysis::Labels;
use crate::config::settings::Settings;
use crate::email::Mailer;
use crate::solana::SolanaRpc;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub mailer: Mailer,
    pub rpc: Arc<SolanaRpc>,
    pub labels: Arc<Labels>,
    pub clock: Clock,
    /// Poked on every enqueue so the worker starts at once instead of polling.
    pub queue_wake: Arc<Notify>,
    /// Told when a job's progress or status changes; read by the job pages'
    /// event streams.
    pub job_events: super::job_events::JobEvents,
    /// Keyed hashes for rate limits.
    pub hasher: KeyedHasher,
    /// Writes report requests, grouped into few transactions under load.
    pub request_writer: RequestWriter,
    /// Reports read for the page, the JSON and the card, until they expire
    /// or a newer one is stored.
    pub reports: ReportCache,
    /// Liveness signals for `/readyz`.
    pub health: Arc<Health>,
    /// Mail the SMTP server accepted that is still being recorded; the
    /// worker's shutdown waits for it.
    pub accepted: super::accepted::Accepted,
    /// Recent answers about `.sol` names.
    pub names: super::names::NameCache,
}

/// A worker loop not seen for this long is reported as stuck.
pub const WORKER_STALE: std::time::Duration = std::time::Duration::from_secs(20);

/// What `/readyz` checks besides the database.
#[derive(Debug, Default)]
pub struct Health {
    worker_seen: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Health {
    /// Called by the worker loop on every turn.
    pub fn worker_tick(&self) {
        *self.worker_seen.lock().expect("health lock") = Some(std::time::Instant::now());
    }

    /// How long since the worker loop last turned; `None` if it never ran.
    pub fn worker_seen_ago(&self) -> Option<std::time::Duration> {
        self.worker_seen.lock().expect("health lock").map(|at| at.elapsed())
    }
}
