//! Score = 100 − Σ penalties, clamped to 0..=100; a letter grade; and the one
//! sentence that sums a report up.

use crate::domain::{Finding, Grade, Severity};

pub fn score(findings: &[Finding]) -> u8 {
    let total: u32 = findings.iter().map(|f| u32::from(f.penalty)).sum();
    100u32.saturating_sub(total) as u8
}

/// Most severe first, then biggest penalty, then id: a stable order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(b.penalty.cmp(&a.penalty)).then(a.id.cmp(&b.id)));
}

pub fn summary(score: u8, grade: Grade, findings: &[Finding], transactions: usize) -> String {
    if transactions == 0 {
        return format!(
            "Score {score}/100 ({}): no transactions to analyse, so nothing on chain links this wallet yet.",
            grade.as_str()
        );
    }
    let serious: Vec<&Finding> = findings.iter().filter(|f| f.severity >= Severity::Medium).collect();
    let counts: Vec<String> = [Severity::Critical, Severity::High, Severity::Medium]
        .iter()
        .filter_map(|&s| {
            let n = findings.iter().filter(|f| f.severity == s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    match serious.first() {
        None => format!(
            "Score {score}/100 ({}): nothing serious found in {transactions} transactions.",
            grade.as_str()
        ),
        Some(top) => format!(
            "Score {score}/100 ({}): {} finding{} — most serious: {}.",
            grade.as_str(),
            counts.join(", "),
            if serious.len() == 1 { "" } else { "s" },
            top.title.to_lowercase()
        ),
    }
}
