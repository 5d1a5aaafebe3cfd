use crate::analysis::testkit::*;
use crate::domain::Severity;

/// 30 signed transactions over 10 days, only between 08:00 and 22:00 UTC.
fn awake_from_8_to_22_utc() -> HistoryBuilder {
    wallet().repeat(30, |w, i| {
        let day = (i / 3) as i64;
        let hour = [8, 14, 21][i % 3];
        w.sends_sol_to(&addr(100 + i as u8), 0.1 + i as f64 * 0.0173)
            .at(START + day * DAY + hour * HOUR + 600)
    })
}

#[test]
fn a_nightly_gap_suggests_a_utc_offset() {
    let report = awake_from_8_to_22_utc().analyze();
    let finding = expect_finding(&report, "timing.timezone");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, "UTC+1"), "{:#?}", finding.evidence);
    assert!(has_evidence(finding, "22:00–08:00"));
}

#[test]
fn incoming_transfers_do_not_count_towards_the_owners_day() {
    // Senders act on their own clock; only 3 signed transactions remain.
    let report = wallet()
        .repeat(30, |w, i| {
            w.receives_sol_from(&addr(100 + i as u8), 0.3)
                .at(START + (i as i64 / 3) * DAY + [8, 14, 21][i % 3] * HOUR)
        })
        .analyze();
    expect_no_finding(&report, "timing.timezone");
}

#[test]
fn activity_at_all_hours_reveals_no_time_zone() {
    let report =
        wallet().repeat(48, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.2 + i as f64 * 0.011)).analyze();
    expect_no_finding(&report, "timing.timezone");
}

#[test]
fn payments_every_day_at_the_same_time_are_a_schedule() {
    let report = wallet()
        .repeat(10, |w, i| {
            w.sends_sol_to(&addr(100 + i as u8), 0.3 + i as f64 * 0.01)
                .at(START + i as i64 * DAY + 60 * (i as i64 % 3))
        })
        .analyze();
    let finding = expect_finding(&report, "timing.regular_interval");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, "1.0 days"), "{:#?}", finding.evidence);
}

#[test]
fn irregular_gaps_are_no_schedule() {
    let gaps = [1, 7, 2, 30, 5, 11, 3, 19, 4, 2];
    let report = wallet()
        .repeat(10, |w, i| {
            w.sends_sol_to(&addr(100 + i as u8), 0.3).at(START + gaps[..i].iter().sum::<i64>() * HOUR)
        })
        .analyze();
    expect_no_finding(&report, "timing.regular_interval");
}

#[test]
fn a_dozen_transactions_in_six_minutes_is_a_burst() {
    let report = wallet()
        .repeat(12, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3).at(START + i as i64 * 30))
        .analyze();
    let finding = expect_finding(&report, "timing.burst");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, "12"));
}

#[test]
fn transactions_an_hour_apart_are_no_burst() {
    let report = wallet().repeat(24, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3)).analyze();
    expect_no_finding(&report, "timing.burst");
}
