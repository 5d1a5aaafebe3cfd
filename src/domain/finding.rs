//! A finding: one thing the report says about the wallet, with its
//! severity, category, evidence and what it costs the score. Part of the
//! report's public contract (`GET /api/reports/{wallet}`), so fields change
//! only additively.

use serde::{Deserialize, Serialize};

/// How bad a finding is for the wallet's privacy, mildest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// The family a finding belongs to; also the first part of its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    KnownEntity,
    Funding,
    FeePayer,
    Signer,
    Counterparty,
    Memo,
    Identity,
    TokenAccount,
    Timing,
    Fingerprint,
    Amount,
    Dust,
    Balance,
    Staking,
    History,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::KnownEntity => "Known entities",
            Category::Funding => "Funding",
            Category::FeePayer => "Fee payer",
            Category::Signer => "Co-signers",
            Category::Counterparty => "Counterparties",
            Category::Memo => "Memos",
            Category::Identity => "Identity",
            Category::TokenAccount => "Token accounts",
            Category::Timing => "Timing",
            Category::Fingerprint => "Fingerprints",
            Category::Amount => "Amounts",
            Category::Dust => "Dust",
            Category::Balance => "Balance",
            Category::Staking => "Staking",
            Category::History => "History",
        }
    }
}

/// What a piece of evidence is, so pages can link it (signatures and
/// addresses to an explorer) and format it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Signature,
    Address,
    Count,
    Amount,
    Time,
    Text,
}

/// One fact behind a finding. `value` is the raw value (a signature, an
/// address, a number); `detail` adds context such as the label of an address.
/// Both may hold on-chain text and are escaped wherever they are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub label: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Evidence {
    pub fn new(kind: EvidenceKind, label: impl Into<String>, value: impl Into<String>) -> Self {
        Self { kind, label: label.into(), value: value.into(), detail: None }
    }

    pub fn signature(label: impl Into<String>, signature: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Signature, label, signature)
    }

    pub fn address(label: impl Into<String>, address: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Address, label, address)
    }

    pub fn count(label: impl Into<String>, count: impl ToString) -> Self {
        Self::new(EvidenceKind::Count, label, count.to_string())
    }

    pub fn amount(label: impl Into<String>, amount: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Amount, label, amount)
    }

    pub fn text(label: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Text, label, text)
    }

    pub fn time(label: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(EvidenceKind::Time, label, text)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One way the wallet can be linked, with why it matters and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id such as `known_entity.exchange`; a public contract.
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// How sure the detector is, 0–100 percent.
    pub confidence: u8,
    /// Points this finding would take off the score of 100 on its own.
    pub penalty: u8,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub recommendation: String,
    /// What the finding is about when other findings can be about the same
    /// thing: a party (an exchange by name, a wallet by address) or a habit
    /// ("when the wallet is active"). Findings that share a fact count in
    /// full only once (see [`fact_leader`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    /// Points it actually took off, after the combination rules, counted in
    /// the order the findings are listed: they add up to `100 - score`.
    /// Absent from reports made before those rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u8>,
}

impl Finding {
    /// The points this finding cost: the combined ones when the report
    /// has them, the nominal penalty for older reports.
    pub fn points_or_penalty(&self) -> u8 {
        self.points.unwrap_or(self.penalty)
    }
}

/// "−1 point", "−12 points": what a finding cost, the same on the page and
/// in the mail.
pub fn points_label(points: u8) -> String {
    format!("−{points} point{}", if points == 1 { "" } else { "s" })
}

/// Of the findings about `fact`, the one that counts in full: the biggest
/// penalty, ties to the smaller id, then to the earlier one. The others
/// about the same fact count at a discount.
pub fn fact_leader<'f>(findings: &'f [Finding], fact: &str) -> Option<(usize, &'f Finding)> {
    findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.fact.as_deref() == Some(fact))
        .min_by(|(ai, a), (bi, b)| b.penalty.cmp(&a.penalty).then(a.id.cmp(&b.id)).then(ai.cmp(bi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_mildest_first() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!(serde_json::to_string(&Severity::Medium).unwrap(), "\"medium\"");
    }
}
