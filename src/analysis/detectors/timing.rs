//! When the wallet is active: a daily quiet stretch is usually sleep, and its
//! position gives away the owner's time zone.

use std::collections::HashSet;

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::time::{SECONDS_PER_DAY, hour_utc};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const TIMEZONE: Detector = Detector { info: &TIMEZONE_INFO, detect: timezone };

const MIN_TRANSACTIONS: usize = 20;
const MIN_DAYS: usize = 5;
/// Shortest daily quiet stretch, in hours, that we read as sleep.
const MIN_QUIET_HOURS: usize = 6;
/// The middle of a night's sleep for most people: 03:30 local, in half hours.
const SLEEP_MIDPOINT_LOCAL_HALF_HOURS: i32 = 7;

static TIMEZONE_INFO: DetectorInfo = DetectorInfo {
    id: "timing.timezone",
    title: "Activity reveals a time zone",
    category: Category::Timing,
    looks_at: "The UTC hour of every transaction the wallet signed (what others send it says nothing of its owner's day). A daily stretch of six or more hours with at most 1% of the activity, over at least 20 transactions on 5 different days, is read as sleep; its middle is taken as 03:30 local time to suggest a UTC offset. 10 or more quiet hours: 12 points, 8–9: 10, 6–7: 8.",
    severity: Severity::Medium,
    max_penalty: 12,
    limits: "Bots, shift workers and shared wallets break the assumption; daylight saving time blurs the offset by an hour, and people who sleep unusually early or late shift it further.",
};

/// The quiet stretch found in an hour-of-day histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet hour, UTC.
    pub start: usize,
    pub len: usize,
}

impl QuietHours {
    /// The UTC offset (whole hours, −12…+14) that puts the stretch's middle at 03:30.
    pub fn suggested_offset(self) -> i32 {
        // Work in half hours so the rounding (half up) is exact.
        let middle = 2 * self.start as i32 + self.len as i32;
        let mut offset = SLEEP_MIDPOINT_LOCAL_HALF_HOURS - middle;
        while offset < -24 {
            offset += 48;
        }
        while offset > 28 {
            offset -= 48;
        }
        (offset + 1).div_euclid(2)
    }
}

/// The longest run of hours (wrapping past midnight) with at most 1% of the
/// activity in them.
pub fn longest_quiet_stretch(by_hour: &[u32; 24]) -> Option<QuietHours> {
    let total: u32 = by_hour.iter().sum();
    if total == 0 {
        return None;
    }
    let quiet = |h: usize| by_hour[h % 24] * 100 <= total;
    if (0..24).all(quiet) {
        return None;
    }
    let mut best: Option<QuietHours> = None;
    for start in 0..24 {
        // Only start at the beginning of a stretch.
        if !quiet(start) || quiet(start + 23) {
            continue;
        }
        let len = (0..24).take_while(|i| quiet(start + i)).count();
        if best.is_none_or(|b| len > b.len) {
            best = Some(QuietHours { start, len });
        }
    }
    best
}

fn timezone(ctx: &Context) -> Option<Finding> {
    let times: Vec<i64> = ctx.own().filter_map(|tx| tx.block_time).collect();
    let days: HashSet<i64> = times.iter().map(|t| t.div_euclid(SECONDS_PER_DAY)).collect();
    if times.len() < MIN_TRANSACTIONS || days.len() < MIN_DAYS {
        return None;
    }
    let mut by_hour = [0u32; 24];
    for &t in &times {
        by_hour[hour_utc(t)] += 1;
    }
    let quiet = longest_quiet_stretch(&by_hour)?;
    if quiet.len < MIN_QUIET_HOURS {
        return None;
    }
    let offset = quiet.suggested_offset();
    let strength = match quiet.len {
        10.. => 100,
        8..10 => 80,
        _ => 60,
    };
    let confidence = if times.len() >= 100 && days.len() >= 14 { 75 } else { 55 };
    let active_start = (quiet.start + quiet.len) % 24;
    let quiet_end = (quiet.start + quiet.len) % 24;
    let region = region_hint(offset);
    Some(
        TIMEZONE_INFO
            .finding(Severity::Medium, strength)
            .confidence(confidence)
            .explanation(format!(
                "Across {} transactions it signed on {} days, this wallet is (almost) never active between {:02}:00 and {:02}:00 UTC. A daily {}-hour gap like that is usually sleep, which puts the owner around UTC{} ({region}). Combined with other clues, a time zone narrows down who someone is considerably.",
                times.len(),
                days.len(),
                quiet.start,
                quiet_end,
                quiet.len,
                format_offset(offset),
            ))
            .recommendation("If this matters to you, schedule transactions (or batch them) so they are not tied to your waking hours, and don't reuse this wallet for activity you want unlinked.")
            .evidence([
                Evidence::time("quiet hours (UTC)", format!("{:02}:00–{:02}:00", quiet.start, quiet_end)),
                Evidence::time("active from (UTC)", format!("{active_start:02}:00")),
                Evidence::text("suggested UTC offset", format!("UTC{}", format_offset(offset))).with_detail(region),
                Evidence::count("signed transactions with a time", times.len()),
                Evidence::count("distinct days", days.len()),
            ])
            .build(),
    )
}

pub fn format_offset(offset: i32) -> String {
    if offset >= 0 { format!("+{offset}") } else { format!("−{}", -offset) }
}

fn region_hint(offset: i32) -> &'static str {
    match offset {
        -10 => "e.g. Hawaii",
        -9 | -8 => "e.g. US/Canada Pacific",
        -7 | -6 => "e.g. US/Canada Mountain or Central",
        -5 | -4 => "e.g. US/Canada Eastern",
        -3 => "e.g. Brazil, Argentina",
        0 => "e.g. UK, Portugal, West Africa",
        1 | 2 => "e.g. Central or Eastern Europe",
        3 => "e.g. Moscow, Istanbul, East Africa",
        4 => "e.g. Gulf states",
        5 | 6 => "e.g. Pakistan, India",
        7 => "e.g. Thailand, Vietnam",
        8 => "e.g. China, Singapore",
        9 => "e.g. Japan, Korea",
        10 | 11 => "e.g. Eastern Australia",
        12..=14 => "e.g. New Zealand",
        _ => "few populated regions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_stretch_wraps_past_midnight() {
        let mut by_hour = [10u32; 24];
        for h in [22, 23, 0, 1, 2, 3, 4] {
            by_hour[h] = 0;
        }
        let quiet = longest_quiet_stretch(&by_hour).unwrap();
        assert_eq!(quiet, QuietHours { start: 22, len: 7 });
        // Middle at 01:30 UTC = 03:30 local → UTC+2.
        assert_eq!(quiet.suggested_offset(), 2);
    }

    #[test]
    fn offsets_for_known_sleepers() {
        // Quiet 07:00–14:00 UTC → middle 10:30 → UTC−7.
        assert_eq!(QuietHours { start: 7, len: 7 }.suggested_offset(), -7);
        // Quiet 16:00–22:00 UTC → middle 19:00 → UTC+8 (rounded from +8.5).
        assert_eq!(QuietHours { start: 16, len: 6 }.suggested_offset(), 9);
    }

    #[test]
    fn no_stretch_when_active_all_day() {
        assert_eq!(longest_quiet_stretch(&[5u32; 24]), None);
        assert_eq!(longest_quiet_stretch(&[0u32; 24]), None);
    }
}
