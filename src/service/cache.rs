//! The in-process report cache (the KV cache of the original design): a
//! wallet's report, its JSON and its share card, kept for the report's
//! lifetime and dropped the moment a newer report for the wallet is stored.
//!
//! With the report it keeps the page as rendered ([`KeptPage`]), so a
//! cache hit for the page costs a map lookup and a copy of the headers, not
//! a render.
//!
//! Every read of a report — the page, the JSON API, the card — goes through
//! [`crate::service::reports::cached_report`], which fills this cache on a miss.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::body::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::kept_pages::KeptPage;
use crate::domain::PublishedReport;

/// Most reports held at once (`KIMIKO_REPORT_CACHE_SIZE`). A busy wallet's
/// entry — report, JSON, page plain and gzipped, card — is about 200 KB, so
/// a full cache stays near 50 MB.
pub const DEFAULT_CAPACITY: usize = crate::config::settings::DEFAULT_REPORT_CACHE_SIZE;

/// One wallet's report, ready to serve.
pub struct CachedReport {
    pub published: PublishedReport,
    /// The report exactly as `GET /api/reports/{wallet}` serves it.
    pub json: Bytes,
    /// Strong validator of this report version (quoted, as in a header).
    pub etag: String,
    /// The rendered share card, made on first request.
    card: OnceCell<Bytes>,
    /// The report page, kept by the first request that rendered it.
    page: KeptPage,
}

impl CachedReport {
    pub fn new(published: PublishedReport) -> anyhow::Result<Self> {
        let json = serde_json::to_vec(&published).context("Failed to serialise a report")?;
        let digest = Sha256::digest(&json);
        let etag = format!("\"{}\"", hex::encode(&digest[..12]));
        Ok(Self {
            published,
            json: Bytes::from(json),
            etag,
            card: OnceCell::new(),
            page: KeptPage::default(),
        })
    }

    pub fn expires_at_ms(&self) -> i64 {
        self.published.expires_at.saturating_mul(1000)
    }

    /// The share card PNG; rendered once per report version, off the async
    /// threads (it is tens of milliseconds of CPU).
    pub async fn card_png(self: &Arc<Self>) -> anyhow::Result<Bytes> {
        let this = Arc::clone(self);
        self.card
            .get_or_try_init(|| async move {
                let png = tokio::task::spawn_blocking(move || crate::card::render_png(&this.published))
                    .await
                    .context("The card renderer panicked")??;
                Ok::<_, anyhow::Error>(Bytes::from(png))
            })
            .await
            .cloned()
    }

    /// The report page rendered for this report version, once kept.
    pub fn page(&self) -> &KeptPage {
        &self.page
    }
}

/// Reports by wallet. Cheap to clone; clones share the entries.
#[derive(Clone)]
pub struct ReportCache {
    inner: Arc<Mutex<Inner>>,
    capacity: usize,
}

struct Inner {
    entries: HashMap<String, Arc<CachedReport>>,
    /// Bumped by every invalidation. A reader that started its database
    /// read before an invalidation must not put what it read into the
    /// cache: it may be the report that was just replaced.
    generation: u64,
}

