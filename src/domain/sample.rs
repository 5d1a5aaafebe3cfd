//! Reports made by hand for tests of everything that shows one (pages, the
//! card, the mail, the cache), including one whose every free-text field
//! holds markup, as a stranger's memo or label could.

use super::report::{
    Activity, Category, CounterpartyShare, Evidence, Finding, Grade, Link, LinkKind, MonthCount,
    PublishedReport, Report, Severity,
};

/// Binance's hot wallet, labelled in the shipped label set.
const EXCHANGE: &str = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";
/// Addresses the sample wallet is linked to (valid base58, unlabelled).
pub const FUNDER: &str = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";
pub const DEPOSIT: &str = "3yFwqXBfZY4jBVUafQ1YEXw189y2dN3V5KQq9uzBDy1E";
pub const FRIEND: &str = "HN7cABqLq46Es1jh92dQQisAq662SmxELLLsHHe4YWrH";

/// The sample's link graph, the multi-hop kinds included: funded by a
/// friend who withdrew from Binance, paying its own deposit address there,
/// and a two-way friend.
fn links(wallet: &str) -> Vec<Link> {
    let link = |from: &str, to: &str, kind: LinkKind, label: Option<&str>, detail: &str| Link {
        from: from.to_owned(),
        to: to.to_owned(),
        kind,
        label: label.map(str::to_owned),
        finding: None,
        detail: Some(detail.to_owned()),
    };
    vec![
        link(wallet, FUNDER, LinkKind::FundedBy, None, "2 SOL"),
        link(FUNDER, EXCHANGE, LinkKind::FundedBy, Some("Binance 2"), "2.1 SOL, 40 minutes earlier"),
        Link {
            finding: Some("known_entity.exchange".into()),
            ..link(wallet, DEPOSIT, LinkKind::DepositAddress, None, "3 payments, 12.5 SOL")
        },
        link(DEPOSIT, EXCHANGE, LinkKind::SweepsTo, Some("Binance 2"), "3 sweeps"),
        link(wallet, FRIEND, LinkKind::TwoWay, None, "2 out (1 SOL), 1 in (0.5 SOL)"),
    ]
}

/// Markup, quotes and an ampersand: what escaping must neutralise.
pub const HOSTILE: &str = r#"<script>alert("pwned")</script><b onclick='x()'>bold</b> & more"#;

/// 2026-10-01 00:00:00 UTC.
pub const MADE_AT: i64 = 1_790_812_800;

/// A plausible report for `wallet` with `score`, two findings and charts.
pub fn report(wallet: &str, score: u8) -> PublishedReport {
    let finding = |id: &str, title: &str, severity: Severity, evidence: Vec<Evidence>| Finding {
        id: id.to_owned(),
        title: title.to_owned(),
        category: Category::KnownEntity,
        severity,
        confidence: 90,
        penalty: 20,
        explanation: "Why this matters.".into(),
        evidence,
        recommendation: "What to do about it.".into(),
        fact: None,
        points: None,
    };
    let report = Report {
        wallet: wallet.to_owned(),
        score,
        grade: Grade::for_score(score),
        summary: "A sample report.".into(),
        findings: vec![
            finding(
                "known_entity.exchange",
                "Direct transfers with an exchange",
                Severity::High,
                vec![
                    Evidence::address("exchange", "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9")
                        .with_detail("Binance 2"),
                ],
            ),
            finding(
                "memo.usage",
                "Memos attached to transactions",
                Severity::Low,
                vec![Evidence::text("memo text", "rent for october")],
            ),
        ],
        transactions_analyzed: 27,
        transactions_found: 27,
        history_truncated: false,
        window_start: Some(MADE_AT - 30 * 86_400),
        window_end: Some(MADE_AT - 86_400),
        balance_lamports: Some(42_000_000_000),
        activity: Activity {
            by_hour_utc: (0..24).map(|h| if (6..22).contains(&h) { h % 5 } else { 0 }).collect(),
            by_weekday_utc: vec![4, 3, 5, 2, 6, 1, 0],
            by_month: vec![
                MonthCount { month: "2026-08".into(), count: 3 },
                MonthCount { month: "2026-10".into(), count: 24 },
            ],
            top_counterparties: vec![CounterpartyShare {
                address: "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9".into(),
                label: Some("Binance 2".into()),
                transfers: 2,
                share_permille: 74,
            }],
        },
        analyzer_version: "test-1".into(),
        analyzed_at: MADE_AT,
        links: links(wallet),
        links_followed: None,
        token_account_reads: None,
        reached_via: None,
        changes: None,
    };
    let mut report = report;
    // The points each finding cost add up to what the score lost.
    let lost = 100 - score.min(100);
    for (finding, points) in report.findings.iter_mut().zip([lost - lost / 2, lost / 2]) {
        finding.penalty = points;
        finding.points = Some(points);
    }
    PublishedReport { report, created_at: MADE_AT, expires_at: MADE_AT + 86_400, revision: 0 }
}

/// [`report`] with [`HOSTILE`] in every free-text field a stranger could
/// influence: summary, finding titles, evidence values and details,
/// counterparty labels, link labels and facts.
pub fn hostile_report(wallet: &str) -> PublishedReport {
    let mut published = report(wallet, 31);
    let report = &mut published.report;
    report.summary = format!("Summary {HOSTILE}");
    for finding in &mut report.findings {
        finding.severity = Severity::Critical;
        finding.title = format!("Title {HOSTILE}");
        finding.explanation = format!("Explanation {HOSTILE}");
        finding.recommendation = format!("Advice {HOSTILE}");
        finding.evidence.push(Evidence::text("memo text", HOSTILE).with_detail(HOSTILE));
    }
    for counterparty in &mut report.activity.top_counterparties {
        counterparty.label = Some(HOSTILE.to_owned());
    }
    for link in &mut report.links {
        link.label = Some(HOSTILE.to_owned());
        link.detail = Some(HOSTILE.to_owned());
    }
    published
}
