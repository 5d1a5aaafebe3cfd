//! Clearing erased personal data out of the database's files, and when.
//!
//! An address lives only in `mail_recipients` ([`super::recipients`]), and
//! erasing it deletes its row at once, but the bytes stay in the files
//! until a clean: on SQLite a `TRUNCATE` checkpoint of the WAL, on Postgres
//! a `VACUUM FULL` of that one small table. Erasures only mark a clean due
//! ([`Db::clean_after_erasure`]); one cleaner per process runs it
//! [`CLEAN_DELAY`] later, covering every erasure marked by then. An erasure
//! marked while a clean runs gets one more clean afterwards: every erasure
//! is followed by a completed clean that started after it.
//!
//! **A clean never waits in line ahead of the site.** A backup is a long
//! reader (`pg_dump` holds `ACCESS SHARE` on every table for the whole
//! dump; SQLite's `VACUUM INTO` keeps a read snapshot open), and a clean
//! that queued for it would put every statement on its table in line
//! behind itself. So each try waits for a lock at most [`CLEAN_LOCK_WAIT`]
//! (Postgres `lock_timeout`; SQLite a busy timeout on a connection of the
//! cleaner's own, never the one write connection), then gives way, and
//! the cleaner tries again later, pausing longer each time, until it is
//! done.
//!
//! **Done means no one can still read it.** A snapshot taken before an
//! erasure can still see the erased row, and both backends keep what such
//! a snapshot can see: `VACUUM FULL` copies those row versions into the new
//! file, and SQLite cannot fold the WAL back while a reader needs it. On
//! SQLite the checkpoint says so itself (busy). On Postgres the clean first
//! reads the next transaction id (everything erased so far committed
//! below it) and vacuums only once no other session of this database can
//! hold back what a vacuum removes below that id ([`postgres`]); "cleaned"
//! is recorded only after such a vacuum. A failed or cut-short clean (a
//! crash) is left to the hourly `checkpoint-wal` task; a graceful
//! [`Db::close`] tries the pending one once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{Notify, watch};

use super::{Backend, Db};

mod postgres;

/// How long after an erasure its clean starts: the erasures of a busy
/// moment (a batch of jobs finishing) share one clean.
pub const CLEAN_DELAY: Duration = Duration::from_secs(1);

/// The longest a try of a clean waits for a lock before giving way (what
/// the site's statements on the address table may wait behind it).
pub const CLEAN_LOCK_WAIT: Duration = Duration::from_millis(50);

/// Pauses between tries of one clean: from the first, doubling up to the
/// longest, for as long as it takes (a backup may read for hours).
const RETRY_FIRST_PAUSE: Duration = Duration::from_millis(100);
const RETRY_MAX_PAUSE: Duration = Duration::from_secs(30);

/// One process's erasures and cleans, counted. Erasure `n` is covered once
/// a clean that started after it has completed, i.e. once
/// `cleaned >= n`.
#[derive(Debug)]
pub(super) struct Erasures {
    /// Erasures marked so far.
    marked: AtomicU64,
    /// The most erasures a completed clean covers.
    cleaned: watch::Sender<u64>,
    /// A cleaner task is running (or about to start).
    running: AtomicBool,
    /// Ends the cleaner's wait (its delay, or a pause between tries) early.
    hurry: Notify,
    delay_ms: AtomicU64,
    /// Completed cleans.
    cleans: AtomicU64,
    /// Tries begun, the ones that gave way included.
    tries: AtomicU64,
}

impl Default for Erasures {
    fn default() -> Self {
        Erasures {
            marked: AtomicU64::new(0),
            cleaned: watch::Sender::new(0),
            running: AtomicBool::new(false),
            hurry: Notify::new(),
            delay_ms: AtomicU64::new(CLEAN_DELAY.as_millis() as u64),
            cleans: AtomicU64::new(0),
            tries: AtomicU64::new(0),
        }
    }
}

impl Erasures {
    /// Records an erasure; true when no cleaner runs and one must start.
    fn mark(&self) -> bool {
        self.marked.fetch_add(1, Ordering::SeqCst);
        !self.running.swap(true, Ordering::SeqCst)
    }

    /// Read just before a clean starts: the erasures it will cover.
    fn covers(&self) -> u64 {
        self.marked.load(Ordering::SeqCst)
    }

    /// A clean that covers `covers` erasures has completed.
    fn cleaned(&self, covers: u64) {
        self.cleans.fetch_add(1, Ordering::SeqCst);
        self.cleaned.send_if_modified(|cleaned| {
            let newer = covers > *cleaned;
            if newer {
                *cleaned = covers;
            }
            newer
        });
    }

