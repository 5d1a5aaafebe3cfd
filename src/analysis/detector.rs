//! What every detector declares about itself. The engine, the `/methodology`
//! page and the tests all read this one table, so the page can never describe
//! a detector the engine doesn't run, or weights it doesn't use.

use serde::Serialize;

use super::context::Context;
use crate::domain::methodology::MethodologyEntry;
use crate::domain::{Category, Evidence, Finding, Severity};

/// A detector's public description.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DetectorInfo {
    /// Stable finding id, e.g. `known_entity.exchange`.
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    /// What on-chain data it reads and when it fires.
    pub looks_at: &'static str,
    /// Severity when it fires at full strength.
    pub severity: Severity,
    /// Points off the score when it fires at full strength.
    pub max_penalty: u8,
    /// What it cannot see or may get wrong.
    pub limits: &'static str,
}

/// A detector: its description and the pure function that runs it.
pub struct Detector {
    pub info: &'static DetectorInfo,
    pub detect: fn(&Context) -> Option<Finding>,
}

impl DetectorInfo {
    /// Builds this detector's finding. `strength` (0–100) scales the
    /// penalty; severity is given by the caller, which knows how bad this
    /// particular case is, but never exceeds what the table declares.
    pub fn finding(&self, severity: Severity, strength: u8) -> FindingBuilder {
        let strength = u32::from(strength.min(100));
        let penalty = (u32::from(self.max_penalty) * strength).div_ceil(100) as u8;
        FindingBuilder {
            finding: Finding {
                id: self.id.to_owned(),
                title: self.title.to_owned(),
                category: self.category,
                severity: severity.min(self.severity),
                confidence: 50,
                penalty,
                explanation: String::new(),
                evidence: Vec::new(),
                recommendation: String::new(),
                fact: super::score::habit(self.id).map(str::to_owned),
                points: None,
            },
        }
    }
}

/// Assembles a finding; `build` insists on an explanation and a recommendation.
pub struct FindingBuilder {
    finding: Finding,
}

impl FindingBuilder {
    pub fn confidence(mut self, percent: u8) -> Self {
        self.finding.confidence = percent.min(100);
        self
    }

    pub fn explanation(mut self, text: impl Into<String>) -> Self {
        self.finding.explanation = text.into();
        self
    }

    pub fn recommendation(mut self, text: impl Into<String>) -> Self {
        self.finding.recommendation = text.into();
        self
    }

    /// The party this finding is about (see [`Context::party`]), so that
    /// findings about the same party count in full only once.
    pub fn about(mut self, party: impl Into<String>) -> Self {
        self.finding.fact = Some(party.into());
        self
    }

    pub fn evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.finding.evidence.extend(evidence);
        self
    }

    pub fn build(self) -> Finding {
        debug_assert!(!self.finding.explanation.is_empty(), "{} has no explanation", self.finding.id);
        debug_assert!(!self.finding.recommendation.is_empty(), "{} has no recommendation", self.finding.id);
        self.finding
    }
}

/// The methodology page's row for this detector (one source of truth).
impl From<&DetectorInfo> for MethodologyEntry {
    fn from(info: &DetectorInfo) -> Self {
        Self {
            id: info.id.to_owned(),
            title: info.title.to_owned(),
            category: info.category,
            looks_at: info.looks_at.to_owned(),
            severity: info.severity,
            max_penalty: info.max_penalty,
            limits: info.limits.to_owned(),
        }
    }
}
