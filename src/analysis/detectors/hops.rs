//! Exposure beyond one hop: an exchange at the far end of the wallet's
//! funding chain, and payments into someone's exchange deposit address.
//! Both read the lookups of other addresses made for the report
//! (`analysis::hops`) and stay quiet without them.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence;
use crate::analysis::hops::{ChainEnd, Hop, deposit_addresses, funding_chain};
use crate::analysis::time::format_utc;
use crate::domain::history::{Transaction, Transfer};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const INDIRECT_EXCHANGE: Detector = Detector { info: &INDIRECT_EXCHANGE_INFO, detect: indirect_exchange };
pub const EXCHANGE_DEPOSIT: Detector = Detector { info: &EXCHANGE_DEPOSIT_INFO, detect: exchange_deposit };
pub const VIA_HUB: Detector = Detector { info: &VIA_HUB_INFO, detect: via_hub };

static INDIRECT_EXCHANGE_INFO: DetectorInfo = DetectorInfo {
    id: "funding.indirect_exchange",
    title: "Funded from an exchange through other wallets",
    category: Category::Funding,
    looks_at: "The wallet's first funder, then who funded that funder, and so on up to KIMIKO_HOPS hops (3 by default), from a short page of each funder's history read within the report's request budget. A hop is followed only where the money passed through: the funder received SOL whose amount matches what it passed on from both sides (each at least half the other) before it passed it on. Fires when the chain reaches a labelled exchange two or more hops away: 15 points (high) two hops away when at every step the money was passed on within 6 hours; 70% of that three hops away and half further out. When at some step it sat for longer (up to 7 days) the finding is at most low (30% of those). Money kept longer, or amounts that do not match, end the chain, and so does a funder that looks like a hub (see the payout hub note).",
    severity: Severity::High,
    max_penalty: 15,
    limits: "Only each funder's last transactions before it funded the next (and its first, for a new wallet) are read, so a busy funder may hide where its money came from. The chain is never followed through a program-derived address, a known service other than an exchange, a hub or the wallet's own accounts, never uses a lookup that was cut short or could not be fully read, and stops at the request budget (the report then says it stopped early). Funding straight from an exchange is the funding source finding instead.",
};

static EXCHANGE_DEPOSIT_INFO: DetectorInfo = DetectorInfo {
    id: "counterparty.exchange_deposit",
    title: "Pays into an exchange deposit address",
    category: Category::Counterparty,
    looks_at: "The two unlabelled addresses the wallet pays most, each with a short page of its recent history. One that only receives payments and forwards (sweeps) them to one labelled exchange within a day is a deposit address at that exchange, tied to a verified customer: 25 points (high) when a sweep follows this wallet's own payment, 20 when the sweeps seen follow other payments.",
    severity: Severity::High,
    max_penalty: 25,
    limits: "Only the recent history of the top two payees is read, within the report's request budget: a deposit address that also does other things, sweeps outside that page, or sweeps to an exchange wallet missing from the label set is not recognised.",
};

fn indirect_exchange(ctx: &Context) -> Option<Finding> {
    let chain = funding_chain(ctx)?;
    let ChainEnd::Exchange(exchange) = chain.end else {
        return None;
    };
    // One hop is a withdrawal straight from the exchange: `funding.source`.
    let distance = u8::try_from(chain.hops.len()).ok().filter(|hops| *hops >= 2)?;
    let direct = chain.direct();
    let by_distance: u8 = match distance {
        2 => 100,
        3 => 70,
        _ => 50,
    };
    // Money that sat with a funder for days may not be the same money:
    // at most low.
    let strength = if direct { by_distance } else { by_distance / 10 * 3 };
    let severity = match strength {
        90.. => Severity::High,
        50.. => Severity::Medium,
        _ => Severity::Low,
    };
    let mut confidence = exchange.confidence.min(85).saturating_sub((distance - 2).saturating_mul(10));
    if ctx.history.history_truncated {
        confidence = confidence.saturating_sub(20);
    }
    let path: Vec<String> = chain.hops.iter().rev().map(|hop| step(ctx, hop)).collect();
    let how = if direct {
        "At every step a matching amount was passed on within hours, so the trail is easy to follow."
    } else {
        "At some step the money sat for days before a matching amount was passed on, so the trail is weaker, but it is public."
    };
    let mut evidence = vec![Evidence::count("hops to the exchange", distance)];
    for hop in &chain.hops {
        let n = hop.index;
        evidence.push(evidence::address(ctx, format!("hop {n}: funder"), hop.funder));
        evidence.push(Evidence::signature(format!("hop {n}: transaction"), hop.signature));
        evidence.push(Evidence::amount(format!("hop {n}: amount"), evidence::sol(hop.lamports)));
        if let Some(at) = hop.block_time {
            evidence.push(Evidence::time(format!("hop {n}: time"), format_utc(at)));
        }
    }
    Some(
        INDIRECT_EXCHANGE_INFO
            .finding(severity, strength)
            .about(ctx.party(chain.hops.last().expect("two hops or more").funder))
            .confidence(confidence)
            .explanation(format!(
                "Following this wallet's money back: {} → this wallet. {} is an exchange {distance} hops away: it knows which customer withdrew, and every step from that withdrawal to this wallet is public. {how}",
                path.join(" → "),
                exchange.name,
            ))
            .recommendation(
                "Passing money through a wallet of your own (or a friend's) does not hide where it came from. Fund a wallet you want kept private from a source with no public trail to your exchange account, in amounts and at times that don't match a withdrawal.",
            )
            .evidence(evidence)
            .build(),
    )
}

