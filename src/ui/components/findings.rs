//! Findings grouped by severity, each with what it cost, its explanation,
//! evidence and advice.

use leptos::prelude::*;

use super::explorer::{AddressLink, TransactionLink};
use crate::domain::{Evidence, EvidenceKind, Finding, Severity, points_label};

#[component]
pub fn FindingsBySeverity(findings: Vec<Finding>) -> impl IntoView {
    if findings.is_empty() {
        return view! { <p class="muted">"No findings: nothing in this history links the wallet to anyone."</p> }.into_any();
    }
    Severity::ALL
        .iter()
        .filter_map(|&severity| {
            let group: Vec<Finding> = findings.iter().filter(|f| f.severity == severity).cloned().collect();
            (!group.is_empty()).then(|| {
                view! {
                    <section class="severity-group" aria-labelledby=format!("sev-{}", severity.as_str())>
                        <h3 id=format!("sev-{}", severity.as_str())>
                            <span class=format!("sev-pill sev-{}", severity.as_str())>{severity.label()}</span>
                            <span class="count">{format!("{} finding{}", group.len(), if group.len() == 1 { "" } else { "s" })}</span>
                        </h3>
                        {group.into_iter().map(|finding| view! { <FindingCard finding/> }).collect_view()}
                    </section>
                }
            })
        })
        .collect_view()
        .into_any()
}

/// The id of a finding's card on the report page (`finding-fee_payer-external`),
/// which the score steps and the link graph point at.
pub fn anchor(id: &str) -> String {
    format!("finding-{}", id.replace('.', "-"))
}

#[component]
pub fn FindingCard(finding: Finding) -> impl IntoView {
    let points = finding.points_or_penalty();
    let Finding { id, title, severity, confidence, penalty, explanation, evidence, recommendation, .. } =
        finding;
    // The nominal penalty, when combining findings made it cost less.
    let nominal = (points < penalty).then(|| format!("of {penalty} on its own"));
    // Serious findings show their evidence straight away.
    let open_evidence = severity >= Severity::High;
    let anchor = anchor(&id);
    view! {
        <article class=format!("finding sev-border-{}", severity.as_str()) id=anchor>
            <header>
                <h4>{title}</h4>
                <p class="finding-meta">
                    <code>{id}</code>
                    <span class="finding-points">{points_label(points)}</span>
                    {nominal.map(|n| view! { <span>{n}</span> })}
                    <span>{format!("{confidence}% confidence")}</span>
                </p>
            </header>
            <p>{explanation}</p>
            {(!evidence.is_empty()).then(|| view! {
                <details class="evidence" open=open_evidence>
                    <summary>{format!("Evidence ({})", evidence.len())}</summary>
                    <dl>{evidence.into_iter().map(|item| view! { <EvidenceItem item/> }).collect_view()}</dl>
                </details>
            })}
            <p class="advice"><strong>"What to do: "</strong>{recommendation}</p>
        </article>
    }
}

#[component]
fn EvidenceItem(item: Evidence) -> impl IntoView {
    let Evidence { kind, label, value, detail } = item;
    let value_view = match kind {
        EvidenceKind::Signature => view! { <TransactionLink signature=value/> }.into_any(),
        EvidenceKind::Address => view! { <AddressLink address=value/> }.into_any(),
        EvidenceKind::Text => view! { <q class="onchain-text">{value}</q> }.into_any(),
        _ => view! { <span>{value}</span> }.into_any(),
    };
    view! {
        <div class="evidence-item">
            <dt>{label}</dt>
            <dd>{value_view}{detail.map(|d| view! { <span class="evidence-detail">{d}</span> })}</dd>
        </div>
    }
}
