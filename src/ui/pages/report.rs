//! `/report/{wallet}`: the report, rendered on the server with its preview
//! meta tags and share card, so a shared link shows the score in any chat
//! and the whole page — gauge, findings, score steps, link graph, charts —
//! works without JavaScript.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::not_found::NotFoundMessage;
use crate::domain::time::format_utc;
use crate::domain::{PublishedReport, Report, Severity, shorten};
use crate::ui::components::changes::SinceLastReport;
use crate::ui::components::charts::ActivityCharts;
use crate::ui::components::counterparties::TopCounterparties;
use crate::ui::components::findings::FindingsBySeverity;
use crate::ui::components::gauge::ScoreGauge;
use crate::ui::components::link_graph::LinkGraph;
use crate::ui::components::request_form::RequestForm;
use crate::ui::components::score_steps::ScoreSteps;
use crate::ui::components::share::ShareLinks;

/// How many findings the preview description names.
const PREVIEW_FINDINGS: usize = 3;

/// A wallet's current report and the site's base URL (for absolute meta
/// links), or `None` when there is no unexpired report.
#[server(prefix = "/api", endpoint = "page/report")]
pub async fn load_report(wallet: String) -> Result<Option<(PublishedReport, String)>, ServerFnError> {
    use crate::service::{reports as api, state::AppState};
    let state = expect_context::<AppState>();
    let base = state.settings.link("");
    let report = api::published_report(&state, &wallet)
        .await
        .map_err(|_| ServerFnError::new("Could not read the report."))?;
    Ok(report.map(|r| (r, base)))
}

/// Why a link by `.sol` name has no report (`/report/nope.sol`): the name
/// is malformed, or does not lead to a wallet (known from the lookup the
/// link's redirect made, which the cache still holds). `None` for links by
/// address, and for names whose wallet simply has no report.
#[server(prefix = "/api", endpoint = "page/name-problem")]
pub async fn name_problem(wallet: String) -> Result<Option<String>, ServerFnError> {
    use crate::domain::SolName;
    use crate::service::{names::NameAnswer, state::AppState};
    if !wallet.contains('.') {
        return Ok(None);
    }
    let name = match SolName::parse(&wallet) {
        Ok(name) => name,
        Err(error) => return Ok(Some(error.to_string())),
    };
    let state = expect_context::<AppState>();
    Ok(match state.names.get(&name, state.clock.now_ms()) {
        Some(NameAnswer::NoWallet(message)) => Some(message),
        _ => None,
    })
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let wallet = move || params.read().get("wallet").unwrap_or_default();
    let report = Resource::new(wallet, load_report);
    let problem = Resource::new(wallet, name_problem);
    view! {
        <Suspense fallback=|| view! { <section class="card"><p>"Loading…"</p></section> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some((published, base))) => view! { <ReportView published base/> }.into_any(),
                    Ok(None) if let Ok(Some(problem)) = problem.await => {
                        super::set_status(404);
                        view! { <NotFoundMessage title="No wallet for this name" detail=problem/> }.into_any()
                    }
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

/// What a chat preview or a crawler shows for a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub title: String,
    pub description: String,
    pub url: String,
    pub image: String,
    pub image_alt: String,
}

impl Preview {
    pub fn new(report: &Report, base: &str) -> Self {
        let short = shorten(&report.wallet);
        let top: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Medium)
            .take(PREVIEW_FINDINGS)
            .map(|f| f.title.as_str())
            .collect();
        let description = if top.is_empty() {
            report.summary.clone()
        } else {
            format!("{} Top findings: {}.", report.summary, top.join("; "))
        };
        let url = format!("{base}/report/{}", report.wallet);
        Self {
            title: format!("Wallet {short}: privacy score {}/100 ({})", report.score, report.grade.as_str()),
            description,
            image: format!("{url}/card.png"),
            image_alt: format!(
                "Privacy score {} out of 100, grade {}, for Solana wallet {short}",
                report.score,
                report.grade.as_str()
            ),
            url,
        }
    }
}

