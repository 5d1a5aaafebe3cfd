//! `/jobs/{id}`: where a request stands. Follows the job until it ends —
//! with JavaScript, by the job's event stream (`/api/jobs/{id}/events`,
//! pushed by the server, no polling) or, when the server refuses the stream
//! (too many open from one address: thousands of phones share a carrier's)
//! or the browser gives up on it, by asking again less and less often;
//! without JavaScript, by a `<noscript>` meta refresh. Shows nothing about
//! who asked.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::not_found::NotFoundMessage;
use crate::domain::{JobPhase, JobStatus, JobView, shorten};

/// The job's public view, or `None` for an unknown id.
#[server(prefix = "/api", endpoint = "page/job")]
pub async fn load_job(id: String) -> Result<Option<JobView>, ServerFnError> {
    use crate::service::{reports as api, state::AppState};
    let state = expect_context::<AppState>();
    api::job_view(&state, &id).await.map_err(|_| ServerFnError::new("Could not read the job."))
}

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let job = Resource::new(id, load_job);

    view! {
        <Transition fallback=|| view! { <section class="card"><p>"Loading…"</p></section> }>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(Some(view)) => view! { <LiveJob job=view/> }.into_any(),
                    Ok(None) => {
                        super::set_status(404);
                        view! {
                            <NotFoundMessage
                                title="No such request"
                                detail="This job doesn't exist, or finished more than a week ago and was cleaned up."
                            />
                        }
                            .into_any()
                    }
                    Err(_) => view! { <section class="card"><p role="alert">"Could not load this job. Reload to try again."</p></section> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The job as the page loaded it, then as its event stream tells.
#[component]
fn LiveJob(job: JobView) -> impl IntoView {
    let finished = job.status.is_finished();
    let id = job.id.clone();
    let live = RwSignal::new(job);
    // Effects run in the browser only, once the page is hydrated.
    Effect::new(move |started: Option<()>| {
        if started.is_none() && !finished {
            follow(&id, live);
        }
    });
    move || view! { <JobStatusCard job=live.get()/> }
}

/// Opens the job's event stream and shows each view it sends, until the
/// job ends (or the page is left). A stream closed for good (a refusal, or
/// one the browser stopped reconnecting) hands over to [`poll`].
#[cfg(feature = "hydrate")]
fn follow(id: &str, live: RwSignal<JobView>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new(&format!("/api/jobs/{id}/events")) else {
        poll(id.to_owned(), live, FIRST_POLL);
        return;
    };
    let stream = source.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let Some(view) =
            event.data().as_string().and_then(|text| serde_json::from_str::<JobView>(&text).ok())
        else {
            return;
        };
        let finished = view.status.is_finished();
        // A signal that is gone means the page was left: stop listening.
        let gone = live.try_set(view).is_some();
        if finished || gone {
            stream.close();
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let (stream, id) = (source.clone(), id.to_owned());
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        // While it reconnects the browser keeps the stream CONNECTING; a
        // refused stream (429) or one given up on is CLOSED and stays so.
        if stream.ready_state() == web_sys::EventSource::CLOSED {
            poll(id.clone(), live, FIRST_POLL);
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Both live as long as the stream (one per visit of the page).
    on_message.forget();
    on_error.forget();
}

/// The first wait before asking for the job's state without a stream; each
/// later wait is half as long again, up to [`LAST_POLL`].
#[cfg(feature = "hydrate")]
const FIRST_POLL: std::time::Duration = std::time::Duration::from_secs(2);
#[cfg(feature = "hydrate")]
const LAST_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// Asks for the job's state after `wait` (through the page's own server
/// function, which no stream limit counts), shows it, and asks again a
/// little later until the job ends or the page is left.
#[cfg(feature = "hydrate")]
fn poll(id: String, live: RwSignal<JobView>, wait: std::time::Duration) {
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                if let Ok(Some(view)) = load_job(id.clone()).await {
                    let finished = view.status.is_finished();
                    if live.try_set(view).is_some() || finished {
                        return;
                    }
                }
                poll(id, live, (wait * 3 / 2).min(LAST_POLL));
            });
        },
        wait,
    );
}

