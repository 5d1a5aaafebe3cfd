//! Links to a public Solana explorer for signatures and addresses. They open
//! without a referrer, so the explorer can't tell which report they came from.

use leptos::prelude::*;

use crate::domain::shorten;

pub const EXPLORER: &str = "https://solscan.io";

pub fn transaction_url(signature: &str) -> String {
    format!("{EXPLORER}/tx/{signature}")
}

pub fn account_url(address: &str) -> String {
    format!("{EXPLORER}/account/{address}")
}

/// A shortened signature linking to its transaction.
#[component]
pub fn TransactionLink(signature: String) -> impl IntoView {
    view! {
        <a class="mono" href=transaction_url(&signature) rel="noopener noreferrer nofollow" target="_blank" title=signature.clone()>
            {shorten(&signature)}
            <span class="visually-hidden">" (opens the explorer)"</span>
        </a>
    }
}

/// A shortened address linking to its account page.
#[component]
pub fn AddressLink(address: String) -> impl IntoView {
    view! {
        <a class="mono" href=account_url(&address) rel="noopener noreferrer nofollow" target="_blank" title=address.clone()>
            {shorten(&address)}
            <span class="visually-hidden">" (opens the explorer)"</span>
        </a>
    }
}
