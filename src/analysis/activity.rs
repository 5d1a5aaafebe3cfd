//! The numbers behind the report's charts: when the wallet is active and
//! with whom.

use std::collections::BTreeMap;

use super::context::Context;
use super::time;
use crate::domain::{Activity, CounterpartyShare, MonthCount};

/// How many counterparties the report lists.
pub const TOP_COUNTERPARTIES: usize = 8;

pub fn activity(ctx: &Context) -> Activity {
    let mut by_hour_utc = vec![0u32; 24];
    let mut by_weekday_utc = vec![0u32; 7];
    let mut by_month: BTreeMap<String, u32> = BTreeMap::new();
    for unix in ctx.block_times() {
        by_hour_utc[time::hour_utc(unix)] += 1;
        by_weekday_utc[time::weekday_utc(unix)] += 1;
        *by_month.entry(time::month_key(unix)).or_default() += 1;
    }
    let total = ctx.total_transfers().max(1);
    let top_counterparties = ctx
        .counterparties()
        .iter()
        .take(TOP_COUNTERPARTIES)
        .map(|c| CounterpartyShare {
            address: c.address.to_owned(),
            label: ctx.label(c.address).map(|l| l.name.clone()),
            transfers: c.transfers(),
            share_permille: u16::try_from(u64::from(c.transfers()) * 1000 / u64::from(total)).unwrap_or(1000),
        })
        .collect();
    Activity {
        by_hour_utc,
        by_weekday_utc,
        by_month: by_month.into_iter().map(|(month, count)| MonthCount { month, count }).collect(),
        top_counterparties,
    }
}
