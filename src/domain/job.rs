//! What a visitor may see of a job: its state and progress, never who asked.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A job's public id: 22 base58 characters (128 random bits), so ids cannot
/// be walked to discover which wallets other people asked about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(String);

impl JobId {
    /// Accepts only what [`JobId::random`] makes: base58, 16 to 24 characters.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (16..=24).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() && !"0OIl".contains(c));
        ok.then(|| Self(text.to_owned()))
    }

    #[cfg(feature = "ssr")]
    pub fn random() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(bs58::encode(bytes).into_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Dead,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "dead" => JobStatus::Dead,
            _ => return None,
        })
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Dead)
    }

    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Queued => "Queued",
            JobStatus::Running => "Running",
            JobStatus::Succeeded => "Done",
            JobStatus::Dead => "Failed",
        }
    }
}

/// What a running job is doing; its progress counts that phase's steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobPhase {
    /// Reading the wallet's own history: transactions fetched of those found.
    #[default]
    Fetching,
    /// Looking up the addresses it is tied to: lookups done of those known
    /// so far (the total grows as the funding chain is followed).
    FollowingLinks,
}

impl JobPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            JobPhase::Fetching => "fetching",
            JobPhase::FollowingLinks => "following_links",
        }
    }

    /// Anything unknown reads as fetching, the phase every job starts in.
    pub fn parse(text: &str) -> Self {
        match text {
            "following_links" => JobPhase::FollowingLinks,
            _ => JobPhase::Fetching,
        }
    }
}

/// The job as `GET /api/jobs/{id}` serves it and `/jobs/{id}` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub status: JobStatus,
    pub progress_done: u32,
    pub progress_total: u32,
    /// What the progress counts.
    #[serde(default)]
    pub progress_phase: JobPhase,
    /// Absolute link to the report once the job has succeeded.
    pub report_url: Option<String>,
    pub wallet: String,
    pub attempts: u32,
    pub max_attempts: u32,
    /// Jobs ahead of this one while it waits; `None` once it runs.
    pub queue_position: Option<u32>,
    /// In plain words, when the job is dead (or retrying after a failure).
    pub error: Option<String>,
    /// The receiving mail server refused the address for good, after the
    /// report was made (then `report_url` links it).
    #[serde(default)]
    pub mail_refused: bool,
    /// While the job is held back by the RPC provider's rate limits: how
    /// many seconds the rest of its reading should take.
    #[serde(default)]
    pub provider_wait_secs: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn random_ids_parse_back_and_differ() {
        let a = JobId::random();
        let b = JobId::random();
        assert_ne!(a, b);
        assert_eq!(JobId::parse(a.as_str()), Some(a));
    }

    #[test]
    fn the_phase_reads_back_and_anything_unknown_reads_as_fetching() {
        for phase in [JobPhase::Fetching, JobPhase::FollowingLinks] {
            assert_eq!(JobPhase::parse(phase.as_str()), phase);
        }
        assert_eq!(JobPhase::parse("something newer"), JobPhase::Fetching);
    }

    #[test]
    fn parse_refuses_anything_else() {
        for bad in ["", "1", "../../etc/passwd", "abc def ghi jkl mno pq", "0000000000000000000000"] {
            assert_eq!(JobId::parse(bad), None, "{bad}");
        }
    }
}
