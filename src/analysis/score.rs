//! How findings become a score, a letter grade, and the one sentence that
//! sums a report up.
//!
//! Every finding has a nominal `penalty`. Two rules combine them:
//!
//! 1. **One fact, one penalty.** Findings about the same fact (the same
//!    party, such as the exchange that also funded the wallet, or the same
//!    habit, such as when the wallet is active) are grouped; the largest
//!    counts in full and the others at [`SHARED_FACT_SHARE`].
//! 2. **A diminishing total.** The first [`FULL_UNTIL`] points come off one
//!    for one; past that the score is `FULL_UNTIL² / total`, which meets the
//!    straight line smoothly at 50 and approaches 0 without reaching it, so a
//!    wallet with twice the exposure still scores lower.
//!
//! Both only ever add to the total, so a finding can never raise the score.

use crate::domain::{Finding, Grade, Severity, fact_leader};

/// Points come off one for one until the total reaches this.
pub const FULL_UNTIL: f64 = 50.0;

/// What a finding counts for when a bigger one is about the same fact.
pub const SHARED_FACT_SHARE: f64 = 0.5;

/// Detectors that measure one habit in different ways: their findings are
/// about the same fact. Findings about a party (an exchange, a wallet) set
/// their fact themselves.
pub static HABITS: &[(&str, &[&str])] = &[
    ("when the wallet is active", &["timing.timezone", "timing.regular_interval", "timing.burst"]),
    ("the software that sends its transactions", &["fingerprint.priority_fee", "fingerprint.program_set"]),
    ("how it chooses amounts", &["amount.round", "amount.repeated"]),
    ("what its memos say", &["memo.personal_data", "memo.usage"]),
];

/// The habit a detector measures, if it shares one with other detectors.
pub fn habit(detector_id: &str) -> Option<&'static str> {
    HABITS.iter().find(|(_, ids)| ids.contains(&detector_id)).map(|(fact, _)| *fact)
}

/// What each finding counts for after rule 1.
fn weights(findings: &[Finding]) -> Vec<f64> {
    findings
        .iter()
        .enumerate()
        .map(|(index, finding)| {
            let full = f64::from(finding.penalty);
            match finding.fact.as_deref().and_then(|fact| fact_leader(findings, fact)) {
                Some((leader, _)) if leader != index => full * SHARED_FACT_SHARE,
                _ => full,
            }
        })
        .collect()
}

/// The score left after `total` weighted points (rule 2), rounded.
fn score_after(total: f64) -> u8 {
    let left = if total <= FULL_UNTIL { 100.0 - total } else { FULL_UNTIL * FULL_UNTIL / total };
    left.round().clamp(0.0, 100.0) as u8
}

pub fn score(findings: &[Finding]) -> u8 {
    score_after(weights(findings).iter().sum())
}

/// Sets every finding's `points`: what it took off the score, counted in
/// the order given (the order the report lists them). They add up to
/// `100 - score`. Returns the score.
pub fn assign_points(findings: &mut [Finding]) -> u8 {
    let weights = weights(findings);
    let (mut total, mut left) = (0.0, 100u8);
    for (finding, weight) in findings.iter_mut().zip(weights) {
        total += weight;
        let after = score_after(total);
        finding.points = Some(left - after);
        left = after;
    }
    left
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
