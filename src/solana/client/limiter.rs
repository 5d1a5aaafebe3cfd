//! Pacing one endpoint: sliding windows of the calls sent (overall and per
//! method, each batch item one call), a share of the configured limits that
//! halves on a 429 and grows back by a sixteenth for each window answered
//! without one (so a provider stricter than its documentation is found in a
//! few refusals, not one per window), and a pause after a
//! 429 (its `Retry-After`, or one window without it — Triton, which runs
//! the public endpoint, asks a client that got a 429 to pause for 10 s:
//! <https://docs.triton.one/rpc-pool/ratelimits>).
//!
//! Every decision takes the time as an argument, so tests drive it with a
//! manual clock; the async edge reads `tokio::time::Instant::now()`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use super::limits::Limits;

/// The longest `Retry-After` honoured as given; a longer one is cut to this
/// (a job waits, it does not give up, so a provider's "come back in an
/// hour" would hold it for an hour).
pub(super) const MAX_PAUSE: Duration = Duration::from_secs(60);
/// A pause when the endpoint is not paced and said nothing.
const UNPACED_PAUSE: Duration = Duration::from_secs(2);
/// The smallest share of the limits we fall to.
const MIN_SHARE: f64 = 1.0 / 16.0;
/// Grown back per window answered without a 429.
const SHARE_STEP: f64 = 1.0 / 16.0;

/// Calls one request makes: `(method, count)`.
pub(super) type Cost = Vec<(String, u32)>;

pub(super) struct Limiter {
    limits: Option<Limits>,
    state: Mutex<State>,
    connections: Semaphore,
    /// Requests waiting for a slot now.
    waiting: AtomicUsize,
}

struct State {
    overall: VecDeque<Instant>,
    methods: HashMap<String, VecDeque<Instant>>,
    paused_until: Option<Instant>,
    /// The share of the configured limits used now (1.0 until a 429).
    share: f64,
    /// Without configured limits: the largest batch since a 429 refused one
    /// (half of it), so an endpoint we know nothing about still gets
    /// smaller batches after refusing one.
    unpaced_batch: Option<u32>,
    last_answer: Option<Instant>,
    /// When the share last changed (a 429 halved it, or it grew).
    share_changed: Option<Instant>,
}

/// What the limiter says about the pace now.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pace {
    /// Requests are held back: paused after a 429, or waiting for a window.
    pub waiting: bool,
    /// How long `calls` more calls of one method take at the pace allowed now.
    pub eta: Option<Duration>,
}

impl Limiter {
    pub(super) fn new(limits: Option<Limits>) -> Self {
        let connections = limits.map_or(Semaphore::MAX_PERMITS, |l| l.connections.max(1) as usize);
        Limiter {
            limits,
            state: Mutex::new(State {
                overall: VecDeque::new(),
                methods: HashMap::new(),
                paused_until: None,
                share: 1.0,
                unpaced_batch: None,
                last_answer: None,
                share_changed: None,
            }),
            connections: Semaphore::new(connections),
            waiting: AtomicUsize::new(0),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("limiter lock")
    }

    /// Our window is a little longer than the provider's: it counts a call
    /// when it arrives, later than we send it, so calls we send one window
    /// apart can arrive closer together.
    fn window(limits: &Limits) -> Duration {
        limits.window + limits.window / 20
    }

    /// The most calls of one method a batch may hold now.
    pub(super) fn max_batch(&self) -> usize {
        let state = self.state();
        let Some(limits) = self.limits else { return state.unpaced_batch.map_or(usize::MAX, |b| b as usize) };
        scaled(limits.per_method, state.share).min(scaled(limits.overall, state.share)) as usize
    }

    /// Waits until `cost` fits the windows (and any pause is over), then
    /// counts it as sent and holds one of the endpoint's connections.
    pub(super) async fn acquire(&self, cost: &Cost) -> SemaphorePermit<'_> {
        while let Some(until) = self.try_take(cost, Instant::now()) {
            self.waiting.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep_until(until).await;
            self.waiting.fetch_sub(1, Ordering::Relaxed);
        }
        self.connections.acquire().await.expect("the semaphore is never closed")
    }

    /// Counts `cost` as sent at `now` if it fits; else says when to look again.
    fn try_take(&self, cost: &Cost, now: Instant) -> Option<Instant> {
        let mut state = self.state();
        let until = state.wait_until(self.limits.as_ref(), cost, now);
        if until.is_none() {
            state.record(self.limits.is_some(), cost, now);
        }
        until
    }

