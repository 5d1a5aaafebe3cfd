//! Direct dealings with labelled addresses: exchanges (which hold identity
//! documents), bridges, privacy protocols and other known services. A
//! dealing is a transfer with a labelled wallet, or a transaction of the
//! wallet's that invokes a labelled program (bridges and privacy pools are
//! programs, so funds never "go to" them as a plain transfer).

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::analysis::labels::{Label, LabelKind};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const EXCHANGE: Detector = Detector { info: &EXCHANGE_INFO, detect: exchange };
pub const BRIDGE: Detector = Detector { info: &BRIDGE_INFO, detect: bridge };
pub const PRIVACY_PROTOCOL: Detector = Detector { info: &PRIVACY_PROTOCOL_INFO, detect: privacy_protocol };
pub const OTHER: Detector = Detector { info: &OTHER_INFO, detect: other };

static EXCHANGE_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.exchange",
    title: "Direct transfers with an exchange",
    category: Category::KnownEntity,
    looks_at: "SOL and token transfers between the wallet and addresses that Kimiko's label set attributes to centralised exchanges (hot wallets published by the exchange, an explorer or a public label list). One or two transfers take 18 points off, three or more the full 25.",
    severity: Severity::High,
    max_penalty: 25,
    limits: "Only labelled addresses are recognised. Deposits usually go to a deposit address unique to each customer, which no public list names, so a wallet that only ever deposits is missed; withdrawals from a labelled hot wallet are caught. Confidence is the label's own.",
};

static BRIDGE_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.bridge",
    title: "Transfers through a cross-chain bridge",
    category: Category::KnownEntity,
    looks_at: "Transactions that invoke a labelled bridge program (Wormhole, deBridge, Mayan, Allbridge, Circle CCTP, Across) or transfer funds with a labelled bridge address. One or two uses take 6 points off, three or more 10.",
    severity: Severity::Medium,
    max_penalty: 10,
    limits: "Kimiko does not follow the funds to the other chain; it only tells you that the link is public there. Bridges not in the label set are missed.",
};

static PRIVACY_PROTOCOL_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.privacy_protocol",
    title: "Use of a privacy protocol",
    category: Category::KnownEntity,
    looks_at: "Transactions that invoke a labelled privacy protocol (such as the Privacy Cash pool) or transfer funds with one of its addresses. Always low: 5 points.",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Using a privacy tool is not itself a leak, and Kimiko cannot see whether a deposit was later matched to a withdrawal; it only reports that the use is public, which some services treat as a risk signal.",
};

static OTHER_INFO: DetectorInfo = DetectorInfo {
    id: "known_entity.other",
    title: "Interaction with a known service",
    category: Category::KnownEntity,
    looks_at: "Transfers with, or program calls to, labelled addresses that are not exchanges, bridges or privacy protocols. Under five such dealings take 3 points off, five or more 5. Tips to MEV tip accounts (Jito) alone are reported for information and cost nothing: most swap apps add them.",
    severity: Severity::Low,
    max_penalty: 5,
    limits: "Only as good as the label set. Tipping a block builder or using a popular service says little on its own; it mainly narrows down which software you use.",
};

fn exchange(ctx: &Context) -> Option<Finding> {
    entity_finding(ctx, &EXCHANGE_INFO, &[LabelKind::Exchange], |&Seen { names, uses, .. }| Wording {
        severity: Severity::High,
        strength: if uses >= 3 { 100 } else { 70 },
        explanation: format!(
            "This wallet made {} directly with {names}. Exchanges know who their customers are (KYC), and their hot wallets are public, so anyone can see that this wallet belongs to one of their customers — and the exchange itself, or anyone who can compel it, can say which one.",
            plural(uses, "transfer")
        ),
        recommendation: "Put a wallet you control between the exchange and this one, wait before moving funds on, and don't move the same amounts. Better still, keep the wallet you use publicly separate from the one that touches exchanges.",
    })
}

fn bridge(ctx: &Context) -> Option<Finding> {
    entity_finding(ctx, &BRIDGE_INFO, &[LabelKind::Bridge], |&Seen { names, uses, .. }| Wording {
        severity: Severity::Medium,
        strength: if uses >= 3 { 100 } else { 60 },
        explanation: format!(
            "This wallet used {names} ({}). A bridge records both ends of a transfer in public, so the address on the other chain — and that chain's whole history — is linked to this wallet.",
            plural(uses, "time")
        ),
        recommendation: "Bridge to a fresh address on the other chain rather than your main one, and avoid bridging back the same amount soon after.",
    })
}

fn privacy_protocol(ctx: &Context) -> Option<Finding> {
    entity_finding(
        ctx,
        &PRIVACY_PROTOCOL_INFO,
        &[LabelKind::PrivacyProtocol],
        |&Seen { names, uses, .. }| Wording {
            severity: Severity::Low,
            strength: 100,
            explanation: format!(
                "This wallet used {names} ({}). That use is visible to anyone, and a deposit and a withdrawal of the same amount close together in time can still be matched.",
                plural(uses, "time")
            ),
            recommendation: "Wait between deposit and withdrawal, don't withdraw the exact amount you deposited, and withdraw to a wallet with no other link to this one.",
        },
    )
}

