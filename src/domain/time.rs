//! Calendar arithmetic on unix seconds, UTC only, with no clock and no
//! dependency: the analysis must stay a pure function, and pages format the
//! same dates on the server and in the browser.

pub const SECONDS_PER_DAY: i64 = 86_400;

/// Hour of day, 0–23, UTC.
pub fn hour_utc(unix: i64) -> usize {
    (unix.rem_euclid(SECONDS_PER_DAY) / 3_600) as usize
}

/// Day of week, Monday = 0 … Sunday = 6, UTC.
pub fn weekday_utc(unix: i64) -> usize {
    let days = unix.div_euclid(SECONDS_PER_DAY);
    // 1970-01-01 was a Thursday (index 3).
    (days + 3).rem_euclid(7) as usize
}

/// `(year, month 1–12, day 1–31)` for a unix time, UTC (proleptic Gregorian).
pub fn civil_date(unix: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-from-civil inverse.
    let z = unix.div_euclid(SECONDS_PER_DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM`.
pub fn month_key(unix: i64) -> String {
    let (y, m, _) = civil_date(unix);
    format!("{y:04}-{m:02}")
}

/// `YYYY-MM-DD HH:MM UTC`.
pub fn format_utc(unix: i64) -> String {
    let (y, m, d) = civil_date(unix);
    let secs = unix.rem_euclid(SECONDS_PER_DAY);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", secs / 3_600, (secs % 3_600) / 60)
}

/// `YYYY-MM-DD`.
pub fn format_date(unix: i64) -> String {
    let (y, m, d) = civil_date(unix);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(weekday_utc(0), 3); // Thursday
        // 2026-09-15 00:00:00 UTC, a Tuesday.
        assert_eq!(civil_date(1_789_430_400), (2026, 9, 15));
        assert_eq!(weekday_utc(1_789_430_400), 1);
        // 2024-02-29 12:34 UTC (leap day).
        assert_eq!(format_utc(1_709_210_040), "2024-02-29 12:34 UTC");
        assert_eq!(hour_utc(1_709_210_040), 12);
        assert_eq!(month_key(1_709_210_040), "2024-02");
        // Before the epoch.
        assert_eq!(civil_date(-1), (1969, 12, 31));
        assert_eq!(hour_utc(-1), 23);
    }
}
