//! Address labels: who is behind a known address (exchanges, bridges, privacy
//! protocols, MEV, fee relayers). A set ships with Kimiko (`labels.json` beside this file);
//! operators can add their own with `KIMIKO_LABELS_FILE`. Every entry names
//! its source and a confidence, and disagreements between public lists are
//! recorded in `note` instead of being settled by a guess.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::WalletAddress;

/// The label set shipped with Kimiko.
pub const SHIPPED_LABELS: &str = include_str!("labels.json");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    Exchange,
    Bridge,
    PrivacyProtocol,
    Mev,
    /// A gasless service that pays other wallets' fees (a fee relayer).
    Relayer,
    Other,
}

impl LabelKind {
    pub fn describe(self) -> &'static str {
        match self {
            LabelKind::Exchange => "exchange",
            LabelKind::Bridge => "bridge",
            LabelKind::PrivacyProtocol => "privacy protocol",
            LabelKind::Mev => "MEV service",
            LabelKind::Relayer => "fee relayer",
            LabelKind::Other => "known service",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub address: String,
    /// Who it is, e.g. "Binance".
    pub name: String,
    pub kind: LabelKind,
    /// Where the attribution comes from (an explorer's public tag, the
    /// entity's own documentation, …).
    pub source: String,
    /// How sure that source is, 0–100.
    pub confidence: u8,
    /// Disagreements between sources and other caveats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    #[allow(dead_code)]
    #[serde(default)]
    description: Option<String>,
    labels: Vec<Label>,
}

#[derive(Clone, Debug, Default)]
pub struct Labels {
    by_address: HashMap<String, Label>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    #[error("label file is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("label for {address} ({name}): the address is not a valid Solana address")]
    BadAddress { address: String, name: String },
    #[error("label for {address} ({name}): confidence {confidence} is over 100")]
    BadConfidence { address: String, name: String, confidence: u8 },
}

impl Labels {
    /// The labels that ship with Kimiko.
    pub fn shipped() -> Self {
        Self::from_json(SHIPPED_LABELS).expect("shipped labels.json is valid (checked by tests)")
    }

    /// Parses a label file, validating every address and confidence.
    pub fn from_json(text: &str) -> Result<Self, LabelsError> {
        let file: LabelFile = serde_json::from_str(text)?;
        let mut labels = Self::default();
        for label in file.labels {
            labels.insert(label)?;
        }
        Ok(labels)
    }

    /// Adds an operator's labels on top; theirs win on the same address.
    pub fn extend_from_json(&mut self, text: &str) -> Result<usize, LabelsError> {
        let extra = Self::from_json(text)?;
        let count = extra.by_address.len();
        self.by_address.extend(extra.by_address);
        Ok(count)
    }

    fn insert(&mut self, label: Label) -> Result<(), LabelsError> {
        if WalletAddress::parse(&label.address).map(|w| w.as_str() != label.address).unwrap_or(true) {
            return Err(LabelsError::BadAddress { address: label.address, name: label.name });
        }
        if label.confidence > 100 {
            return Err(LabelsError::BadConfidence {
                address: label.address,
                name: label.name,
                confidence: label.confidence,
            });
        }
        self.by_address.insert(label.address.clone(), label);
        Ok(())
    }

    pub fn get(&self, address: &str) -> Option<&Label> {
        self.by_address.get(address)
    }

    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.by_address.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_label_is_a_32_byte_address_with_source_and_confidence() {
        let file: LabelFile = serde_json::from_str(SHIPPED_LABELS).unwrap();
        assert!(!file.labels.is_empty());
        for label in &file.labels {
            let mut bytes = [0u8; 64];
            let len = bs58::decode(&label.address).onto(&mut bytes[..]).unwrap_or(0);
            assert_eq!(len, 32, "{} ({}) does not decode to 32 bytes", label.address, label.name);
            assert!(!label.source.trim().is_empty(), "{} has no source", label.address);
            assert!(label.confidence <= 100, "{} confidence over 100", label.address);
        }
        let unique: std::collections::HashSet<_> = file.labels.iter().map(|l| &l.address).collect();
        assert_eq!(unique.len(), file.labels.len(), "an address is labelled twice");
        assert_eq!(Labels::shipped().len(), file.labels.len());
    }

    #[test]
    fn operator_labels_are_validated_and_win() {
        let mut labels = Labels::shipped();
        let bad = r#"{"labels":[{"address":"not-an-address","name":"x","kind":"other","source":"me","confidence":50}]}"#;
        assert!(matches!(labels.extend_from_json(bad), Err(LabelsError::BadAddress { .. })));
        let good = r#"{"labels":[{"address":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","name":"My label","kind":"other","source":"operator","confidence":70}]}"#;
        assert_eq!(labels.extend_from_json(good).unwrap(), 1);
        assert_eq!(labels.get("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA").unwrap().name, "My label");
    }
}
