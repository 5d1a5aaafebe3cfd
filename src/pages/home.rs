//! `/`: the request form. With JavaScript it submits in place and moves to
//! the job page; without, it is a plain form post that ends on the job page
//! (or comes back with the messages beside the fields).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::domain::RequestReportError;

/// The form's fixed endpoint (also the no-JavaScript form's `action`).
pub const REQUEST_REPORT_PATH: &str = "/api/request-report";

/// Queues a report for `wallet`, to be mailed to `email`.
#[server(prefix = "/api", endpoint = "request-report")]
pub async fn request_report(wallet: String, email: String) -> Result<String, RequestReportError> {
    use crate::server::{http, state::AppState, submit};
    let state = expect_context::<AppState>();
    let client_ip = http::client_ip_from_context(&state);
    match submit::request_report(&state, &wallet, &email, client_ip).await {
        Ok(id) => {
            leptos_axum::redirect(&format!("/jobs/{id}"));
            Ok(id.to_string())
        }
        Err(error) => {
            http::set_error_status(&state.settings, &error);
            Err(error)
        }
    }
}

/// A refused no-JavaScript post, re-rendered into the page: what to show
/// beside the fields and the wallet to put back (the email is never echoed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedForm {
    pub wallet: String,
    pub error: RequestReportError,
}

#[component]
pub fn HomePage() -> impl IntoView {
    let action = ServerAction::<RequestReport>::new();
    let refused = use_context::<RefusedForm>();
    let query = use_query_map();

    let prefill = refused
        .as_ref()
        .map(|r| r.wallet.clone())
        .or_else(|| query.read_untracked().get("wallet"))
        .unwrap_or_default();
    let refused_error = refused.map(|r| r.error);
    // The server function's answer once the form was submitted with
    // JavaScript; before that, a refused plain post rendered on the server.
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => refused_error.clone(),
    });
    let field_errors = Signal::derive(move || error.get().map(|e| e.field_errors()).unwrap_or_default());
    let wallet_error = Signal::derive(move || field_errors.get().wallet);
    let email_error = Signal::derive(move || field_errors.get().email);
    let form_error = Signal::derive(move || error.get().and_then(|e| e.form_message()));
    let pending = action.pending();

    view! {
        <Title text="How exposed is your Solana wallet?"/>
        <section class="hero">
            <h1>"How exposed is your Solana wallet?"</h1>
            <p class="lede">
                "Everything a wallet does on Solana is public. Kimiko reads your wallet's history and shows what ties it to "
                <strong>"you"</strong>
                ", to exchanges, to your other wallets and to your time zone — with the evidence, and what to do about each."
            </p>
        </section>
        <section class="card form-card" aria-labelledby="form-title">
            <h2 id="form-title">"Get your privacy report"</h2>
            <ActionForm action attr:novalidate=true attr:class="request-form">
                <div class="field" class:has-error=move || wallet_error.get().is_some()>
                    <label for="wallet">"Solana wallet address"</label>
                    <input
                        id="wallet"
                        name="wallet"
                        type="text"
                        inputmode="text"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        maxlength="100"
                        required
                        placeholder="e.g. 7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5"
                        value=prefill
                        aria-invalid=move || wallet_error.get().is_some().to_string()
                        aria-describedby="wallet-hint wallet-error"
                    />
                    <p id="wallet-hint" class="hint">"Your public address. Never your seed phrase or private key."</p>
                    <p id="wallet-error" class="field-error" role="alert">{wallet_error}</p>
                </div>
                <div class="field" class:has-error=move || email_error.get().is_some()>
                    <label for="email">"Email for the report link"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="email"
                        maxlength="254"
                        required
                        placeholder="you@example.com"
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="email-hint email-error"
                    />
                    <p id="email-hint" class="hint">"Used once to send the link, then erased."</p>
                    <p id="email-error" class="field-error" role="alert">{email_error}</p>
                </div>
                <p class="form-error" role="alert">{form_error}</p>
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Queuing…" } else { "Analyse my wallet" }}
                </button>
            </ActionForm>
        </section>
        <section class="explainer">
            <div>
                <h3>"What we look at"</h3>
                <p>"Exchanges and bridges you've used, who funded the wallet, who you transact with, memos, fee payers, timing, amounts — up to your last 1,000 transactions."</p>
            </div>
            <div>
                <h3>"What you get"</h3>
                <p>"A score from 0 to 100, each finding with its evidence and a concrete fix, on a page you can share."</p>
            </div>
            <div>
                <h3>"What we keep"</h3>
                <p>"The report, for 24 hours. Your email address only until the link is sent."</p>
            </div>
        </section>
    }
}
