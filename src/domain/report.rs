//! The privacy report: what the analysis produces, what is stored, what the
//! API serves and what the pages render. Field names here are a public
//! contract (`GET /api/reports/{wallet}`), so they change only additively.

use serde::{Deserialize, Serialize};

pub use super::changes::Changes;
pub use super::finding::{Category, Evidence, EvidenceKind, Finding, Severity, fact_leader, points_label};
pub use super::links::{Link, LinkKind, LinksFollowed};

/// Letter grade for a score, A best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    /// A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, F below.
    pub fn for_score(score: u8) -> Grade {
        match score {
            90..=u8::MAX => Grade::A,
            75..=89 => Grade::B,
            60..=74 => Grade::C,
            40..=59 => Grade::D,
            _ => Grade::F,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

/// Transactions per UTC hour and weekday, by month, and the wallets most
/// often on the other side: the data behind the report's charts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// 24 counts, index = hour of day in UTC.
    pub by_hour_utc: Vec<u32>,
    /// 7 counts, Monday first, UTC.
    pub by_weekday_utc: Vec<u32>,
    /// Chronological `YYYY-MM` buckets.
    pub by_month: Vec<MonthCount>,
    pub top_counterparties: Vec<CounterpartyShare>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCount {
    pub month: String,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterpartyShare {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub transfers: u32,
    /// Share of all the wallet's transfers, in tenths of a percent.
    pub share_permille: u16,
}

/// The analysis of one wallet at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub wallet: String,
    pub score: u8,
    pub grade: Grade,
    /// One sentence for previews and the top of the page.
    pub summary: String,
    /// Most severe first.
    pub findings: Vec<Finding>,
    /// Transactions fetched and analysed (N).
    pub transactions_analyzed: u32,
    /// Signatures found in the wallet's history, up to the history cap (M).
    pub transactions_found: u32,
    /// True when the history was longer than the cap, so M is a lower bound.
    pub history_truncated: bool,
    /// Block time (unix seconds) of the oldest and newest analysed transaction.
    pub window_start: Option<i64>,
    pub window_end: Option<i64>,
    pub balance_lamports: Option<u64>,
    pub activity: Activity,
    pub analyzer_version: String,
    /// When the analysis ran (unix seconds); passed in, never read from a clock.
    pub analyzed_at: i64,
    /// The link graph: how the wallet is tied to other addresses, one edge
    /// each (empty in reports made before the graph existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// How far beyond the wallet's own history the analysis looked (absent
    /// when it did not look, and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links_followed: Option<LinksFollowed>,
    /// What the wallet's token accounts' own histories added (absent when
    /// it had none, and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_account_reads: Option<TokenAccountReads>,
    /// The `.sol` name the request named, which resolved to this wallet
    /// (absent for a request made with the address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached_via: Option<String>,
    /// What changed since the wallet's previous report (absent for a
    /// wallet's first report, and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

impl Report {
    pub fn findings_with(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity == severity)
    }

    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    /// How the score was built: 100, then after each finding that cost
    /// points, the score it left. `None` for reports made before findings
    /// carried their points.
    pub fn score_steps(&self) -> Option<Vec<ScoreStep<'_>>> {
        let mut score = 100u8;
        let mut steps = Vec::new();
        for finding in &self.findings {
            let points = finding.points?;
            if points == 0 {
                continue;
            }
            score = score.saturating_sub(points);
            let shares_with = finding
                .fact
                .as_deref()
                .and_then(|fact| fact_leader(&self.findings, fact))
                .map(|(_, leader)| leader)
                .filter(|leader| !std::ptr::eq(*leader, finding));
            steps.push(ScoreStep { finding, points, score_after: score, shares_with });
        }
        Some(steps)
    }

    /// "Analysed 27 of 1000+ (the most recent) transactions between
    /// 2026-09-01 and 2026-09-30.": how much of the history the report saw.
    pub fn coverage(&self) -> String {
        let window = match (self.window_start, self.window_end) {
            (Some(start), Some(end)) => {
                format!(" between {} and {}", super::time::format_date(start), super::time::format_date(end))
            }
            _ => String::new(),
        };
        let analysed = format!(
            "Analysed {} of {}{} transactions{window}.",
            self.transactions_analyzed,
            self.transactions_found,
            if self.history_truncated { "+ (the most recent)" } else { "" }
        );
        let analysed = match self.token_account_reads {
            Some(reads) => {
                let mut text = analysed;
                if reads.transactions > 0 {
                    text.push_str(&format!(
                        " {} of them reached the wallet through its token accounts, without naming it.",
                        reads.transactions
                    ));
                }
                if reads.skipped > 0 {
                    text.push_str(&format!(
                        " {} of its {} token accounts were not read (stablecoin accounts, accounts the wallet used and accounts holding a balance are read first; the rest are mostly airdropped spam).",
                        reads.skipped,
                        reads.read + reads.skipped
                    ));
                }
                text
            }
            None => analysed,
        };
        let analysed = match self.transactions_found.checked_sub(self.transactions_analyzed) {
            Some(unread @ 1..) => format!(
                "{analysed} {unread} of {} transactions could not be read (the node no longer had them, or refused them).",
                self.transactions_found
            ),
            _ => analysed,
        };
        match &self.links_followed {
            Some(followed) if followed.incomplete > 0 => format!(
                "{analysed} Kimiko could not fully read {} of the {} other addresses it looked up (the node failed or refused, or its limit of {} requests ran out), and did not use what it read of them, so a link may be missing.",
                followed.incomplete, followed.lookups, followed.rpc_budget
            ),
            Some(followed) if followed.stopped_early && followed.rpc_calls >= followed.rpc_budget => format!(
                "{analysed} Kimiko stopped following links after {} other addresses (its limit of {} requests), so a more distant link may be missing.",
                followed.lookups, followed.rpc_budget
            ),
            Some(followed) if followed.stopped_early => format!(
                "{analysed} Kimiko could not follow every link (the RPC did not answer every lookup, after {} other addresses), so a more distant link may be missing.",
                followed.lookups
            ),
            _ => analysed,
        }
    }
}

/// Reading the histories of the wallet's token accounts: a transfer into an
/// existing token account names only that account, so the owner's own
/// signature list never shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenAccountReads {
    /// Token accounts whose history was read.
    pub read: u32,
    /// Token accounts known (held now, or opened or closed in the wallet's
    /// own transactions) and left unread by the budget.
    pub skipped: u32,
    /// Transactions in the history that only a token account's list had.
    pub transactions: u32,
}

