//! `/privacy`: what Kimiko keeps, and for how long.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <Title text="What we keep"/>
        <Meta name="description" content="What Kimiko keeps and for how long: the report for 24 hours, your email address only until the link is sent."/>
        <article class="card prose">
            <h1>"What we keep"</h1>
            <h2>"Your email address"</h2>
            <p>
                "We use it for one thing: to send you the link to your report. It is erased the moment our mail server "
                "hands the message on. It never appears on a page, in a link, in our logs or in our metrics. "
                "To stop one person from flooding another's inbox, we count requests per address for 24 hours — "
                "using a keyed hash of the address, not the address itself."
            </p>
            <p>
                "If sending fails for good (the mail server is down for longer than our retries), we keep the address for "
                "up to three days so the message can still be sent once the server is back, and then erase it. "
                "If the receiving mail server refuses the address itself, we erase it at once; the request's page "
                "then links your report instead."
            </p>
            <p>
                "A copy of Kimiko run without a mail server (a developer's, or a test site's) writes each message to a "
                "file for its operator to send on. That file holds your address until it is deleted: 24 hours after "
                "it was written, unless the operator set a shorter or longer time (at most 30 days)."
            </p>
            <h2>"Your report"</h2>
            <p>
                "The report is built only from public on-chain data. It is kept for 24 hours, so the link in your mail "
                "works and can be shared, and then deleted. The report page never says who asked for it."
            </p>
            <p>
                "Anyone with the link can read the report and its preview card — they show only what the chain already "
                "shows to everyone. Asking for a fresh analysis replaces the report; the old one is gone from our "
                "database and memory at once."
            </p>
            <p>
                "So that the next report of the same wallet can show what changed, we keep what its last report said — "
                "the score, the grade, the date and each finding's title and severity, all public — for a year after "
                "that report. Never who asked, never an email address. A .sol name you asked by is public too: the "
                "report says which name led to it."
            </p>
            <h2>"What we never see"</h2>
            <p>"Your seed phrase or private keys. Kimiko never asks for them and never needs them — nobody does."</p>
        </article>
    }
}