/// Open Graph and Twitter tags, rendered into the `<head>` on the server.
#[component]
fn PreviewMeta(preview: Preview) -> impl IntoView {
    let Preview { title, description, url, image, image_alt } = preview;
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        <Meta property="og:type" content="website"/>
        <Meta property="og:site_name" content="Kimiko"/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:url" content=url/>
        <Meta property="og:image" content=image.clone()/>
        <Meta property="og:image:type" content="image/png"/>
        <Meta property="og:image:width" content="1200"/>
        <Meta property="og:image:height" content="630"/>
        <Meta property="og:image:alt" content=image_alt.clone()/>
        <Meta name="twitter:card" content="summary_large_image"/>
        <Meta name="twitter:title" content=title/>
        <Meta name="twitter:description" content=description/>
        <Meta name="twitter:image" content=image/>
        <Meta name="twitter:image:alt" content=image_alt/>
    }
}

#[component]
fn ReportView(published: PublishedReport, base: String) -> impl IntoView {
    let PublishedReport { report, created_at, expires_at, .. } = published;
    let preview = Preview::new(&report, &base);
    let share_text = format!(
        "Solana wallet {} scores {}/100 (grade {}) on Kimiko's privacy check",
        shorten(&report.wallet),
        report.score,
        report.grade.as_str()
    );
    let url = preview.url.clone();
    let balance = report.balance_lamports.map(|l| format!("{:.4} SOL", l as f64 / 1e9));
    let Report { wallet, score, grade, summary, findings, activity, analyzer_version, .. } = report.clone();
    let counterparties = activity.top_counterparties.clone();
    view! {
        <PreviewMeta preview/>
        <section class="card report-head">
            <ScoreGauge score grade/>
            <div class="report-summary">
                <p class="eyebrow">"Privacy report"</p>
                <h1 class="mono wallet-line">{wallet.clone()}</h1>
                {report.reached_via.clone().map(|name| view! {
                    <p class="reached-via">"Reached through the name " <strong class="mono">{name}</strong> "."</p>
                })}
                <p class="summary">{summary}</p>
                <p class="muted coverage">{report.coverage()}</p>
                {balance.map(|b| view! { <p class="muted">"Balance when analysed: " {b}</p> })}
                <p class="muted small report-dates">
                    "Made " <time datetime=created_at.to_string()>{format_utc(created_at)}</time>
                    " · expires " <time datetime=expires_at.to_string()>{format_utc(expires_at)}</time>
                    " · analyser " {analyzer_version}
                </p>
                <p class="report-actions">
                    <a class="button" href="#share">"Share"</a>
                    <a class="button" href="#fresh">"Fresh analysis"</a>
                    <A href="/methodology" attr:class="button">"How the score works"</A>
                </p>
            </div>
        </section>
        {report.changes.clone().map(|changes| view! { <SinceLastReport changes score/> })}
        <section class="card" aria-labelledby="findings-title">
            <h2 id="findings-title">"Findings"</h2>
            <FindingsBySeverity findings/>
        </section>
        <ScoreSteps report=report.clone()/>
        <LinkGraph report=report.clone()/>
        <section class="card" aria-labelledby="activity-title">
            <h2 id="activity-title">"Activity"</h2>
            <p class="muted">"When the wallet transacts, in UTC, and with whom. Regular hours and a few repeat counterparties make a wallet easier to link."</p>
            <ActivityCharts activity/>
            <h3 class="counterparties-title">"Top counterparties"</h3>
            <TopCounterparties counterparties/>
        </section>
        <div id="share">
            <ShareLinks url text=share_text/>
        </div>
        <section class="card fresh" id="fresh" aria-labelledby="fresh-title">
            <h2 id="fresh-title">"Ask for a fresh analysis"</h2>
            <p class="muted">
                "We read the wallet's history again and email you the new report's link — the same form and limits as on the "
                <A href="/">"home page"</A>
                "."
            </p>
            <RequestForm wallet submit_label="Analyse this wallet again" wallet_fixed=true/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample;

    const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";

    #[test]
    fn the_preview_names_score_grade_top_findings_and_the_card() {
        let preview = Preview::new(&sample::report(WALLET, 42).report, "https://k.example");
        assert_eq!(preview.title, "Wallet 7Ytt…j2G5: privacy score 42/100 (D)");
        assert_eq!(preview.description, "A sample report. Top findings: Direct transfers with an exchange.");
        assert_eq!(preview.url, format!("https://k.example/report/{WALLET}"));
        assert_eq!(preview.image, format!("https://k.example/report/{WALLET}/card.png"));
    }
}