#[cfg(not(feature = "hydrate"))]
fn follow(_id: &str, _live: RwSignal<JobView>) {}

/// What went wrong, for a person: the stored error is for operators.
pub fn plain_error(error: &str) -> String {
    let lower = error.to_ascii_lowercase();
    let what =
        if lower.contains("rpc") && (lower.contains("did not answer") || lower.contains("could not reach")) {
            "The Solana network service we read wallets from did not answer in time."
        } else if lower.contains("rpc") && lower.contains("http 429") {
            "The Solana network service we read wallets from is busy and asked us to slow down."
        } else if lower.contains("rpc") {
            "The Solana network service we read wallets from kept failing."
        } else if lower.starts_with("mail") {
            "We could not deliver the email with your link."
        } else if lower.contains("email address was already erased") {
            "Your email address had already been erased, so there was nowhere to send the link."
        } else {
            "Something went wrong on our side."
        };
    format!("{what} Nothing is wrong with your wallet; please try again in a few minutes.")
}

/// What a running job held back by its RPC provider's rate limits tells
/// the person waiting.
pub fn provider_wait_note(secs: u32) -> String {
    let rest = match secs {
        0..=59 => format!("about {} s", secs.max(1)),
        60..=3599 => {
            let (minutes, seconds) = (secs / 60, secs % 60);
            if seconds == 0 {
                format!("about {minutes} min")
            } else {
                format!("about {minutes} min {seconds} s")
            }
        }
        _ => format!("about {} h {} min", secs / 3600, secs % 3600 / 60),
    };
    format!(
        "Waiting for the Solana RPC provider, which limits how fast we may read: the rest should take {rest}."
    )
}

