//! `/methodology`: every detector, what it reads, how much it weighs, what it
//! can't see — generated from the detector table the engine runs.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::domain::methodology::MethodologyEntry;

#[server(prefix = "/api", endpoint = "page/methodology")]
pub async fn load_methodology() -> Result<(Vec<MethodologyEntry>, String), ServerFnError> {
    use crate::analysis::{ANALYZER_VERSION, detectors};
    let entries = detectors::infos().map(MethodologyEntry::from).collect();
    Ok((entries, ANALYZER_VERSION.to_owned()))
}

#[component]
pub fn MethodologyPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| load_methodology());
    view! {
        <Title text="How the score works"/>
        <Meta name="description" content="How Kimiko scores a Solana wallet's privacy: every detector, what it reads, its weight and its limits."/>
        <article class="card prose">
            <h1>"How the score works"</h1>
            <p>
                "Every report starts at 100. Each detector below looks for one way the wallet can be linked to a person, "
                "another wallet or a place, and takes points off when it finds one — up to the penalty shown, scaled by "
                "how strong the evidence is. The score is 100 minus the penalties, never below 0. Grades: "
                "A from 90, B from 75, C from 60, D from 40, F below."
            </p>
            <h2>"What a report covers"</h2>
            <p>
                "Kimiko reads the wallet's most recent transactions, up to a cap (the report says how many it analysed "
                "of how many it found, and between which dates). Times are in UTC. The activity charts count "
                "transactions by hour, weekday and month; the counterparties are the wallets on the other side of its "
                "transfers, with their share of all its transfers and a label when the wallet is a known entity. "
                "Evidence links to a public explorer, which sees only that someone opened the link."
            </p>
            <h2>"The detectors"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok((entries, version)) => view! {
                            <p class="muted">{format!("Analyser version {version}: {} detectors.", entries.len())}</p>
                            <div class="table-wrap">
                                <table class="methodology">
                                    <thead><tr><th scope="col">"Detector"</th><th scope="col">"What it looks at"</th><th scope="col">"Severity"</th><th scope="col">"Max penalty"</th><th scope="col">"Limits"</th></tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|e| { let anchor = e.id.replace('.', "-"); view! {
                                            <tr id=anchor>
                                                <th scope="row"><span class="detector-title">{e.title}</span><code>{e.id}</code></th>
                                                <td>{e.looks_at}</td>
                                                <td><span class=format!("sev-pill sev-{}", e.severity.as_str())>{e.severity.label()}</span></td>
                                                <td>{format!("−{}", e.max_penalty)}</td>
                                                <td>{e.limits}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(_) => view! { <p role="alert">"Could not load the methodology."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}