impl Default for ReportCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl ReportCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self { inner: Arc::new(Mutex::new(Inner { entries: HashMap::new(), generation: 0 })), capacity }
    }

    /// Whether anything is kept at all (`KIMIKO_REPORT_CACHE_SIZE=0` turns
    /// caching off, to measure or debug uncached reads).
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a consistent map (every
        // change is a single insert or remove), so carry on with it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The wallet's report if cached and not expired at `now_ms`.
    pub fn get(&self, wallet: &str, now_ms: i64) -> Option<Arc<CachedReport>> {
        let mut inner = self.lock();
        match inner.entries.get(wallet) {
            Some(entry) if entry.expires_at_ms() > now_ms => Some(Arc::clone(entry)),
            Some(_) => {
                inner.entries.remove(wallet);
                None
            }
            None => None,
        }
    }

    /// Take this before reading the database; hand it to [`Self::insert`].
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Caches `entry` unless something was invalidated since `generation`
    /// was taken. When full, expired entries go first, then the ones that
    /// expire soonest (the oldest reports).
    pub fn insert(&self, generation: u64, entry: Arc<CachedReport>, now_ms: i64) {
        let mut inner = self.lock();
        if inner.generation != generation || !self.is_enabled() {
            return;
        }
        let wallet = entry.published.report.wallet.clone();
        if !inner.entries.contains_key(&wallet) && inner.entries.len() >= self.capacity {
            inner.entries.retain(|_, e| e.expires_at_ms() > now_ms);
            while inner.entries.len() >= self.capacity {
                let soonest = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.expires_at_ms())
                    .map(|(wallet, _)| wallet.clone())
                    .expect("a full cache has entries");
                inner.entries.remove(&soonest);
            }
        }
        inner.entries.insert(wallet, entry);
    }

    /// Drops the wallet's cached report: a new one was stored.
    pub fn invalidate(&self, wallet: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.remove(wallet);
    }

    /// Drops everything (benchmarks measure cold reads with it).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample;

    fn entry(wallet: &str, score: u8, expires_at: i64) -> Arc<CachedReport> {
        let mut published = sample::report(wallet, score);
        published.expires_at = expires_at;
        Arc::new(CachedReport::new(published).unwrap())
    }

    #[test]
    fn a_cached_report_is_served_until_it_expires() {
        let cache = ReportCache::default();
        cache.insert(cache.generation(), entry("w1", 50, 100), 0);
        assert!(cache.get("w1", 99_999).is_some());
        assert!(cache.get("w1", 100_000).is_none(), "expired at expires_at");
        assert!(cache.is_empty(), "an expired entry is dropped when met");
    }

    #[test]
    fn invalidating_a_wallet_drops_only_its_report() {
        let cache = ReportCache::default();
        cache.insert(cache.generation(), entry("w1", 50, 100), 0);
        cache.insert(cache.generation(), entry("w2", 60, 100), 0);
        cache.invalidate("w1");
        assert!(cache.get("w1", 0).is_none());
        assert!(cache.get("w2", 0).is_some());
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_cached() {
        let cache = ReportCache::default();
        let before_read = cache.generation();
        // The worker stores a newer report while the reader is in the database.
        cache.invalidate("w1");
        cache.insert(before_read, entry("w1", 50, 100), 0);
        assert!(cache.get("w1", 0).is_none(), "the possibly stale read stays out");
    }

    #[test]
    fn a_full_cache_drops_expired_then_soonest_expiring_reports() {
        let cache = ReportCache::with_capacity(2);
        cache.insert(cache.generation(), entry("old", 1, 10), 0);
        cache.insert(cache.generation(), entry("mid", 2, 50), 0);
        cache.insert(cache.generation(), entry("new", 3, 90), 20_000);
        assert_eq!(cache.len(), 2);
        assert!(cache.get("old", 20_000).is_none(), "the expired one went first");
        cache.insert(cache.generation(), entry("newest", 4, 95), 20_000);
        assert!(cache.get("mid", 20_000).is_none(), "then the one expiring soonest");
        assert!(cache.get("new", 20_000).is_some() && cache.get("newest", 20_000).is_some());
    }

    #[test]
    fn a_cache_of_size_zero_keeps_nothing() {
        let cache = ReportCache::with_capacity(0);
        assert!(!cache.is_enabled());
        cache.insert(cache.generation(), entry("w1", 50, 100), 0);
        assert!(cache.get("w1", 0).is_none());
    }

    #[test]
    fn the_etag_changes_with_the_report_and_only_with_it() {
        assert_eq!(entry("w1", 50, 100).etag, entry("w1", 50, 100).etag);
        assert_ne!(entry("w1", 50, 100).etag, entry("w1", 51, 100).etag);
        assert!(entry("w1", 50, 100).etag.starts_with('"'));
    }
}
