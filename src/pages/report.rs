//! `/report/{wallet}`: the report, rendered on the server with its preview
//! meta tags so a shared link shows the score in any chat.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::not_found::NotFoundMessage;
use crate::components::findings::FindingsBySeverity;
use crate::components::gauge::ScoreGauge;
use crate::domain::time::{format_date, format_utc};
use crate::domain::{PublishedReport, Severity, shorten};

/// A wallet's current report and the site's base URL (for absolute meta
/// links), or `None` when there is no unexpired report.
#[server(prefix = "/api", endpoint = "page/report")]
pub async fn load_report(wallet: String) -> Result<Option<(PublishedReport, String)>, ServerFnError> {
    use crate::server::{api, state::AppState};
    let state = expect_context::<AppState>();
    let base = state.settings.link("");
    let report = api::published_report(&state, &wallet)
        .await
        .map_err(|_| ServerFnError::new("Could not read the report."))?;
    Ok(report.map(|r| (r, base)))
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let wallet = move || params.read().get("wallet").unwrap_or_default();
    let report = Resource::new(wallet, load_report);
    view! {
        <Suspense fallback=|| view! { <section class="card"><p>"Loading…"</p></section> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some((published, base))) => view! { <ReportView published base/> }.into_any(),
                    Ok(None) => {
                        super::set_status(404);
                        view! {
                            <NotFoundMessage
                                title="No report for this wallet"
                                detail="There's no current report for this address. Reports are kept for 24 hours; ask for a new one."
                            />
                        }
                            .into_any()
                    }
                    Err(_) => view! { <section class="card"><p role="alert">"Could not load this report. Reload to try again."</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportView(published: PublishedReport, base: String) -> impl IntoView {
    let PublishedReport { report, created_at, expires_at } = published;
    let short = shorten(&report.wallet);
    let title = format!("Wallet {short}: privacy score {}/100 ({})", report.score, report.grade.as_str());
    let top: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .take(3)
        .map(|f| f.title.clone())
        .collect();
    let description = if top.is_empty() {
        report.summary.clone()
    } else {
        format!("{} Top findings: {}.", report.summary, top.join("; "))
    };
    let url = format!("{base}/report/{}", report.wallet);
    let window = match (report.window_start, report.window_end) {
        (Some(start), Some(end)) => {
            format!(" between {} and {}", format_date(start), format_date(end))
        }
        _ => String::new(),
    };
    let coverage = format!(
        "Analysed {} of {}{} transactions{window}.",
        report.transactions_analyzed,
        report.transactions_found,
        if report.history_truncated { "+ (the most recent)" } else { "" }
    );
    let balance = report.balance_lamports.map(|l| format!("{:.4} SOL", l as f64 / 1e9));
    let refresh = format!("/?wallet={}", report.wallet);
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:site_name" content="Kimiko"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=url.clone()/>
        <Meta name="twitter:card" content="summary"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
        <section class="card report-head">
            <ScoreGauge score=report.score grade=report.grade/>
            <div class="report-summary">
                <p class="eyebrow">"Privacy report"</p>
                <h1 class="mono wallet-line">{report.wallet.clone()}</h1>
                <p class="summary">{report.summary.clone()}</p>
                <p class="muted coverage">{coverage}</p>
                {balance.map(|b| view! { <p class="muted">"Balance when analysed: " {b}</p> })}
                <p class="muted small">
                    {format!("Made {} · expires {} · analyser {}", format_utc(created_at), format_utc(expires_at), report.analyzer_version)}
                </p>
                <p><A href=refresh attr:class="button">"Ask for a fresh analysis"</A></p>
            </div>
        </section>
        <section class="card" aria-labelledby="findings-title">
            <h2 id="findings-title">"Findings"</h2>
            <FindingsBySeverity findings=report.findings.clone()/>
        </section>
    }
}