    /// After the cleaner's clean covering `covers`: true when it must run
    /// again for erasures marked since, false when it has stopped.
    fn run_again(&self, covers: u64) -> bool {
        if self.marked.load(Ordering::SeqCst) > covers {
            return true;
        }
        self.running.store(false, Ordering::SeqCst);
        // An erasure marked between the load above and the store saw a
        // cleaner running and started none: this one carries on for it,
        // unless another has started meanwhile.
        self.marked.load(Ordering::SeqCst) > covers && !self.running.swap(true, Ordering::SeqCst)
    }

    fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::SeqCst))
    }
}

/// One clean, over its tries: what it must make unreadable.
#[derive(Clone, Copy, Debug)]
enum Clean {
    Sqlite,
    /// Postgres: every erasure it covers committed with a transaction id
    /// below this one (the next id to be handed out when it began).
    Postgres {
        erased_below: i64,
    },
}

/// How one try went.
enum Try {
    Done(String),
    /// Gave way (a lock, a reader); why, for the log.
    NotYet(String),
}

impl Db {
    /// After personal data was erased (committed): a clean follows within
    /// [`CLEAN_DELAY`], shared with the erasures around it. Returns at once.
    pub fn clean_after_erasure(&self) {
        if self.erasures.mark() {
            tokio::spawn(self.clone().run_cleaner());
        }
    }

    async fn run_cleaner(self) {
        loop {
            // Hurried or not, the wait ends the same way; which is irrelevant.
            let _ = tokio::time::timeout(self.erasures.delay(), self.erasures.hurry.notified()).await;
            let covers = self.erasures.covers();
            if !self.clean_until_done(covers).await {
                return;
            }
            if !self.erasures.run_again(covers) {
                return;
            }
        }
    }

    /// Tries the clean covering `covers` erasures until one try completes it,
    /// pausing longer after each that gave way; false when the database was
    /// closed first.
    async fn clean_until_done(&self, covers: u64) -> bool {
        let mut clean = None;
        let mut pause = RETRY_FIRST_PAUSE;
        let mut said_waiting = false;
        loop {
            if self.is_closed() {
                return false;
            }
            match self.try_clean(&mut clean).await {
                Ok(Try::Done(what)) => {
                    self.erasures.cleaned(covers);
                    tracing::info!(
                        erasures = covers,
                        what,
                        "erased personal data removed from the database files"
                    );
                    return true;
                }
                // Said once per clean: a backup may make it wait for hours.
                Ok(Try::NotYet(why)) if !said_waiting => {
                    said_waiting = true;
                    tracing::info!(why, "clearing erased personal data from the files waits its turn");
                }
                Ok(Try::NotYet(why)) => tracing::debug!(why, "clearing erased personal data still waits"),
                Err(error) => tracing::warn!(
                    error = format!("{error:#}"),
                    "could not clear erased personal data from the database files; trying again"
                ),
            }
            let _ = tokio::time::timeout(pause, self.erasures.hurry.notified()).await;
            pause = (pause * 2).min(RETRY_MAX_PAUSE);
        }
    }

    /// One try of the clean `clean` (begun here on the first try).
    async fn try_clean(&self, clean: &mut Option<Clean>) -> anyhow::Result<Try> {
        self.erasures.tries.fetch_add(1, Ordering::SeqCst);
        let clean = match clean {
            Some(clean) => *clean,
            None => *clean.insert(self.begin_clean().await?),
        };
        match (&self.backend, clean) {
            (Backend::Sqlite(sqlite), _) => checkpoint_wal(&sqlite.clean).await,
            (Backend::Postgres(pool), Clean::Postgres { erased_below }) => {
                postgres::vacuum(pool, erased_below).await
            }
            (Backend::Postgres(_), Clean::Sqlite) => unreachable!("a clean begun on this database's backend"),
        }
    }

