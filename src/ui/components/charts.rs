//! The report's activity charts — by hour of day, by weekday, by month —
//! drawn as inline SVG on the server, so they show without JavaScript and
//! in the first response. Each has a sentence saying what it shows and its
//! numbers in a table for screen readers and the curious.

use leptos::prelude::*;

use crate::domain::{Activity, MonthCount};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The plot inside a 360 × 150 view box: small enough that its 10-unit text
/// stays readable on a 360 px phone, where the chart is drawn at about 1:1.
const VIEW_W: f64 = 360.0;
const PLOT_X: f64 = 8.0;
const PLOT_W: f64 = 344.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_H: f64 = 110.0;
/// Widest a bar gets, so a chart of one or two months doesn't draw slabs.
const MAX_BAR_W: f64 = 24.0;
/// At most this many tick labels under a chart.
const MAX_TICKS: usize = 8;

/// One bar: its tick label (may be empty), its full name, its count.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub tick: String,
    pub name: String,
    pub value: u32,
}

#[component]
pub fn ActivityCharts(activity: Activity) -> impl IntoView {
    if activity.by_hour_utc.iter().all(|&n| n == 0) {
        return view! { <p class="muted">"No dated transactions to chart."</p> }.into_any();
    }
    let hours: Vec<Bar> = activity
        .by_hour_utc
        .iter()
        .enumerate()
        .map(|(h, &value)| Bar {
            tick: if h % 3 == 0 { format!("{h:02}") } else { String::new() },
            name: format!("{h:02}:00–{:02}:00 UTC", (h + 1) % 24),
            value,
        })
        .collect();
    let days: Vec<Bar> = activity
        .by_weekday_utc
        .iter()
        .zip(WEEKDAYS)
        .map(|(&value, day)| Bar { tick: day[..3].to_owned(), name: day.to_owned(), value })
        .collect();
    let months = month_bars(&activity.by_month);
    view! {
        <div class="charts">
            <BarChart id="chart-hours" title="By hour of day (UTC)" summary=hour_summary(&activity.by_hour_utc) bars=hours/>
            <BarChart id="chart-days" title="By weekday (UTC)" summary=busiest_summary(&days, "Busiest day") bars=days/>
            <BarChart id="chart-months" title="Over time, by month" summary=month_summary(&months) bars=months wide=true/>
        </div>
    }
    .into_any()
}

