//! The report request form, on the home page and (for a fresh analysis) on
//! a report page: one form, one endpoint, the same limits. With JavaScript
//! it submits in place and moves to the job page; without, it is a plain
//! form post that ends on the job page (or on the home page with the
//! messages beside the fields).

use leptos::prelude::*;

use crate::domain::RequestReportError;

/// The form's fixed endpoint (also the no-JavaScript form's `action`).
pub const REQUEST_REPORT_PATH: &str = "/api/request-report";

/// Queues a report for `wallet`, to be mailed to `email`; `refresh` (sent by a
/// report page's fresh-analysis form) asks for a new analysis even while the
/// stored report is current.
#[server(prefix = "/api", endpoint = "request-report")]
pub async fn request_report(
    wallet: String,
    email: String,
    refresh: Option<String>,
) -> Result<String, RequestReportError> {
    use crate::service::{refusal, state::AppState, submit};
    let state = expect_context::<AppState>();
    let client_ip = refusal::client_ip_from_context(&state);
    let input = submit::FormInput { wallet: &wallet, email: &email, refresh: refresh.is_some() };
    match submit::request_report(&state, input, client_ip).await {
        Ok(id) => {
            leptos_axum::redirect(&format!("/jobs/{id}"));
            Ok(id.to_string())
        }
        Err(error) => {
            refusal::set_error_status(&state.settings, &error);
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
pub fn RequestForm(
    /// The wallet to fill in.
    #[prop(into)]
    wallet: String,
    /// Send `wallet` as a hidden field instead of asking for it.
    #[prop(optional)]
    wallet_fixed: bool,
    submit_label: &'static str,
) -> impl IntoView {
    let action = ServerAction::<RequestReport>::new();
    // A refused no-JavaScript post, re-rendered on the server.
    let refused_error = use_context::<RefusedForm>().map(|r| r.error);
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
    // With the wallet fixed, its error (if any) is the form's.
    let form_error = Signal::derive(move || {
        let form = error.get().and_then(|e| e.form_message());
        if wallet_fixed { form.or_else(|| wallet_error.get()) } else { form }
    });
    let pending = action.pending();

    // A fixed wallet is a report page's "Ask for a fresh analysis": it asks
    // for a new analysis even while the stored report is current.
    let wallet_field = if wallet_fixed {
        view! {
            <input type="hidden" name="wallet" value=wallet/>
            <input type="hidden" name="refresh" value="1"/>
        }
        .into_any()
    } else {
        view! {
            <Field
                name="wallet"
                label="Solana wallet address or .sol name"
                hint="Your public address, or a .sol name such as bonfida.sol. Never your seed phrase or private key."
                input_type="text"
                autocomplete="off"
                maxlength=100
                placeholder="e.g. 7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5"
                value=wallet
                error=wallet_error
            />
        }
        .into_any()
    };

    view! {
        <ActionForm action attr:novalidate=true attr:class="request-form">
            {wallet_field}
            <Field
                name="email"
                label="Email for the report link"
                hint="Used once to send the link, then erased."
                input_type="email"
                autocomplete="email"
                maxlength=254
                placeholder="you@example.com"
                value=String::new()
                error=email_error
            />
            <p class="form-error" role="alert">{form_error}</p>
            <button type="submit" class="button primary" disabled=move || pending.get()>
                {move || if pending.get() { "Queuing…" } else { submit_label }}
            </button>
        </ActionForm>
    }
}

/// One labelled input with its hint and the server's message about it.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    maxlength: u16,
    placeholder: &'static str,
    value: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described_by = format!("{hint_id} {error_id}");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=input_type
                autocomplete=autocomplete
                autocapitalize="off"
                spellcheck="false"
                maxlength=maxlength.to_string()
                required
                placeholder=placeholder
                value=value
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described_by
            />
            <p id=hint_id class="hint">{hint}</p>
            <p id=error_id class="field-error" role="alert">{error}</p>
        </div>
    }
}