    async fn begin_clean(&self) -> anyhow::Result<Clean> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(Clean::Sqlite);
        };
        let erased_below: i64 = sqlx::query_scalar("SELECT txid_snapshot_xmax(txid_current_snapshot())")
            .fetch_one(pool)
            .await
            .context("Failed to read the next transaction id")?;
        Ok(Clean::Postgres { erased_below })
    }

    fn is_closed(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.write.is_closed(),
            Backend::Postgres(pool) => pool.is_closed(),
        }
    }

    /// Waits until a clean that started after every erasure marked so far
    /// (in this process) has completed.
    pub async fn erasures_cleaned(&self) {
        let marked = self.erasures.covers();
        let mut cleaned = self.erasures.cleaned.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = cleaned.wait_for(|cleaned| *cleaned >= marked).await;
    }

    /// Starts the pending clean (or its next try) now instead of after its
    /// delay or pause.
    pub fn hurry_erasure_clean(&self) {
        self.erasures.hurry.notify_one();
    }

    /// How long after an erasure its clean starts ([`CLEAN_DELAY`] unless
    /// changed here, which tests do to hold it back).
    pub fn set_erasure_clean_delay(&self, delay: Duration) {
        self.erasures.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Cleans completed by this process so far, the scheduled ones included.
    pub fn erasure_cleans(&self) -> u64 {
        self.erasures.cleans.load(Ordering::SeqCst)
    }

    /// Tries of a clean begun by this process so far, the ones that gave
    /// way to a lock or a reader included.
    pub fn erasure_clean_tries(&self) -> u64 {
        self.erasures.tries.load(Ordering::SeqCst)
    }

    /// At shutdown: one try of the clean for erasures not yet covered,
    /// without waiting for its delay. One that has to give way is left to
    /// the next start's hourly task.
    pub(super) async fn clean_pending_erasures(&self) {
        let covers = self.erasures.covers();
        if covers <= *self.erasures.cleaned.borrow() {
            return;
        }
        match self.try_clean(&mut None).await {
            Ok(Try::Done(_)) => self.erasures.cleaned(covers),
            Ok(Try::NotYet(why)) => {
                tracing::warn!(why, "erased personal data not yet cleared from the files at stop")
            }
            Err(error) => tracing::warn!(
                error = format!("{error:#}"),
                "could not clear erased personal data before stopping"
            ),
        }
    }

    /// The hourly `checkpoint-wal` task (and `kimiko cron run`): one try of
    /// a clean, now. When it has to give way, the cleaner takes it on and
    /// tries again until done.
    pub async fn checkpoint(&self) -> anyhow::Result<String> {
        let covers = self.erasures.covers();
        match self.try_clean(&mut None).await? {
            Try::Done(what) => {
                self.erasures.cleaned(covers);
                Ok(what)
            }
            Try::NotYet(why) => {
                self.clean_after_erasure();
                Ok(format!("not yet ({why}); the cleaner tries again until done"))
            }
        }
    }
}

/// SQLite folds the WAL back into the database file and truncates it, on
/// the cleaner's own connection (its busy timeout is [`CLEAN_LOCK_WAIT`]).
/// A reader on an older snapshot makes it answer "busy": not yet.
async fn checkpoint_wal(clean: &sqlx::SqlitePool) -> anyhow::Result<Try> {
    let (busy, log, checkpointed): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(clean)
        .await
        .context("Failed to checkpoint the WAL")?;
    if busy != 0 {
        return Ok(Try::NotYet("a reader (a backup?) is on an older snapshot of the database".to_owned()));
    }
    Ok(Try::Done(format!("WAL checkpointed ({checkpointed} of {log} frames) and truncated")))
}

#[cfg(test)]
mod tests {
    use super::Erasures;

    #[test]
    fn an_erasure_marked_while_a_clean_runs_gets_one_more_clean_that_covers_it() {
        let erasures = Erasures::default();
        assert!(erasures.mark(), "the first erasure starts a cleaner");
        let first = erasures.covers();
        assert!(!erasures.mark(), "the running cleaner takes the second");
        erasures.cleaned(first);
        assert_eq!(*erasures.cleaned.borrow(), 1, "the clean started before the second erasure");
        assert!(erasures.run_again(first), "so the cleaner runs once more");
        let second = erasures.covers();
        erasures.cleaned(second);
        assert_eq!(*erasures.cleaned.borrow(), 2);
        assert!(!erasures.run_again(second), "and then stops");
        assert!(erasures.mark(), "a later erasure starts a new cleaner");
    }

    #[test]
    fn erasures_marked_before_a_clean_starts_share_it() {
        let erasures = Erasures::default();
        assert!(erasures.mark());
        assert!(!erasures.mark());
        assert!(!erasures.mark());
        let covers = erasures.covers();
        erasures.cleaned(covers);
        assert!(!erasures.run_again(covers));
        assert_eq!(
            (*erasures.cleaned.borrow(), erasures.cleans.load(std::sync::atomic::Ordering::SeqCst)),
            (3, 1)
        );
    }
}
