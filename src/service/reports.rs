//! Reading jobs and reports: the one way the pages, the JSON API and the
//! share card get a report (through the in-process cache).

use std::sync::Arc;

use super::cache::CachedReport;
use super::state::AppState;
use crate::domain::{JobId, JobView, PublishedReport, WalletAddress};
use crate::storage;

/// A job's public view; `None` for ids that are malformed or unknown.
pub async fn job_view(state: &AppState, id: &str) -> anyhow::Result<Option<JobView>> {
    let Some(id) = JobId::parse(id) else {
        return Ok(None);
    };
    storage::jobs::view(&state.db, &id, |wallet| state.settings.link(&format!("/report/{wallet}"))).await
}

/// The wallet's unexpired report, from the in-process cache or else the
/// database (and then cached); `None` for invalid addresses too. The page,
/// the JSON and the card all read through here.
pub async fn cached_report(state: &AppState, wallet: &str) -> anyhow::Result<Option<Arc<CachedReport>>> {
    let now = state.clock.now_ms();
    // Only valid, canonical addresses are ever cached, so a hit on the text
    // as given needs no parsing.
    if let Some(hit) = state.reports.get(wallet, now) {
        if still_stored(state, &hit).await? {
            crate::metrics::cache_lookup(crate::metrics::Cache::Reports, true);
            return Ok(Some(hit));
        }
        state.reports.invalidate(wallet);
    }
    let Ok(wallet) = WalletAddress::parse(wallet) else {
        return Ok(None);
    };
    crate::metrics::cache_lookup(crate::metrics::Cache::Reports, false);
    let generation = state.reports.generation();
    let Some(published) = storage::reports::get(&state.db, wallet.as_str(), now).await? else {
        return Ok(None);
    };
    let entry = Arc::new(CachedReport::new(published)?);
    state.reports.insert(generation, Arc::clone(&entry), now);
    Ok(Some(entry))
}

/// Whether `hit` is still the wallet's stored report. In one process the
/// cache already knows (storing a report drops the old entry); when other
/// processes share the database, one of them may have stored a newer one,
/// so the stored version is asked for — one primary-key lookup, which keeps
/// the rendered page's reuse (the expensive part) and never serves a
/// report another process has replaced.
async fn still_stored(state: &AppState, hit: &CachedReport) -> anyhow::Result<bool> {
    if !state.db.is_shared() {
        return Ok(true);
    }
    let wallet = &hit.published.report.wallet;
    let stored = storage::reports::stored_revision(&state.db, wallet).await?;
    Ok(stored == Some(hit.published.revision))
}

/// The wallet's unexpired report; `None` for invalid addresses too.
pub async fn published_report(state: &AppState, wallet: &str) -> anyhow::Result<Option<PublishedReport>> {
    Ok(cached_report(state, wallet).await?.map(|entry| entry.published.clone()))
}
