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

/// `transactions` were analysed out of `found` signatures; the rest could not
/// be read (pruned by the node, or refused), and the sentence says so.
pub fn summary(score: u8, grade: Grade, findings: &[Finding], transactions: usize, found: usize) -> String {
    if transactions == 0 && found == 0 {
        return format!(
            "Score {score}/100 ({}): no transactions to analyse, so nothing on chain links this wallet yet.",
            grade.as_str()
        );
    }
    if transactions == 0 {
        return format!(
            "Score {score}/100 ({}): {} could be read, so this score says nothing yet about what links this wallet.",
            grade.as_str(),
            unreadable(found, found)
        );
    }
    let sentence = summary_of_findings(score, grade, findings, transactions);
    if found > transactions {
        format!("{sentence} {} could not be read.", unreadable(found - transactions, found))
    } else {
        sentence
    }
}

/// "3 of 40 transactions", "none of the 2 transactions" and the like.
fn unreadable(missing: usize, found: usize) -> String {
    match (missing, found) {
        (m, f) if m == f && f == 1 => "the one transaction found".to_owned(),
        (m, f) if m == f => format!("none of the {f} transactions found"),
        (m, f) => format!("{m} of {f} transactions"),
    }
}

fn summary_of_findings(score: u8, grade: Grade, findings: &[Finding], transactions: usize) -> String {
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
