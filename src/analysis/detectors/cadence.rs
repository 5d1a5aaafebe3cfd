//! The rhythm of the wallet's own transactions: clockwork regularity
//! (scheduled payments, bots) and bursts (one sitting, one script) both tie
//! transactions together and to the software or habit behind them.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, percent};
use crate::analysis::time::{SECONDS_PER_DAY, format_utc};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const REGULAR_INTERVAL: Detector = Detector { info: &REGULAR_INTERVAL_INFO, detect: regular_interval };
pub const BURST: Detector = Detector { info: &BURST_INFO, detect: burst };

/// Gaps needed before a rhythm means anything.
const MIN_GAPS: usize = 8;
/// Shortest typical gap we call a schedule; below it, see bursts.
const MIN_INTERVAL: i64 = 600;
const BURST_WINDOW: i64 = 600;
const BURST_SIZE: usize = 10;

static REGULAR_INTERVAL_INFO: DetectorInfo = DetectorInfo {
    id: "timing.regular_interval",
    title: "Transactions follow a fixed schedule",
    category: Category::Timing,
    looks_at: "The gaps between consecutive transactions the wallet signed (at least 9 transactions). When the typical (median) gap is 10 minutes or more and 70% or more of the gaps are within 10% of it (at least ±2 minutes), the wallet runs on a schedule: 90% or more is low (8 points), 70–89% low (5).",
    severity: Severity::Low,
    max_penalty: 8,
    limits: "A schedule with several different periods (e.g. weekly and monthly payments mixed) is not recognised. Regular activity is not private or public in itself; it links the scheduled transactions to one another and to the tool running them.",
};

static BURST_INFO: DetectorInfo = DetectorInfo {
    id: "timing.burst",
    title: "Bursts of many transactions in minutes",
    category: Category::Timing,
    looks_at: "The largest number of transactions the wallet signed within any 10-minute window. 10 or more is low: 3 points, 5 if there are three or more separate bursts.",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Active traders and apps that split work into several transactions produce bursts without any privacy mistake; the finding matters most when a burst moves funds to several wallets.",
};

/// Block times of the wallet's own transactions, oldest first, one per
/// second. They come from the RPC, so arithmetic on them saturates rather
/// than trusting them to be plausible dates.
fn own_times(ctx: &Context) -> Vec<i64> {
    let mut times: Vec<i64> = ctx.own().filter_map(|tx| tx.block_time).collect();
    times.sort_unstable();
    times.dedup();
    times
}

fn regular_interval(ctx: &Context) -> Option<Finding> {
    let times = own_times(ctx);
    let mut gaps: Vec<i64> = times.windows(2).map(|w| w[1].saturating_sub(w[0])).collect();
    if gaps.len() < MIN_GAPS {
        return None;
    }
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    if median < MIN_INTERVAL {
        return None;
    }
    let tolerance = (median / 10).max(120);
    let on_beat = gaps.iter().filter(|g| g.abs_diff(median) <= tolerance.unsigned_abs()).count();
    let share = percent(on_beat, gaps.len());
    let strength = match share {
        90.. => 100,
        70..90 => 60,
        _ => return None,
    };
    Some(
        REGULAR_INTERVAL_INFO
            .finding(Severity::Low, strength)
            .confidence(80)
            .explanation(format!(
                "{share}% of the gaps between this wallet's transactions are close to {}. Activity on a fixed schedule looks like a standing order or a bot; it ties those transactions to one another and makes the next one predictable.",
                describe_interval(median)
            ))
            .recommendation("If these are scheduled payments, vary their timing, or make them from a wallet that does nothing else.")
            .evidence([
                Evidence::time("typical interval", describe_interval(median)),
                Evidence::count("gaps within 10% of it", format!("{on_beat} of {}", gaps.len())),
                Evidence::time("first", format_utc(times[0])),
                Evidence::time("last", format_utc(times[times.len() - 1])),
            ])
            .build(),
    )
}

fn burst(ctx: &Context) -> Option<Finding> {
    let times = own_times(ctx);
    // Separate bursts: windows of BURST_SIZE or more that don't overlap.
    let mut bursts: Vec<(i64, usize)> = Vec::new();
    let mut start = 0;
    while start < times.len() {
        let end = times[start..].partition_point(|t| *t < times[start].saturating_add(BURST_WINDOW)) + start;
        if end - start >= BURST_SIZE {
            bursts.push((times[start], end - start));
            start = end;
        } else {
            start += 1;
        }
    }
    let &(at, size) = bursts.iter().max_by_key(|(at, size)| (*size, std::cmp::Reverse(*at)))?;
    let strength = if bursts.len() >= 3 { 100 } else { 60 };
    let in_burst: Vec<&str> = ctx
        .own()
        .filter(|tx| tx.block_time.is_some_and(|t| t >= at && t < at.saturating_add(BURST_WINDOW)))
        .map(|tx| tx.signature.as_str())
        .collect();
    let mut evidence = vec![
        Evidence::count("transactions in the largest burst", size),
        Evidence::time("largest burst began", format_utc(at)),
        Evidence::count("bursts of 10 or more within 10 minutes", bursts.len()),
    ];
    evidence.extend(evidence::signatures("transaction in the burst", in_burst.into_iter().rev()));
    Some(
        BURST_INFO
            .finding(Severity::Low, strength)
            .confidence(70)
            .explanation(format!(
                "This wallet signed {size} transactions within 10 minutes (from {}). Transactions sent in one sitting are easy to read as one action, so wallets and amounts that appear in the same burst are linked together.",
                format_utc(at)
            ))
            .recommendation("When you move funds between wallets you want kept apart, spread the steps out over time instead of doing them in one go.")
            .evidence(evidence)
            .build(),
    )
}

fn describe_interval(seconds: i64) -> String {
    let days = seconds as f64 / SECONDS_PER_DAY as f64;
    if seconds >= SECONDS_PER_DAY {
        format!("{days:.1} days")
    } else if seconds >= 3_600 {
        format!("{:.1} hours", seconds as f64 / 3_600.0)
    } else {
        format!("{} minutes", seconds / 60)
    }
}
