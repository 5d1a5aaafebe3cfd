//! "How the score was built": 100, then each finding that cost points and
//! the score it left, down to the report's score — so a reader can check the
//! arithmetic and see which findings were counted once for a shared fact.

use leptos::prelude::*;

use crate::domain::{Report, points_label};

#[component]
pub fn ScoreSteps(report: Report) -> impl IntoView {
    // Reports made before findings carried their points have no steps.
    let steps: Vec<(String, String, u8, u8, Option<String>)> = report
        .score_steps()
        .unwrap_or_default()
        .into_iter()
        .map(|step| {
            let anchor = format!("#finding-{}", step.finding.id.replace('.', "-"));
            let shared = step
                .shares_with
                .map(|leader| format!("same fact as “{}”, so it counts at half", leader.title));
            (step.finding.title.clone(), anchor, step.points, step.score_after, shared)
        })
        .collect();
    if steps.is_empty() {
        return ().into_any();
    }
    let score = report.score;
    view! {
        <section class="card score-steps" aria-labelledby="score-steps-title">
            <h2 id="score-steps-title">"How the score was built"</h2>
            <p class="muted">
                "Every report starts at 100. Findings about the same fact count in full once; past 50 points lost, each further point weighs less, so the score nears 0 without reaching it. "
                <a href="/methodology#combining">"How findings combine"</a>
            </p>
            <ol class="steps">
                <li><span class="step-score">"100"</span>" to start"</li>
                {steps
                    .into_iter()
                    .map(|(title, anchor, points, after, shared)| view! {
                        <li>
                            <span class="step-points">{points_label(points)}</span>" "
                            <a href=anchor>{title}</a>
                            {shared.map(|s| view! { <span class="muted">{format!(" ({s})")}</span> })}
                            " → "<span class="step-score">{after}</span>
                        </li>
                    })
                    .collect_view()}
            </ol>
            <p><strong>{format!("Score: {score}/100")}</strong></p>
        </section>
    }
    .into_any()
}