#[component]
fn JobStatusCard(job: JobView) -> impl IntoView {
    let finished = job.status.is_finished();
    let percent = if job.progress_total > 0 {
        (u64::from(job.progress_done) * 100 / u64::from(job.progress_total)).min(100)
    } else {
        0
    };
    let headline = match job.status {
        JobStatus::Queued => "Waiting for a worker…",
        JobStatus::Running if job.progress_phase == JobPhase::FollowingLinks => {
            "Following the wallet's links…"
        }
        JobStatus::Running => "Reading the wallet's history…",
        JobStatus::Succeeded => "Your report is ready",
        JobStatus::Dead if job.mail_refused => "Your report is ready, but we could not email it",
        JobStatus::Dead => "We could not finish this report",
    };
    let detail = match (job.status, job.queue_position) {
        (JobStatus::Queued, Some(0)) => "You're next in line.".to_owned(),
        (JobStatus::Queued, Some(n)) => {
            format!("{n} request{} ahead of yours.", if n == 1 { "" } else { "s" })
        }
        (JobStatus::Queued, None) => String::new(),
        (JobStatus::Running, _) if job.progress_phase == JobPhase::FollowingLinks => format!(
            "Following links {}/{}: reading the wallets it is tied to.",
            job.progress_done, job.progress_total
        ),
        (JobStatus::Running, _) if job.progress_total > 0 => {
            format!("{} of {} transactions fetched.", job.progress_done, job.progress_total)
        }
        (JobStatus::Running, _) => "Looking up the wallet's signatures.".to_owned(),
        (JobStatus::Succeeded, _) => "We've also emailed you the link.".to_owned(),
        (JobStatus::Dead, _) if job.mail_refused => {
            "The receiving mail server refused the address you gave, so no email was sent; we have erased the address. The report itself is below.".to_owned()
        }
        (JobStatus::Dead, _) => {
            format!("We tried {} time(s). Nothing was sent and no report was made.", job.attempts)
        }
    };
    let retrying =
        (!finished && job.attempts > 1).then(|| job.error.clone()).flatten().map(|e| plain_error(&e));
    let provider_wait =
        job.provider_wait_secs.filter(|_| job.status == JobStatus::Running).map(provider_wait_note);
    let progress_label = match job.progress_phase {
        JobPhase::Fetching => "Transactions fetched",
        JobPhase::FollowingLinks => "Links followed",
    };
    let report_path = format!("/report/{}", job.wallet);
    view! {
        <Title text=format!("Report request for {}", shorten(&job.wallet))/>
        <Meta name="robots" content="noindex"/>
        {(!finished).then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="2">"#></noscript> })}
        <section class="card job-card" aria-live="polite">
            <p class="eyebrow">"Report request"</p>
            <h1>{headline}</h1>
            <p class="mono wallet-line">{job.wallet.clone()}</p>
            <div class="status-row">
                <span class=format!("status-pill status-{}", job.status.as_str())>{job.status.label()}</span>
                <span class="muted">{detail}</span>
            </div>
            {(!finished).then(|| view! {
                // A native progress bar: accessible as it is, and styled
                // without inline styles (which a strict CSP forbids).
                <progress class="progress" max="100" value=percent.to_string() aria-label=progress_label>
                    {format!("{percent}%")}
                </progress>
            })}
            {provider_wait.map(|note| view! { <p class="notice provider-wait">{note}</p> })}
            {retrying.map(|error| view! {
                <p class="notice">"The last attempt failed and will be retried. " {error}</p>
            })}
            {(job.status == JobStatus::Dead && job.mail_refused).then(|| {
                let technical = job.error.clone().unwrap_or_else(|| "unknown error".into());
                view! {
                    <p class="notice error" role="alert">
                        "The report was made, but the receiving mail server refused the address, so we could not email you the link. Keep this page's link, or open the report now."
                    </p>
                    <details class="technical">
                        <summary>"Technical detail"</summary>
                        <p class="mono small">{technical}</p>
                    </details>
                    <p><A href=report_path.clone() attr:class="button primary">"Open the report"</A></p>
                }
            })}
            {(job.status == JobStatus::Dead && !job.mail_refused).then(|| {
                let technical = job.error.clone().unwrap_or_else(|| "unknown error".into());
                view! {
                    <p class="notice error" role="alert">{plain_error(&technical)}</p>
                    <details class="technical">
                        <summary>"Technical detail"</summary>
                        <p class="mono small">{technical}</p>
                    </details>
                    <p><A href=format!("/?wallet={}", job.wallet) attr:class="button">"Try again"</A></p>
                }
            })}
            {(job.status == JobStatus::Succeeded).then(|| view! {
                <p><A href=report_path.clone() attr:class="button primary">"Open the report"</A></p>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_errors_are_told_in_plain_words() {
        assert!(
            plain_error("Solana RPC: RPC endpoint a.example answered HTTP 503")
                .starts_with("The Solana network service we read wallets from kept failing.")
        );
        assert!(
            plain_error("Solana RPC: RPC endpoint a.example did not answer within 20s")
                .contains("did not answer in time")
        );
        assert!(plain_error("mail: 550 mailbox unavailable").starts_with("We could not deliver the email"));
        assert!(plain_error("database is locked").starts_with("Something went wrong on our side."));
    }

    #[test]
    fn the_providers_wait_is_told_in_minutes_and_seconds() {
        assert!(provider_wait_note(0).ends_with("about 1 s."));
        assert!(provider_wait_note(42).ends_with("about 42 s."));
        assert!(provider_wait_note(120).ends_with("about 2 min."));
        assert!(provider_wait_note(263).ends_with("about 4 min 23 s."));
        assert!(provider_wait_note(7_500).ends_with("about 2 h 5 min."));
        assert!(provider_wait_note(5).starts_with("Waiting for the Solana RPC provider"));
    }
}
