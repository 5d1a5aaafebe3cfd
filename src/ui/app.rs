//! The HTML shell and the routes. Pages that must work without JavaScript
//! and show their data to crawlers and chat previews render with
//! `SsrMode::Async`: the whole page, data included, in the first response.

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
    path,
};

use crate::ui::pages::{
    home::HomePage, job::JobPage, methodology::MethodologyPage, not_found::NotFound, privacy::PrivacyPage,
    report::ReportPage,
};

/// The document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="kimiko-css" href="/pkg/kimiko.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|title: String| if title.is_empty() { "Kimiko".to_owned() } else { format!("{title} · Kimiko") }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◐"</span>
                    " Kimiko"
                </A>
                <nav aria-label="Site">
                    <A href="/methodology">"How it works"</A>
                    <A href="/privacy">"What we keep"</A>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=path!("/jobs/:id") view=JobPage ssr=SsrMode::Async/>
                    <Route path=path!("/report/:wallet") view=ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/methodology") view=MethodologyPage ssr=SsrMode::Async/>
                    <Route path=path!("/privacy") view=PrivacyPage/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    "Kimiko reads only public on-chain data. "
                    <A href="/privacy">"Your email address is erased once your report is sent."</A>
                </p>
            </footer>
        </Router>
    }
}