#[component]
pub fn BarChart(
    id: &'static str,
    title: &'static str,
    summary: String,
    bars: Vec<Bar>,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let slot = PLOT_W / bars.len().max(1) as f64;
    let bar_w = (slot * 0.72).min(MAX_BAR_W);
    let every = bars.len().div_ceil(MAX_TICKS).max(1);
    let baseline = PLOT_TOP + PLOT_H;
    let shapes = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let height = if bar.value == 0 { 0.0 } else { (f64::from(bar.value) / f64::from(max) * PLOT_H).max(2.0) };
            let x = PLOT_X + slot * i as f64;
            let tick = (i % every == 0 && !bar.tick.is_empty()).then(|| {
                view! { <text class="tick" x=format!("{:.1}", x + slot / 2.0) y="138" text-anchor="middle">{bar.tick.clone()}</text> }
            });
            view! {
                <rect class="bar" x=format!("{:.1}", x + (slot - bar_w) / 2.0) y=format!("{:.1}", baseline - height) width=format!("{bar_w:.1}") height=format!("{height:.1}") rx="1.5">
                    <title>{format!("{}: {}", bar.name, transactions(bar.value))}</title>
                </rect>
                {tick}
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let rows = bars
        .into_iter()
        .map(|bar| view! { <tr><th scope="row">{bar.name}</th><td>{bar.value}</td></tr> })
        .collect_view();
    view! {
        <figure class=if wide { "chart chart-wide" } else { "chart" } aria-labelledby=labelled_by>
            <figcaption>
                <h3 id=title_id>{title}</h3>
                <p class="muted small">{summary.clone()}</p>
            </figcaption>
            <svg viewBox=format!("0 0 {VIEW_W} 150") role="img" aria-label=format!("{title}. {summary}")>
                <line class="baseline" x1=PLOT_X.to_string() x2=(PLOT_X + PLOT_W).to_string() y1=baseline.to_string() y2=baseline.to_string()/>
                {shapes}
            </svg>
            <details class="chart-data">
                <summary>"The numbers"</summary>
                <table>
                    <thead><tr><th scope="col">{title}</th><th scope="col">"Transactions"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

fn transactions(n: u32) -> String {
    format!("{n} transaction{}", if n == 1 { "" } else { "s" })
}

/// The busiest hour, and the longest stretch without any activity (wrapping
/// past midnight): a daily gap of several hours usually means sleep, which
/// hints at the owner's time zone.
pub fn hour_summary(by_hour: &[u32]) -> String {
    let n = by_hour.len();
    let Some(busiest) = (0..n).max_by_key(|&h| (by_hour[h], std::cmp::Reverse(h))) else {
        return String::new();
    };
    let mut text = format!("Busiest hour {busiest:02}:00–{:02}:00 UTC.", (busiest + 1) % 24);
    // Longest circular run of empty hours.
    let (mut best, mut best_start) = (0, 0);
    for start in 0..n {
        let run = (0..n).take_while(|&k| by_hour[(start + k) % n] == 0).count();
        if run > best {
            (best, best_start) = (run, start);
        }
    }
    if (3..n).contains(&best) {
        text.push_str(&format!(
            " Nothing between {best_start:02}:00 and {:02}:00 UTC, a daily gap that can give away a time zone.",
            (best_start + best) % 24
        ));
    }
    text
}

fn busiest_summary(bars: &[Bar], what: &str) -> String {
    match bars.iter().rev().max_by_key(|b| b.value) {
        Some(bar) if bar.value > 0 => format!("{what}: {} ({}).", bar.name, transactions(bar.value)),
        _ => String::new(),
    }
}

fn month_summary(bars: &[Bar]) -> String {
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return String::new();
    };
    let span = if bars.len() == 1 {
        format!("All in {}.", first.name)
    } else {
        format!("From {} to {}.", first.name, last.name)
    };
    format!("{span} {}", busiest_summary(bars, "Busiest month"))
}

/// Chronological month bars with the empty months in between filled in, so
/// the chart's x axis is time.
pub fn month_bars(by_month: &[MonthCount]) -> Vec<Bar> {
    let parse = |key: &str| -> Option<(i64, usize)> {
        let (y, m) = key.split_once('-')?;
        let m: usize = m.parse().ok()?;
        (1..=12).contains(&m).then_some((y.parse().ok()?, m))
    };
    let known: Vec<((i64, usize), u32)> =
        by_month.iter().filter_map(|mc| Some((parse(&mc.month)?, mc.count))).collect();
    let (Some(&(first, _)), Some(&(last, _))) = (known.first(), known.last()) else {
        return Vec::new();
    };
    let index = |(y, m): (i64, usize)| y * 12 + m as i64 - 1;
    (index(first)..=index(last))
        .map(|i| {
            let (y, m) = (i.div_euclid(12), i.rem_euclid(12) as usize + 1);
            let value = known.iter().find(|(ym, _)| *ym == (y, m)).map_or(0, |(_, n)| *n);
            let name = format!("{} {y}", MONTHS[m - 1]);
            Bar { tick: format!("{} ’{:02}", MONTHS[m - 1], y.rem_euclid(100)), name, value }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hour_summary_names_the_busiest_hour_and_the_sleep_gap() {
        let mut hours = vec![0u32; 24];
        for n in &mut hours[6..22] {
            *n = 1;
        }
        hours[14] = 5;
        assert_eq!(
            hour_summary(&hours),
            "Busiest hour 14:00–15:00 UTC. Nothing between 22:00 and 06:00 UTC, a daily gap that can give away a time zone."
        );
        assert_eq!(hour_summary(&[1; 24]), "Busiest hour 00:00–01:00 UTC.");
    }

    #[test]
    fn months_without_activity_are_filled_in_across_a_new_year() {
        let months = [
            MonthCount { month: "2025-11".into(), count: 2 },
            MonthCount { month: "2026-02".into(), count: 7 },
        ];
        let bars = month_bars(&months);
        let names: Vec<&str> = bars.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]);
        assert_eq!(bars.iter().map(|b| b.value).collect::<Vec<_>>(), [2, 0, 0, 7]);
        assert_eq!(bars[2].tick, "Jan ’26");
        assert_eq!(
            month_summary(&bars),
            "From Nov 2025 to Feb 2026. Busiest month: Feb 2026 (7 transactions)."
        );
    }
}
