//! The score as a half-circle gauge, drawn as inline SVG on the server so it
//! shows without JavaScript.

use leptos::prelude::*;

use crate::domain::Grade;

/// Gauge colour per grade, from the same palette as the mail.
pub fn grade_class(grade: Grade) -> &'static str {
    match grade {
        Grade::A => "grade-a",
        Grade::B => "grade-b",
        Grade::C => "grade-c",
        Grade::D => "grade-d",
        Grade::F => "grade-f",
    }
}

#[component]
pub fn ScoreGauge(score: u8, grade: Grade) -> impl IntoView {
    // A 180° arc of radius 80 centred at (100, 100): length π·80.
    let arc = std::f64::consts::PI * 80.0;
    let filled = arc * f64::from(score.min(100)) / 100.0;
    view! {
        <figure class=format!("gauge {}", grade_class(grade))>
            <svg viewBox="0 0 200 120" role="img" aria-labelledby="gauge-title">
                <title id="gauge-title">{format!("Privacy score {score} out of 100, grade {}", grade.as_str())}</title>
                <path class="gauge-track" d="M 20 100 A 80 80 0 0 1 180 100" fill="none" stroke-width="16" stroke-linecap="round"/>
                // At 0 a round cap would still draw a dot: leave the arc out.
                {(score > 0).then(|| view! {
                    <path
                        class="gauge-value"
                        d="M 20 100 A 80 80 0 0 1 180 100"
                        fill="none"
                        stroke-width="16"
                        stroke-linecap="round"
                        stroke-dasharray=format!("{filled:.1} {arc:.1}")
                    />
                })}
                <text class="gauge-score" x="100" y="92" text-anchor="middle">{score.to_string()}</text>
                <text class="gauge-max" x="100" y="114" text-anchor="middle">"/ 100"</text>
            </svg>
            <figcaption>
                <span class="grade-badge">{grade.as_str()}</span>
                <span class="visually-hidden">" grade"</span>
            </figcaption>
        </figure>
    }
}