/// "Binance (2.5 SOL, 2026-10-01 09:00 UTC)": who sent a hop's money, and when.
fn step(ctx: &Context, hop: &Hop) -> String {
    let when = hop.block_time.map(|at| format!(", {}", format_utc(at))).unwrap_or_default();
    format!("{} ({}{when})", evidence::name(ctx, hop.funder), evidence::sol(hop.lamports))
}

fn exchange_deposit(ctx: &Context) -> Option<Finding> {
    let deposits = deposit_addresses(ctx);
    let deposit = deposits.first()?;
    let (strength, confidence) = if deposit.sweeps_wallets_payment { (100, 85) } else { (80, 70) };
    let name = &deposit.exchange.name;
    let seen = if deposit.sweeps_wallets_payment {
        "Kimiko saw this wallet's own payment swept on."
    } else {
        "The sweeps Kimiko saw followed other payments into it."
    };
    let mut evidence = vec![
        evidence::address_noting(ctx, "deposit address", deposit.address, format!("forwards to {name}")),
        evidence::address(ctx, "exchange wallet it sweeps to", deposit.exchange_address),
    ];
    evidence.extend(money("payment into it", &deposit.payments));
    evidence.extend(money("received", &deposit.received));
    evidence.extend(money("sweep to the exchange", &deposit.sweeps));
    for other in &deposits[1..] {
        evidence.push(evidence::address_noting(
            ctx,
            "another deposit address it pays",
            other.address,
            format!("forwards to {}", other.exchange.name),
        ));
    }
    Some(
        EXCHANGE_DEPOSIT_INFO
            .finding(Severity::High, strength)
            .about(ctx.party(deposit.address))
            .confidence(confidence)
            .explanation(format!(
                "This wallet pays {} ({}), an address that does nothing but forward what it receives to {name} soon after: it is a deposit address at {name}, which knows the verified customer it belongs to. {seen} Payments into it tie this wallet to that person's exchange account.",
                evidence::short(deposit.address),
                evidence::plural(deposit.payments.len(), "payment"),
            ))
            .recommendation(
                "Don't pay an exchange deposit address (yours or anyone's) from a wallet you want kept private: send through a wallet with no link to this one, or keep exchange deposits to a wallet that is already public.",
            )
            .evidence(evidence)
            .build(),
    )
}

/// Signature, amount and time of up to [`evidence::MAX_SIGNATURES`]
/// transfers, oldest first.
fn money(label: &str, transfers: &[(&Transaction, &Transfer)]) -> Vec<Evidence> {
    transfers
        .iter()
        .take(evidence::MAX_SIGNATURES)
        .map(|(tx, transfer)| {
            let amount = evidence::amount(transfer.amount, transfer.decimals, transfer.mint.as_deref());
            let detail = match tx.block_time {
                Some(at) => format!("{amount}, {}", format_utc(at)),
                None => amount,
            };
            Evidence::signature(label, tx.signature.as_str()).with_detail(detail)
        })
        .collect()
}

static VIA_HUB_INFO: DetectorInfo = DetectorInfo {
    id: "funding.hub",
    title: "Funded by a payout hub",
    category: Category::Funding,
    looks_at: "The funding chain (see \"Funded from an exchange through other wallets\") stops at a funder that looks like a hub: one that paid 3 or more other wallets in the day before it paid the next address on the chain, or whose last 10 transactions before that payment all fell within 15 minutes. A game, an employer, an airdrop distributor or a service pays many wallets; whoever tops it up (an exchange, say) knows the hub, not this wallet. Reported as a note (no points), naming the hub.",
    severity: Severity::Info,
    max_penalty: 0,
    limits: "Only the hub's transactions just before it paid the chain's next address are read: a hub that had paid few wallets yet, at a calm moment, looks like an ordinary funder and the chain goes on (with the usual rules for a hop).",
};

fn via_hub(ctx: &Context) -> Option<Finding> {
    let chain = funding_chain(ctx)?;
    let ChainEnd::Hub(hub) = &chain.end else {
        return None;
    };
    let hop = chain.hops.last().expect("a chain has its first hop");
    let who = evidence::name(ctx, hub.address);
    let topped_up = hub.topped_up_by.map(|from| {
        let name = evidence::name(ctx, from);
        match ctx.label(from) {
            Some(label) => format!(
                " It is topped up by {name} (a known {}), which knows the hub, not the wallets it pays.",
                label.kind.describe()
            ),
            None => format!(" It was last topped up by {name}."),
        }
    });
    let whose = if hop.index == 1 {
        "This wallet's".to_owned()
    } else {
        format!("Hop {} of this wallet's", hop.index)
    };
    let mut evidence = vec![
        evidence::address_noting(ctx, "payout hub", hub.address, hub.sign()),
        Evidence::signature("its payment on the chain", hop.signature),
        Evidence::amount("amount", evidence::sol(hop.lamports)),
    ];
    if let Some(from) = hub.topped_up_by {
        evidence.push(evidence::address(ctx, "topped up by", from));
    }
    Some(
        VIA_HUB_INFO
            .finding(Severity::Info, 0)
            .about(ctx.party(hub.address))
            .confidence(70)
            .explanation(format!(
                "{whose} funding chain comes from {who}, which {}: a hub (a game, an employer, an airdrop distributor or a service), not money passed on to this wallet in particular. Kimiko does not follow the chain past it.{}",
                hub.sign(),
                topped_up.unwrap_or_default()
            ))
            .recommendation("Nothing to fix: being paid by a hub that pays many wallets says little about you. The hub itself knows which wallet it paid, as any payer does.")
            .evidence(evidence)
            .build(),
    )
}
