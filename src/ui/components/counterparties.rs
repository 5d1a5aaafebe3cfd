//! The wallets this one deals with most: each with its explorer link, its
//! label when it is a known entity, its transfers and its share of all the
//! wallet's transfers as a bar (SVG attributes, so no inline styles).

use leptos::prelude::*;

use super::explorer::AddressLink;
use crate::domain::CounterpartyShare;

/// "12.5%" from tenths of a percent.
pub fn percent(permille: u16) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

#[component]
pub fn TopCounterparties(counterparties: Vec<CounterpartyShare>) -> impl IntoView {
    if counterparties.is_empty() {
        return view! { <p class="muted">"No transfers with other wallets."</p> }.into_any();
    }
    let rows = counterparties
        .into_iter()
        .map(|c| {
            let share = percent(c.share_permille);
            let width = f64::from(c.share_permille.min(1000)) / 10.0;
            view! {
                <li class="counterparty">
                    <div class="counterparty-who">
                        <AddressLink address=c.address/>
                        {match c.label {
                            Some(label) => view! { <span class="entity-label">{label}</span> }.into_any(),
                            None => view! { <span class="muted small">"unlabelled"</span> }.into_any(),
                        }}
                    </div>
                    <svg class="share-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                        <rect class="share-track" width="100" height="6" rx="3"/>
                        <rect class="share-fill" width=format!("{width:.1}") height="6" rx="3"/>
                    </svg>
                    <p class="counterparty-numbers small">
                        {format!("{} transfer{} · {share} of all transfers", c.transfers, if c.transfers == 1 { "" } else { "s" })}
                    </p>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="counterparties">{rows}</ol> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages_with_one_decimal() {
        assert_eq!(percent(0), "0.0%");
        assert_eq!(percent(74), "7.4%");
        assert_eq!(percent(1000), "100.0%");
    }
}
