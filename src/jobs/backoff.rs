//! How long a failed job waits before its next attempt: exponential from a
//! base, capped, with ±25% jitter so jobs that failed together (an RPC
//! outage) don't all come back in the same second.

use std::time::Duration;

use rand::Rng;

/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The wait before retrying after failed attempt number `attempt` (1-based),
/// before jitter: `base × 2^(attempt−1)`, capped at [`MAX_BACKOFF`].
pub fn nominal(base: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

/// The range the jittered wait falls in.
pub fn range(base: Duration, attempt: u32) -> (Duration, Duration) {
    let nominal = nominal(base, attempt);
    (nominal.mul_f64(0.75), nominal.mul_f64(1.25))
}

pub fn backoff(base: Duration, attempt: u32, rng: &mut impl Rng) -> Duration {
    let (low, high) = range(base, attempt);
    if high <= low {
        return low;
    }
    Duration::from_millis(rng.random_range(low.as_millis() as u64..=high.as_millis() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const BASE: Duration = Duration::from_secs(10);

    #[test]
    fn grows_with_attempts_until_the_cap() {
        let mut previous = Duration::ZERO;
        for attempt in 1..=40 {
            let (low, high) = range(BASE, attempt);
            assert!(low >= previous.mul_f64(0.75), "attempt {attempt} shrank");
            assert!(low <= high);
            assert!(high <= MAX_BACKOFF.mul_f64(1.25), "attempt {attempt} exceeds the cap");
            previous = nominal(BASE, attempt);
        }
        assert_eq!(nominal(BASE, 1), BASE);
        assert_eq!(nominal(BASE, 2), BASE * 2);
        assert_eq!(nominal(BASE, 3), BASE * 4);
        assert_eq!(nominal(BASE, 1_000), MAX_BACKOFF);
    }

    #[test]
    fn jitter_stays_within_its_range_and_varies() {
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 1..=12 {
            let (low, high) = range(BASE, attempt);
            let samples: Vec<Duration> = (0..500).map(|_| backoff(BASE, attempt, &mut rng)).collect();
            assert!(samples.iter().all(|d| *d >= low && *d <= high), "attempt {attempt}");
            let distinct: std::collections::HashSet<_> = samples.iter().collect();
            assert!(distinct.len() > 50, "attempt {attempt}: jitter barely varies");
        }
    }

    #[test]
    fn zero_base_means_no_wait() {
        assert_eq!(backoff(Duration::ZERO, 3, &mut rand::rng()), Duration::ZERO);
    }
}
