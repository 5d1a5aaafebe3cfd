//! The page for anything that isn't there, served with a real 404.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    super::set_status(404);
    view! { <NotFoundMessage title="Page not found" detail="There is nothing at this address."/> }
}

/// The 404 body, also used by pages whose item is missing.
#[component]
pub fn NotFoundMessage(title: &'static str, #[prop(into)] detail: String) -> impl IntoView {
    view! {
        <Title text=title/>
        <Meta name="robots" content="noindex"/>
        <section class="card centered">
            <p class="eyebrow">"404"</p>
            <h1>{title}</h1>
            <p>{detail}</p>
            <p><A href="/" attr:class="button primary">"Analyse a wallet"</A></p>
        </section>
    }
}
