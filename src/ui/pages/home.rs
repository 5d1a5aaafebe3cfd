//! `/`: the request form. With JavaScript it submits in place and moves to
//! the job page; without, it is a plain form post that ends on the job page
//! (or comes back with the messages beside the fields).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::ui::components::request_form::{RefusedForm, RequestForm};

#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let prefill = use_context::<RefusedForm>()
        .map(|r| r.wallet)
        .or_else(|| query.read_untracked().get("wallet"))
        .unwrap_or_default();

    view! {
        <Title text="How exposed is your Solana wallet?"/>
        // Each page says what it is; a report page's description is its findings.
        <Meta name="description" content="How exposed is your Solana wallet? Kimiko reads its public history and tells you what links it to you, with evidence and advice."/>
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
            <RequestForm wallet=prefill submit_label="Analyse my wallet"/>
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
                <p>"The report, for 24 hours (and its score and findings, to show what changed next time). Your email address only until the link is sent."</p>
            </div>
        </section>
    }
}
