//! Direct transfers with labelled addresses: exchanges (which hold identity
//! documents), bridges, privacy protocols and other known services.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::labels::LabelKind;
use crate::domain::{Category, Evidence, Finding, Severity};

use super::MAX_SIGNATURES;

pub const EXCHANGE: Detector = Detector {
    info: &EXCHANGE_INFO,
    detect: exchange,
};
pub const BRIDGE: Detector = Detector {
    info: &BRIDGE_INFO,
    detect: bridge,
};
pub const PRIVACY_PROTOCOL: Detector = Detector {
    info: &PRIVACY_PROTOCOL_INFO,
    detect: privacy_protocol,
};
pub const OTHER: Detector = Detector {
    info: &OTHER_INFO,
    detect: other,
};

static EXCHANGE_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.exchange",
    title: "Direct transfers with an exchange",
    category: Category::KnownEntity,
    looks_at: "SOL and token transfers between the wallet and addresses labelled as centralised exchanges.",
    severity: Severity::High,
    max_penalty: 25,
    limits: "Only addresses in the label set are recognised; exchanges rotate deposit addresses, so an unlabelled deposit address is missed.",
};

static BRIDGE_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.bridge",
    title: "Transfers through a cross-chain bridge",
    category: Category::KnownEntity,
    looks_at: "Transfers to or from, and programs of, labelled bridges.",
    severity: Severity::Medium,
    max_penalty: 10,
    limits: "Links the wallet to an address on another chain only when the bridge's message is public, which Kimiko does not follow.",
};

static PRIVACY_PROTOCOL_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.privacy_protocol",
    title: "Use of a privacy protocol",
    category: Category::KnownEntity,
    looks_at: "Transfers to or from, and programs of, labelled privacy protocols.",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Using a privacy tool is not itself a leak, but deposits and withdrawals of matching amounts close together can be linked.",
};

static OTHER_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.other",
    title: "Interaction with a known service",
    category: Category::KnownEntity,
    looks_at: "Transfers with labelled addresses that are not exchanges, bridges or privacy protocols (MEV tip accounts, custodians, services).",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Only as good as the label set.",
};

fn exchange(ctx: &Context) -> Option<Finding> {
    entity_finding(
        ctx,
        &EXCHANGE_INFO,
        &[LabelKind::Exchange],
        |names, transfers| {
            let strength = if transfers >= 3 { 100 } else { 70 };
            (
            Severity::High,
            strength,
            format!(
                "This wallet sent or received {transfers} transfer{} directly with {names}. Exchanges know who their customers are (KYC), and their deposit and withdrawal addresses are public, so anyone can see that this wallet belongs to one of their customers — and the exchange itself, or anyone who subpoenas it, can say which one.",
                if transfers == 1 { "" } else { "s" }
            ),
            "Put an intermediate wallet you control between the exchange and this one, and don't move the same amounts through it right away. Better still, keep the wallet you use publicly separate from the one that touches exchanges.".to_owned(),
        )
        },
    )
}

fn bridge(ctx: &Context) -> Option<Finding> {
    entity_finding(
        ctx,
        &BRIDGE_INFO,
        &[LabelKind::Bridge],
        |names, transfers| {
            (
            Severity::Medium,
            if transfers >= 3 { 100 } else { 60 },
            format!("This wallet moved funds through {names} {transfers} time(s). A bridge publishes both ends of a transfer, so the wallet on the other chain — and that chain's whole history — is linked to this one."),
            "Bridge to a fresh address on the other chain, not your main one, and avoid bridging back the same amount.".to_owned(),
        )
        },
    )
}

fn privacy_protocol(ctx: &Context) -> Option<Finding> {
    entity_finding(
        ctx,
        &PRIVACY_PROTOCOL_INFO,
        &[LabelKind::PrivacyProtocol],
        |names, transfers| {
            (
            Severity::Low,
            100,
            format!("This wallet interacted with {names} ({transfers} transfer(s)). That is visible to anyone, and deposits and withdrawals of the same amount close in time can be matched."),
            "Wait between deposit and withdrawal, and don't withdraw the exact amount you deposited.".to_owned(),
        )
        },
    )
}

fn other(ctx: &Context) -> Option<Finding> {
    entity_finding(
        ctx,
        &OTHER_INFO,
        &[LabelKind::Mev, LabelKind::Other],
        |names, transfers| {
            (
            Severity::Low,
            if transfers >= 5 { 100 } else { 60 },
            format!("This wallet transferred funds with {names} ({transfers} transfer(s)). Services keep their own records of who uses them, and their addresses are public."),
            "Check whether the service needs to see this wallet; use a separate wallet for services that know who you are.".to_owned(),
        )
        },
    )
}

/// Shared by all four: find counterparties with a label of `kinds`, and let
/// `describe(names, transfers)` say how bad it is.
fn entity_finding(
    ctx: &Context,
    info: &'static DetectorInfo,
    kinds: &[LabelKind],
    describe: impl Fn(&str, u32) -> (Severity, u8, String, String),
) -> Option<Finding> {
    let matches: Vec<_> = ctx
        .counterparties()
        .iter()
        .filter_map(|c| {
            ctx.label(c.address)
                .filter(|l| kinds.contains(&l.kind))
                .map(|l| (c, l))
        })
        .collect();
    if matches.is_empty() {
        return None;
    }
    let transfers: u32 = matches.iter().map(|(c, _)| c.transfers()).sum();
    let mut names: Vec<&str> = Vec::new();
    for (_, label) in &matches {
        if !names.contains(&label.name.as_str()) {
            names.push(&label.name);
        }
    }
    let names = join_names(&names);
    let confidence = matches
        .iter()
        .map(|(_, l)| l.confidence)
        .max()
        .unwrap_or(50);
    let (severity, strength, explanation, recommendation) = describe(&names, transfers);

    let mut evidence = Vec::new();
    for (counterparty, label) in &matches {
        evidence.push(
            Evidence::address(label.kind.describe(), counterparty.address)
                .with_detail(format!("{} (source: {})", label.name, label.source)),
        );
        evidence.push(Evidence::count(
            format!("transfers with {}", label.name),
            format!(
                "{} sent, {} received",
                counterparty.sent, counterparty.received
            ),
        ));
    }
    let signatures = matches
        .iter()
        .flat_map(|(c, _)| c.signatures.iter())
        .take(MAX_SIGNATURES);
    evidence.extend(signatures.map(|s| Evidence::signature("transaction", *s)));

    Some(
        info.finding(severity, strength)
            .confidence(confidence)
            .explanation(explanation)
            .recommendation(recommendation)
            .evidence(evidence)
            .build(),
    )
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
