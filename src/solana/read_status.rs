//! What a history read tells its caller besides the history: how far it
//! has got ([`Progress`]) and what it could not read ([`Gaps`]). Shared by
//! both ways of reading a history and the transaction reader, so it is a
//! leaf of `solana`.

use crate::domain::JobPhase;

/// A job's progress: transactions fetched out of those found, then links
/// followed out of those known so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub phase: JobPhase,
    pub done: u32,
    pub total: u32,
}

impl Progress {
    pub fn fetching(done: u32, total: u32) -> Self {
        Self { phase: JobPhase::Fetching, done, total }
    }

    pub fn following_links(done: u32, total: u32) -> Self {
        Self { phase: JobPhase::FollowingLinks, done, total }
    }
}

/// How many transactions could not be read, and why, so nothing is dropped
/// silently.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gaps {
    /// The node no longer has them (`null`): pruned history.
    pub missing: u32,
    /// Newer than the version we can read (-32015).
    pub unsupported_version: u32,
}