    /// The provider answered (anything but a 429): grow back towards the
    /// full limits.
    pub(super) fn answered(&self) {
        self.answered_at(Instant::now());
    }

    fn answered_at(&self, now: Instant) {
        let mut state = self.state();
        state.last_answer = Some(now);
        let Some(limits) = self.limits else { return };
        if state.share < 1.0 && state.share_changed.is_none_or(|t| t + Self::window(&limits) <= now) {
            state.share = (state.share + SHARE_STEP).min(1.0);
            state.share_changed = Some(now);
        }
    }

    /// The provider refused with a 429: halve the share and pause for its
    /// `Retry-After` (at most [`MAX_PAUSE`]) or one window. `calls` is how
    /// many the refused request held. Returns the pause.
    pub(super) fn refused(&self, retry_after: Option<Duration>, calls: u32) -> Duration {
        self.refused_at(retry_after, calls, Instant::now())
    }

    fn refused_at(&self, retry_after: Option<Duration>, calls: u32, now: Instant) -> Duration {
        let mut state = self.state();
        if self.limits.is_none() && calls > 1 {
            state.unpaced_batch = Some((calls / 2).max(1));
        }
        let pause =
            retry_after.unwrap_or_else(|| self.limits.map_or(UNPACED_PAUSE, |l| l.window)).min(MAX_PAUSE);
        state.share = (state.share / 2.0).max(MIN_SHARE);
        let until = now + pause;
        // Growth starts one window after the pause.
        state.share_changed = Some(until);
        if state.paused_until.is_none_or(|t| t < until) {
            state.paused_until = Some(until);
        }
        pause
    }

    /// When the provider last answered.
    pub(super) fn last_answer(&self) -> Option<Instant> {
        self.state().last_answer
    }

    /// The pace for `calls` more calls of one method.
    pub(super) fn pace(&self, calls: u32) -> Pace {
        self.pace_at(calls, Instant::now())
    }

    fn pace_at(&self, calls: u32, now: Instant) -> Pace {
        let state = self.state();
        let paused = state.paused_until.filter(|t| *t > now).map(|t| t - now);
        let waiting = paused.is_some() || self.waiting.load(Ordering::Relaxed) > 0;
        let eta = self.limits.map(|limits| {
            let per_window = scaled(limits.per_method, state.share).min(scaled(limits.overall, state.share));
            let windows = calls.div_ceil(per_window.max(1));
            paused.unwrap_or_default() + Self::window(&limits) * windows
        });
        Pace { waiting, eta }
    }
}

impl State {
    /// `None` when `cost` may go now; otherwise when to look again.
    fn wait_until(&mut self, limits: Option<&Limits>, cost: &Cost, now: Instant) -> Option<Instant> {
        if let Some(until) = self.paused_until {
            if until > now {
                return Some(until);
            }
            self.paused_until = None;
        }
        let limits = limits?;
        let window = Limiter::window(limits);
        prune(&mut self.overall, now, window);
        for times in self.methods.values_mut() {
            prune(times, now, window);
        }
        self.methods.retain(|_, times| !times.is_empty());
        let total: u32 = cost.iter().map(|(_, n)| n).sum();
        let mut until = fits(&self.overall, total, scaled(limits.overall, self.share), window);
        for (method, count) in cost {
            let times = self.methods.get(method);
            let free = times.and_then(|t| fits(t, *count, scaled(limits.per_method, self.share), window));
            until = until.max(free);
        }
        until
    }

    fn record(&mut self, paced: bool, cost: &Cost, now: Instant) {
        if !paced {
            return;
        }
        for (method, count) in cost {
            let times = self.methods.entry(method.clone()).or_default();
            for _ in 0..*count {
                times.push_back(now);
                self.overall.push_back(now);
            }
        }
    }
}

fn scaled(limit: u32, share: f64) -> u32 {
    ((f64::from(limit) * share).floor() as u32).max(1)
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|t| *t + window <= now) {
        times.pop_front();
    }
}

/// When `count` more calls fit a window of `cap` that holds `times`; `None`
/// if they fit now. A request larger than the cap goes once the window is
/// empty (the caller keeps batches within [`Limiter::max_batch`]).
fn fits(times: &VecDeque<Instant>, count: u32, cap: u32, window: Duration) -> Option<Instant> {
    let held = times.len();
    let count = count.min(cap) as usize;
    let over = (held + count).checked_sub(cap as usize).filter(|over| *over > 0)?;
    // The `over`-th oldest call must leave the window first.
    times.get(over - 1).map(|t| *t + window)
}

#[cfg(test)]
mod tests;
