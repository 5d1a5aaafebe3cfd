//! "How the score was built": a waterfall from 100 down to the report's
//! score, one step per finding that cost points (after the combination
//! rules), each linked to its finding — so a reader can check the
//! arithmetic and see which findings were counted once for a shared fact.
//!
//! The list is the content; each step's bar (SVG attributes, no inline
//! styles, no JavaScript) draws the same numbers on a 0–100 scale: what is
//! left of the score, and the points this step took away, sitting just
//! right of the next step's.

use leptos::prelude::*;

use super::findings::anchor;
use crate::domain::{Report, points_label};

/// One step as drawn: title, anchor, points, score before and after, the
/// finding it shares a fact with.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: String,
    pub anchor: String,
    pub points: u8,
    pub before: u8,
    pub after: u8,
    pub shared: Option<String>,
}

/// The steps of the waterfall; empty for reports made before findings
/// carried their points.
pub fn steps(report: &Report) -> Vec<Step> {
    let mut before = 100;
    report
        .score_steps()
        .unwrap_or_default()
        .into_iter()
        .map(|step| {
            let shared = step
                .shares_with
                .map(|leader| format!("same fact as “{}”, so it counts at half", leader.title));
            let drawn = Step {
                title: step.finding.title.clone(),
                anchor: format!("#{}", anchor(&step.finding.id)),
                points: step.points,
                before,
                after: step.score_after,
                shared,
            };
            before = step.score_after;
            drawn
        })
        .collect()
}

/// A 0–100 bar: the score left (`kept`) and the points lost at this step
/// (from `kept` to `before`).
#[component]
fn StepBar(kept: u8, before: u8) -> impl IntoView {
    let lost = before.saturating_sub(kept);
    view! {
        <svg class="step-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect class="step-track" width="100" height="8" rx="2"/>
            <rect class="step-kept" width=kept.to_string() height="8" rx="2"/>
            {(lost > 0).then(|| view! {
                <rect class="step-lost" x=kept.to_string() width=lost.to_string() height="8"/>
            })}
        </svg>
    }
}

#[component]
pub fn ScoreSteps(report: Report) -> impl IntoView {
    let steps = steps(&report);
    if steps.is_empty() {
        return ().into_any();
    }
    let score = report.score;
    view! {
        <section class="card score-steps" aria-labelledby="score-steps-title" id="score-steps">
            <h2 id="score-steps-title">"How the score was built"</h2>
            <p class="muted">
                "Every report starts at 100. Findings about the same fact count in full once; past 50 points lost, each further point weighs less, so the score nears 0 without reaching it. "
                <a href="/methodology#combining">"How findings combine"</a>
            </p>
            <ol class="steps">
                <li class="step">
                    <span class="step-text"><span class="step-score">"100"</span>" to start"</span>
                    <StepBar kept=100 before=100/>
                </li>
                {steps
                    .into_iter()
                    .map(|Step { title, anchor, points, before, after, shared }| view! {
                        <li class="step">
                            <span class="step-text">
                                <span class="step-points">{points_label(points)}</span>" "
                                <a href=anchor>{title}</a>
                                {shared.map(|s| view! { <span class="muted">{format!(" ({s})")}</span> })}
                                " → "<span class="step-score">{after}</span>
                            </span>
                            <StepBar kept=after before/>
                        </li>
                    })
                    .collect_view()}
            </ol>
            <p><strong>{format!("Score: {score}/100")}</strong></p>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample;

    #[test]
    fn the_waterfall_steps_down_from_100_to_the_score_one_finding_at_a_time() {
        let report = sample::report("7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5", 42).report;
        let steps = steps(&report);
        let numbers: Vec<(u8, u8, u8)> = steps.iter().map(|s| (s.before, s.points, s.after)).collect();
        assert_eq!(numbers, [(100, 29, 71), (71, 29, 42)]);
        assert_eq!(steps[0].anchor, "#finding-known_entity-exchange");
    }
}
