//! Every detector Kimiko runs, one file per family. [`ALL`] is the one list
//! the engine, the methodology page and the tests read.

pub mod counterparty;
pub mod known_entity;
pub mod memo;
pub mod timing;

use super::detector::{Detector, DetectorInfo};

/// How many signatures a finding lists as evidence at most.
pub const MAX_SIGNATURES: usize = 5;

pub static ALL: &[Detector] = &[
    known_entity::EXCHANGE,
    known_entity::BRIDGE,
    known_entity::PRIVACY_PROTOCOL,
    known_entity::OTHER,
    counterparty::CONCENTRATION,
    memo::PERSONAL_DATA,
    timing::TIMEZONE,
];

/// The metadata of every detector, in engine order.
pub fn infos() -> impl Iterator<Item = &'static DetectorInfo> {
    ALL.iter().map(|d| d.info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed_by_their_category() {
        let mut seen = std::collections::HashSet::new();
        for info in infos() {
            assert!(seen.insert(info.id), "duplicate detector id {}", info.id);
            let prefix = info.id.split('.').next().unwrap();
            let category = serde_json::to_value(info.category).unwrap();
            assert_eq!(category.as_str().unwrap(), prefix, "{}", info.id);
            assert!(info.max_penalty <= 40, "{} penalty too large", info.id);
            assert!(
                !info.looks_at.is_empty() && !info.limits.is_empty(),
                "{}",
                info.id
            );
        }
    }
}
