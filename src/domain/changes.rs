//! What changed since a wallet's previous report: the score before and
//! now, findings that are new, gone or changed in severity, and the
//! transactions behind each new one. The previous report is kept only as a
//! [`ReportSnapshot`] — score, grade, date, analyser and each finding's id,
//! title, severity and points: public data, a few hundred bytes per wallet.
//! Part of the report's public contract (`changes` in
//! `GET /api/reports/{wallet}`), so fields change only additively.

use serde::{Deserialize, Serialize};

use super::finding::{EvidenceKind, Severity};
use super::report::{Grade, Report};

/// The most findings a snapshot keeps (there are fewer detectors than this).
pub const MAX_SNAPSHOT_FINDINGS: usize = 64;
/// The most transactions listed for one new finding.
pub const MAX_CAUSES: usize = 5;

/// As much of a report as a later comparison needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSnapshot {
    pub score: u8,
    pub grade: Grade,
    /// When the report was made (unix seconds).
    pub created_at: i64,
    pub analyzer_version: String,
    pub findings: Vec<SnapshotFinding>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFinding {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

impl ReportSnapshot {
    /// What to keep of `report`, made at `created_at` (unix seconds).
    pub fn of(report: &Report, created_at: i64) -> Self {
        Self {
            score: report.score,
            grade: report.grade,
            created_at,
            analyzer_version: report.analyzer_version.clone(),
            findings: report
                .findings
                .iter()
                .take(MAX_SNAPSHOT_FINDINGS)
                .map(|f| SnapshotFinding { id: f.id.clone(), title: f.title.clone(), severity: f.severity })
                .collect(),
        }
    }
}

/// A finding the previous report did not have, and the transactions in
/// its evidence: what made it appear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFinding {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Signatures, at most [`MAX_CAUSES`].
    pub transactions: Vec<String>,
}

/// A finding the previous report had and this one does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoneFinding {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

/// A finding in both, at another severity now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityChange {
    pub id: String,
    pub title: String,
    pub before: Severity,
    pub after: Severity,
}

/// The difference between the previous report and this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// When the previous report was made (unix seconds).
    pub previous_at: i64,
    pub previous_score: u8,
    pub previous_grade: Grade,
    /// The previous report's analyser, when another one made it: some of
    /// the differences may come from the analyser rather than the wallet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_analyzer: Option<String>,
    pub new: Vec<NewFinding>,
    pub gone: Vec<GoneFinding>,
    pub severity_changed: Vec<SeverityChange>,
}

impl Changes {
    /// How `report` differs from `previous`.
    pub fn between(previous: &ReportSnapshot, report: &Report) -> Self {
        let before = |id: &str| previous.findings.iter().find(|f| f.id == id);
        let new = report
            .findings
            .iter()
            .filter(|f| before(&f.id).is_none())
            .map(|f| {
                let mut transactions: Vec<String> = Vec::new();
                for evidence in f.evidence.iter().filter(|e| e.kind == EvidenceKind::Signature) {
                    if !transactions.contains(&evidence.value) && transactions.len() < MAX_CAUSES {
                        transactions.push(evidence.value.clone());
                    }
                }
                NewFinding { id: f.id.clone(), title: f.title.clone(), severity: f.severity, transactions }
            })
            .collect();
        let gone = previous
            .findings
            .iter()
            .filter(|f| report.finding(&f.id).is_none())
            .map(|f| GoneFinding { id: f.id.clone(), title: f.title.clone(), severity: f.severity })
            .collect();
        let severity_changed = report
            .findings
            .iter()
            .filter_map(|f| {
                let was = before(&f.id)?;
                (was.severity != f.severity).then(|| SeverityChange {
                    id: f.id.clone(),
                    title: f.title.clone(),
                    before: was.severity,
                    after: f.severity,
                })
            })
            .collect();
        Self {
            previous_at: previous.created_at,
            previous_score: previous.score,
            previous_grade: previous.grade,
            previous_analyzer: (previous.analyzer_version != report.analyzer_version)
                .then(|| previous.analyzer_version.clone()),
            new,
            gone,
            severity_changed,
        }
    }

    /// No finding came, went or changed severity.
    pub fn findings_unchanged(&self) -> bool {
        self.new.is_empty() && self.gone.is_empty() && self.severity_changed.is_empty()
    }

    /// Nothing at all changed: the same findings and the same score.
    pub fn nothing_changed(&self, score_now: u8) -> bool {
        self.findings_unchanged() && self.previous_score == score_now
    }

    /// "72 → 58 (−14 points)", "58 → 58 (unchanged)".
    pub fn score_line(&self, score_now: u8) -> String {
        let delta = i16::from(score_now) - i16::from(self.previous_score);
        let change = match delta {
            0 => "unchanged".to_owned(),
            d if d > 0 => format!("+{d} point{}", if d == 1 { "" } else { "s" }),
            d => format!("−{} point{}", -d, if d == -1 { "" } else { "s" }),
        };
        format!("{} → {score_now} ({change})", self.previous_score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Evidence;
    use crate::domain::sample;

    #[test]
    fn a_new_finding_comes_with_its_transactions_and_the_score_change() {
        let before = sample::report("w", 80).report;
        let snapshot = ReportSnapshot::of(&before, 1_000);
        let mut now = before.clone();
        let mut extra = now.findings[0].clone();
        extra.id = "counterparty.exchange_deposit".into();
        extra.title = "Pays a deposit address".into();
        extra.severity = Severity::High;
        extra.evidence = vec![
            Evidence::signature("transaction", "sigA"),
            Evidence::count("payments", 2),
            Evidence::signature("transaction", "sigA"),
            Evidence::signature("transaction", "sigB"),
        ];
        now.findings.push(extra);
        now.score = 62;
        let changes = Changes::between(&snapshot, &now);
        assert_eq!(changes.new.len(), 1);
        assert_eq!(changes.new[0].id, "counterparty.exchange_deposit");
        assert_eq!(changes.new[0].transactions, ["sigA", "sigB"]);
        assert!(changes.gone.is_empty() && changes.severity_changed.is_empty());
        assert_eq!(changes.score_line(now.score), "80 → 62 (−18 points)");
        assert!(!changes.nothing_changed(now.score));
        assert_eq!(changes.previous_analyzer, None);
    }

    #[test]
    fn gone_and_severity_changes_are_named_and_the_same_report_changes_nothing() {
        let before = sample::report("w", 60).report;
        let snapshot = ReportSnapshot::of(&before, 1_000);
        let same = Changes::between(&snapshot, &before);
        assert!(same.nothing_changed(before.score), "{same:?}");
        assert_eq!(same.score_line(before.score), "60 → 60 (unchanged)");

        let mut now = before.clone();
        let dropped = now.findings.remove(1);
        now.findings[0].severity = Severity::Critical;
        now.analyzer_version = "next".into();
        let changes = Changes::between(&snapshot, &now);
        assert_eq!(changes.gone.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), [dropped.id.as_str()]);
        assert_eq!(changes.severity_changed.len(), 1);
        assert_eq!(changes.severity_changed[0].after, Severity::Critical);
        assert_eq!(changes.previous_analyzer.as_deref(), Some(before.analyzer_version.as_str()));
    }
}