/// One line of "how the score was built".
#[derive(Clone, Copy, Debug)]
pub struct ScoreStep<'r> {
    pub finding: &'r Finding,
    pub points: u8,
    pub score_after: u8,
    /// The bigger finding about the same fact, when this one was discounted
    /// for sharing it.
    pub shares_with: Option<&'r Finding>,
}

/// A stored report as the API serves it: the report plus its lifetime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedReport {
    #[serde(flatten)]
    pub report: Report,
    pub created_at: i64,
    pub expires_at: i64,
    /// Which stored version this is: drawn at random each time a report is
    /// stored, so a process can tell its cached copy from a newer one
    /// another process stored in the same second. Not part of the API.
    #[serde(skip)]
    pub revision: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_the_documented_bands() {
        assert_eq!(Grade::for_score(100), Grade::A);
        assert_eq!(Grade::for_score(90), Grade::A);
        assert_eq!(Grade::for_score(89), Grade::B);
        assert_eq!(Grade::for_score(75), Grade::B);
        assert_eq!(Grade::for_score(74), Grade::C);
        assert_eq!(Grade::for_score(60), Grade::C);
        assert_eq!(Grade::for_score(59), Grade::D);
        assert_eq!(Grade::for_score(40), Grade::D);
        assert_eq!(Grade::for_score(39), Grade::F);
        assert_eq!(Grade::for_score(0), Grade::F);
    }

    #[test]
    fn coverage_says_how_much_of_the_history_was_read_and_when() {
        let mut report = super::super::sample::report("w", 42).report;
        assert_eq!(report.coverage(), "Analysed 27 of 27 transactions between 2026-09-01 and 2026-09-30.");
        report.history_truncated = true;
        report.window_start = None;
        assert_eq!(report.coverage(), "Analysed 27 of 27+ (the most recent) transactions.");
    }

    #[test]
    fn coverage_says_how_many_transactions_could_not_be_read() {
        let mut report = super::super::sample::report("w", 42).report;
        report.transactions_analyzed = 24;
        report.window_start = None;
        assert_eq!(
            report.coverage(),
            "Analysed 24 of 27 transactions. 3 of 27 transactions could not be read (the node no longer had them, or refused them)."
        );
    }

    #[test]
    fn coverage_says_when_following_links_stopped_at_the_budget() {
        let mut report = super::super::sample::report("w", 42).report;
        report.window_start = None;
        report.links_followed = Some(LinksFollowed {
            lookups: 5,
            rpc_calls: 25,
            rpc_budget: 25,
            stopped_early: true,
            incomplete: 0,
        });
        assert_eq!(
            report.coverage(),
            "Analysed 27 of 27 transactions. Kimiko stopped following links after 5 other addresses (its limit of 25 requests), so a more distant link may be missing."
        );
        report.links_followed = Some(LinksFollowed {
            lookups: 2,
            rpc_calls: 8,
            rpc_budget: 25,
            stopped_early: false,
            incomplete: 0,
        });
        assert_eq!(report.coverage(), "Analysed 27 of 27 transactions.");
    }

    #[test]
    fn coverage_says_what_came_through_token_accounts_and_what_was_not_read() {
        let mut report = super::super::sample::report("w", 42).report;
        report.window_start = None;
        report.token_account_reads =
            Some(super::super::history::TokenAccountReads { read: 20, skipped: 281, transactions: 4 });
        assert_eq!(
            report.coverage(),
            "Analysed 27 of 27 transactions. 4 of them reached the wallet through its token accounts, without naming it. 281 of its 301 token accounts were not read (stablecoin accounts, accounts the wallet used and accounts holding a balance are read first; the rest are mostly airdropped spam)."
        );
    }

    #[test]
    fn coverage_says_when_a_lookup_was_not_fully_read() {
        let mut report = super::super::sample::report("w", 42).report;
        report.window_start = None;
        report.links_followed = Some(LinksFollowed {
            lookups: 3,
            rpc_calls: 9,
            rpc_budget: 25,
            stopped_early: true,
            incomplete: 1,
        });
        assert_eq!(
            report.coverage(),
            "Analysed 27 of 27 transactions. Kimiko could not fully read 1 of the 3 other addresses it looked up (the node failed or refused, or its limit of 25 requests ran out), and did not use what it read of them, so a link may be missing."
        );
    }
}
