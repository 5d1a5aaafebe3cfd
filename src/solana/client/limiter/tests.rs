//! The limiter's decisions on a manual clock: `t0 + seconds`, no sleeping.

use super::*;

fn calls(method: &str, count: u32) -> Cost {
    vec![(method.to_owned(), count)]
}

fn public() -> Limiter {
    Limiter::new(Some(Limits::PUBLIC_MAINNET))
}

/// Our window: the provider's plus the arrival margin.
const WINDOW: Duration = Duration::from_millis(10_500);

#[test]
fn one_method_gets_forty_calls_a_window_and_the_forty_first_waits_for_the_oldest_to_leave() {
    let limiter = public();
    let t0 = Instant::now();
    for i in 0..40 {
        assert_eq!(limiter.try_take(&calls("getTransaction", 1), t0 + Duration::from_millis(i)), None);
    }
    assert_eq!(limiter.try_take(&calls("getTransaction", 1), t0 + Duration::from_secs(5)), Some(t0 + WINDOW));
    // Another method still has room.
    assert_eq!(limiter.try_take(&calls("getBalance", 1), t0 + Duration::from_secs(5)), None);
    // Once the first call has left the window, one more fits.
    assert_eq!(limiter.try_take(&calls("getTransaction", 1), t0 + WINDOW), None);
}

#[test]
fn every_method_shares_a_hundred_calls_a_window() {
    let limiter = public();
    let t0 = Instant::now();
    for method in ["getTransaction", "getSignaturesForAddress"] {
        assert_eq!(limiter.try_take(&calls(method, 40), t0), None);
    }
    assert_eq!(limiter.try_take(&calls("getBalance", 20), t0), None);
    let later = t0 + Duration::from_secs(1);
    assert_eq!(limiter.try_take(&calls("getTokenAccountsByOwner", 1), later), Some(t0 + WINDOW));
}

#[test]
fn each_item_of_a_batch_counts_as_one_call() {
    let limiter = public();
    let t0 = Instant::now();
    assert_eq!(limiter.try_take(&calls("getTransaction", 30), t0), None);
    let batch = vec![("getTransaction".to_owned(), 10), ("getBalance".to_owned(), 1)];
    assert_eq!(limiter.try_take(&batch, t0), None);
    assert_eq!(limiter.try_take(&calls("getTransaction", 1), t0), Some(t0 + WINDOW));
    assert_eq!(limiter.max_batch(), 40);
}

#[test]
fn a_429_pauses_for_its_retry_after_and_halves_the_pace_which_grows_back_with_answers() {
    let limiter = public();
    let t0 = Instant::now();
    assert_eq!(limiter.refused_at(Some(Duration::from_secs(3)), 1, t0), Duration::from_secs(3));
    assert_eq!(
        limiter.try_take(&calls("getBalance", 1), t0 + Duration::from_secs(1)),
        Some(t0 + Duration::from_secs(3))
    );
    assert_eq!(limiter.max_batch(), 20, "half of 40 per method");
    // Half the pace: 20 calls of one method a window now.
    let t1 = t0 + Duration::from_secs(3);
    assert_eq!(limiter.try_take(&calls("getTransaction", 20), t1), None);
    assert_eq!(limiter.try_take(&calls("getTransaction", 1), t1), Some(t1 + WINDOW));
    // Answers within a window of the 429 change nothing; each window
    // answered after it gives back a sixteenth.
    limiter.answered_at(t1);
    assert_eq!(limiter.max_batch(), 20);
    assert_eq!(limiter.last_answer(), Some(t1));
    for window in 1..=8 {
        limiter.answered_at(t1 + WINDOW * window);
        limiter.answered_at(t1 + WINDOW * window + Duration::from_millis(1));
    }
    assert_eq!(limiter.max_batch(), 40, "eight answered windows grow the share back to the full limits");
}

#[test]
fn without_retry_after_a_429_pauses_one_window_and_a_long_retry_after_is_cut() {
    let limiter = public();
    let t0 = Instant::now();
    assert_eq!(limiter.refused_at(None, 1, t0), Duration::from_secs(10));
    assert_eq!(limiter.refused_at(Some(Duration::from_secs(3_600)), 1, t0), MAX_PAUSE);
    // Repeated 429s never take the pace below a sixteenth.
    for _ in 0..10 {
        limiter.refused_at(None, 1, t0);
    }
    assert_eq!(limiter.max_batch(), 2, "40 / 16, rounded down");
}

#[test]
fn an_unpaced_endpoint_never_waits_except_after_a_429() {
    let limiter = Limiter::new(None);
    let t0 = Instant::now();
    assert_eq!(limiter.try_take(&calls("getTransaction", 10_000), t0), None);
    assert_eq!(limiter.max_batch(), usize::MAX);
    assert_eq!(limiter.refused_at(None, 50, t0), UNPACED_PAUSE);
    assert_eq!(limiter.try_take(&calls("getTransaction", 1), t0), Some(t0 + UNPACED_PAUSE));
    assert_eq!(limiter.max_batch(), 25, "a refused batch of 50 comes back in halves");
    assert_eq!(limiter.pace_at(100, t0).eta, None);
}

#[test]
fn the_pace_tells_how_long_the_rest_takes() {
    let limiter = public();
    let t0 = Instant::now();
    let pace = limiter.pace_at(200, t0);
    assert_eq!(pace.eta, Some(WINDOW * 5));
    assert!(!pace.waiting);
    limiter.refused_at(Some(Duration::from_secs(4)), 1, t0);
    let pace = limiter.pace_at(200, t0);
    assert!(pace.waiting);
    // A pause of 4 s, then 20 a window: 10 windows.
    assert_eq!(pace.eta, Some(Duration::from_secs(4) + WINDOW * 10));
}

/// Sends `total` calls of one method in batches of `max_batch`, as fast as
/// the limiter lets them go; returns when the last one went.
fn simulate(limiter: &Limiter, total: u32, t0: Instant) -> Instant {
    let mut now = t0;
    let mut left = total;
    while left > 0 {
        let batch = (limiter.max_batch() as u32).min(left);
        match limiter.try_take(&calls("getTransaction", batch), now) {
            None => left -= batch,
            Some(until) => now = until,
        }
    }
    now
}

#[test]
fn three_hundred_calls_take_within_a_twentieth_of_the_floor_the_limits_allow() {
    let limiter = public();
    let t0 = Instant::now();
    let last = simulate(&limiter, 300, t0);
    // The floor: 40 at once, then 40 more every 10 s: the 8th batch at 70 s.
    let floor = Duration::from_secs(70);
    let took = last - t0;
    assert_eq!(took, WINDOW * 7);
    assert!(took.as_secs_f64() / floor.as_secs_f64() <= 1.05 + 1e-9, "{took:?}");
}
