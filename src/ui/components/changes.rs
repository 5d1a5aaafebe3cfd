//! "Since the last report": the score before and now, findings that are
//! new (with the transactions that made them appear), gone or changed in
//! severity — or that nothing changed. Rendered on the server with the
//! report, so it is part of the kept page and works without JavaScript.

use leptos::prelude::*;

use super::explorer::TransactionLink;
use super::findings::anchor;
use crate::domain::Changes;
use crate::domain::time::format_utc;

#[component]
pub fn SinceLastReport(changes: Changes, score: u8) -> impl IntoView {
    let when = format_utc(changes.previous_at);
    let score_line = changes.score_line(score);
    let nothing = changes.nothing_changed(score);
    let analyser = changes.previous_analyzer.clone().map(|version| {
        view! {
            <p class="muted small">
                "The previous report was made by analyser " {version}
                ", so some differences may come from the analyser rather than the wallet."
            </p>
        }
    });
    let Changes { new, gone, severity_changed, .. } = changes;
    view! {
        <section class="card changes" id="changes" aria-labelledby="changes-title">
            <h2 id="changes-title">"Since the last report"</h2>
            <p class="muted">
                "Compared with the report of " <time datetime=when.clone()>{when.clone()}</time> "."
            </p>
            <p class="changes-score">"Score: " <strong>{score_line}</strong></p>
            {nothing.then(|| view! { <p class="changes-none">"Nothing changed: the same findings and the same score."</p> })}
            {(!new.is_empty()).then(|| view! {
                <h3>"New findings"</h3>
                <ul class="changes-list">
                    {new.into_iter().map(|finding| {
                        let href = format!("#{}", anchor(&finding.id));
                        view! {
                            <li class="change-new">
                                <span class=format!("sev-pill sev-{}", finding.severity.as_str())>{finding.severity.label()}</span>
                                " " <a href=href>{finding.title}</a>
                                {(!finding.transactions.is_empty()).then(|| view! {
                                    <span class="change-causes">
                                        " — from "
                                        {finding.transactions.into_iter().map(|signature| view! { <TransactionLink signature/> " " }).collect_view()}
                                    </span>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!gone.is_empty()).then(|| view! {
                <h3>"Gone"</h3>
                <ul class="changes-list">
                    {gone.into_iter().map(|finding| view! {
                        <li class="change-gone">
                            <span class=format!("sev-pill sev-{}", finding.severity.as_str())>{finding.severity.label()}</span>
                            " " {finding.title}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {(!severity_changed.is_empty()).then(|| view! {
                <h3>"Changed in severity"</h3>
                <ul class="changes-list">
                    {severity_changed.into_iter().map(|change| view! {
                        <li class="change-severity">
                            <a href=format!("#{}", anchor(&change.id))>{change.title}</a>
                            ": " {change.before.label()} " → " {change.after.label()}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {analyser}
        </section>
    }
}