fn other(ctx: &Context) -> Option<Finding> {
    entity_finding(ctx, &OTHER_INFO, &[LabelKind::Mev, LabelKind::Other], |seen| {
        let &Seen { names, uses, only_mev } = seen;
        if only_mev {
            // Swap front-ends add a tip to most transactions they send, so a
            // tip says which kind of software sent it, not who the owner is.
            return Wording {
                severity: Severity::Info,
                strength: 0,
                explanation: format!(
                    "This wallet paid tips to {names} ({}). Most swap apps add such a tip to the transactions they send to get them included faster, so it says which kind of software you use, not who you are; it costs no points.",
                    plural(uses, "time")
                ),
                recommendation: "Nothing to do: tipping is what most swap apps do. If you want fewer clues about your software, check whether your app lets you turn tips off.",
            };
        }
        Wording {
            severity: Severity::Low,
            strength: if uses >= 5 { 100 } else { 60 },
            explanation: format!(
                "This wallet dealt with {names} ({}). These addresses are public, and services keep their own records of who uses them; together with other clues it narrows down the software and services behind this wallet.",
                plural(uses, "time")
            ),
            recommendation: "Check whether the service needs to see this wallet; use a separate wallet for services that know who you are.",
        }
    })
}

/// What a detector's wording is given: the entities dealt with, by name, and
/// how often.
struct Seen<'n> {
    names: &'n str,
    uses: usize,
    /// Every dealing was with an MEV service (a block builder's tip account).
    only_mev: bool,
}

struct Wording {
    severity: Severity,
    strength: u8,
    explanation: String,
    recommendation: &'static str,
}

/// One labelled address the wallet dealt with, and the evidence of it.
struct Dealing<'a> {
    label: &'a Label,
    sent: u32,
    received: u32,
    /// Executed transactions of the wallet that invoked it as a program.
    calls: u32,
    signatures: Vec<&'a str>,
}

impl Dealing<'_> {
    fn uses(&self) -> usize {
        (self.sent + self.received + self.calls) as usize
    }
}

/// Shared by all four: find dealings with labels of `kinds`, and let
/// `describe` say how bad that is.
fn entity_finding(
    ctx: &Context,
    info: &'static DetectorInfo,
    kinds: &[LabelKind],
    describe: impl Fn(&Seen) -> Wording,
) -> Option<Finding> {
    let of_kind = |address: &str| ctx.label(address).filter(|l| kinds.contains(&l.kind));
    let mut dealings: Vec<Dealing> = ctx
        .counterparties()
        .iter()
        .filter_map(|c| {
            of_kind(c.address).map(|label| Dealing {
                label,
                sent: c.sent,
                received: c.received,
                calls: 0,
                signatures: c.signatures.clone(),
            })
        })
        .collect();
    // Oldest first, like the counterparties' signatures.
    for tx in ctx.own().filter(|tx| !tx.failed).collect::<Vec<_>>().into_iter().rev() {
        for program in &tx.programs {
            let Some(label) = of_kind(program) else {
                continue;
            };
            match dealings.iter_mut().find(|d| d.label.address == label.address) {
                Some(dealing) => {
                    dealing.calls += 1;
                    dealing.signatures.push(&tx.signature);
                }
                None => dealings.push(Dealing {
                    label,
                    sent: 0,
                    received: 0,
                    calls: 1,
                    signatures: vec![&tx.signature],
                }),
            }
        }
    }
    if dealings.is_empty() {
        return None;
    }
    dealings.sort_by(|a, b| b.uses().cmp(&a.uses()).then(a.label.address.cmp(&b.label.address)));

    let uses: usize = dealings.iter().map(Dealing::uses).sum();
    let mut names: Vec<&str> = Vec::new();
    for dealing in &dealings {
        if !names.contains(&dealing.label.name.as_str()) {
            names.push(&dealing.label.name);
        }
    }
    let confidence = dealings.iter().map(|d| d.label.confidence).max().unwrap_or(50);
    let names = join_names(&names);
    let only_mev = dealings.iter().all(|d| d.label.kind == LabelKind::Mev);
    let wording = describe(&Seen { names: &names, uses, only_mev });

    let mut evidence = Vec::new();
    for dealing in &dealings {
        let kind = dealing.label.kind.describe();
        evidence.push(match &dealing.label.note {
            Some(note) => {
                evidence::address_noting(ctx, kind, &dealing.label.address, format!("note: {note}"))
            }
            None => evidence::address(ctx, kind, &dealing.label.address),
        });
        let what = match (dealing.sent + dealing.received, dealing.calls) {
            (0, calls) => format!("{} of its program", plural(calls as usize, "call")),
            (_, 0) => format!("{} sent, {} received", dealing.sent, dealing.received),
            (_, calls) => format!(
                "{} sent, {} received, {}",
                dealing.sent,
                dealing.received,
                plural(calls as usize, "program call")
            ),
        };
        evidence.push(Evidence::count(format!("dealings with {}", dealing.label.name), what));
    }
    evidence.extend(evidence::signatures(
        "transaction",
        dealings.iter().flat_map(|d| d.signatures.iter().copied()),
    ));

    Some(
        info.finding(wording.severity, wording.strength)
            .about(ctx.party(&dealings[0].label.address))
            .confidence(confidence)
            .explanation(wording.explanation)
            .recommendation(wording.recommendation)
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
