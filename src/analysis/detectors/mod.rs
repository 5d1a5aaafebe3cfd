//! Every detector Kimiko runs, one file per family. [`ALL`] is the one list
//! the engine, the methodology page and the tests read.

pub mod amount;
pub mod balance;
pub mod cadence;
pub mod counterparty;
pub mod dust;
pub mod fee_payer;
pub mod fingerprint;
pub mod funding;
pub mod history;
pub mod hops;
pub mod identity;
pub mod known_entity;
pub mod memo;
pub mod signer;
pub mod staking;
pub mod timing;
pub mod token_account;

use super::detector::{Detector, DetectorInfo};

pub use super::evidence::MAX_SIGNATURES;

/// In the order the methodology page lists them: identity and money trails
/// first, habits last.
pub static ALL: &[Detector] = &[
    known_entity::EXCHANGE,
    known_entity::BRIDGE,
    known_entity::PRIVACY_PROTOCOL,
    known_entity::OTHER,
    funding::SOURCE,
    funding::OUT_OF_VIEW,
    hops::INDIRECT_EXCHANGE,
    hops::VIA_HUB,
    hops::EXCHANGE_DEPOSIT,
    fee_payer::EXTERNAL,
    signer::OVERLAP,
    counterparty::CONCENTRATION,
    counterparty::TWO_WAY,
    memo::PERSONAL_DATA,
    memo::USAGE,
    identity::DOMAIN,
    identity::NFT_CREATOR,
    token_account::CREATED_FOR_OTHERS,
    token_account::RENT_REFUND_LINK,
    timing::TIMEZONE,
    cadence::REGULAR_INTERVAL,
    cadence::BURST,
    fingerprint::PRIORITY_FEE,
    fingerprint::PROGRAM_SET,
    amount::ROUND,
    amount::REPEATED,
    dust::RECEIVED,
    balance::EXPOSURE,
    staking::DELEGATION,
    history::SIZE,
];

/// The metadata of every detector, in engine order.
pub fn infos() -> impl Iterator<Item = &'static DetectorInfo> {
    ALL.iter().map(|d| d.info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    #[test]
    fn ids_are_unique_and_prefixed_by_their_category() {
        let mut seen = std::collections::HashSet::new();
        for info in infos() {
            assert!(seen.insert(info.id), "duplicate detector id {}", info.id);
            let prefix = info.id.split('.').next().unwrap();
            let category = serde_json::to_value(info.category).unwrap();
            assert_eq!(category.as_str().unwrap(), prefix, "{}", info.id);
            assert!(info.max_penalty <= 40, "{} penalty too large", info.id);
            assert!(!info.looks_at.is_empty() && !info.limits.is_empty(), "{}", info.id);
        }
    }

    #[test]
    fn every_detector_of_the_public_contract_exists() {
        let ids: Vec<&str> = infos().map(|i| i.id).collect();
        for id in [
            "known_entity.exchange",
            "known_entity.bridge",
            "known_entity.privacy_protocol",
            "known_entity.other",
            "funding.source",
            "funding.out_of_view",
            "funding.indirect_exchange",
            "funding.hub",
            "counterparty.exchange_deposit",
            "fee_payer.external",
            "signer.overlap",
            "counterparty.concentration",
            "counterparty.two_way",
            "memo.personal_data",
            "memo.usage",
            "identity.domain",
            "identity.nft_creator",
            "token_account.created_for_others",
            "token_account.rent_refund_link",
            "timing.timezone",
            "timing.regular_interval",
            "timing.burst",
            "fingerprint.priority_fee",
            "fingerprint.program_set",
            "amount.round",
            "amount.repeated",
            "dust.received",
            "balance.exposure",
            "staking.delegation",
            "history.size",
        ] {
            assert!(ids.contains(&id), "{id} missing");
        }
    }

    #[test]
    fn severities_rise_with_the_harm_they_describe() {
        let severity = |id: &str| infos().find(|i| i.id == id).unwrap().severity;
        assert_eq!(severity("memo.personal_data"), Severity::Critical);
        assert_eq!(severity("known_entity.exchange"), Severity::High);
        assert!(severity("fingerprint.program_set") < severity("fee_payer.external"));
    }
}
