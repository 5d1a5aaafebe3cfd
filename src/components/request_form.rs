//! The report request form, on the home page and (for a fresh analysis) on
//! a report page: one form, one endpoint, the same limits. With JavaScript
//! it submits in place and moves to the job page; without, it is a plain
//! form post that ends on the job page (or on the home page with the
//! messages beside the fields).

use leptos::prelude::*;

use crate::pages::home::{RefusedForm, RequestReport};

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

    let wallet_field = if wallet_fixed {
        view! { <input type="hidden" name="wallet" value=wallet/> }.into_any()
    } else {
        view! {
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
                    value=wallet
                    aria-invalid=move || wallet_error.get().is_some().to_string()
                    aria-describedby="wallet-hint wallet-error"
                />
                <p id="wallet-hint" class="hint">"Your public address. Never your seed phrase or private key."</p>
                <p id="wallet-error" class="field-error" role="alert">{wallet_error}</p>
            </div>
        }
        .into_any()
    };

    view! {
        <ActionForm action attr:novalidate=true attr:class="request-form">
            {wallet_field}
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
                {move || if pending.get() { "Queuing…" } else { submit_label }}
            </button>
        </ActionForm>
    }
}
