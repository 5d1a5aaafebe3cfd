//! Reading a name's accounts: the name registry header, the SOL records
//! (v2 and v1) with the checks that make one trustworthy, a tokenized
//! name's NFT record, and the token account holding its NFT. Pure functions
//! of account bytes, so every rule is tested without a node.
//!
//! Followed (Bonfida/sns-sdk at f4e4c2150ed85b1225a7921808db8aa8bbbdf388,
//! `js/src/resolve/resolve.ts`, "Resolve function according to SNS-IP 5",
//! and `js/src/state.ts`; Bonfida/sns-records at
//! 34a2ab7e978fd9b5de372fb2976ad709161dc701, `program/src/state/record_header.rs`,
//! `program/src/state/validation.rs` and
//! `program/src/processor/validate_solana_signature.rs`):
//! - a name registry is a 96-byte header — parent, owner, class, 32 bytes
//!   each — and then the name's data;
//! - a v2 record is that header, then `staleness_validation: u16`,
//!   `right_of_association_validation: u16`, `content_length: u32` (little
//!   endian), then the staleness id, the right-of-association id (each as
//!   long as its validation says: none 0, Solana 32, Ethereum 20,
//!   unverified Solana 32, cross-chain 34), then the content. The records
//!   program writes the staleness id first (as the JS `Record` class reads
//!   it; the Rust SDK's `parse_record_v2` reads them the other way round);
//! - a v1 SOL record's data is the destination (32 bytes) and an ed25519
//!   signature (64) by the name's owner of the hex text of
//!   `destination ‖ record account`, checked strictly
//!   (`record_v1.rs: check_sol_record` uses `verify_strict`);
//! - an NFT record's first byte is its tag, 2 while the name is tokenized
//!   (`js/src/nft/state.ts`); an SPL token account is mint (32), owner
//!   (32), amount (u64 little endian), …

use super::keys::Key;

/// The name registry header's length.
pub const HEADER_LEN: usize = 96;

/// A name registry account's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registry {
    pub parent: Key,
    pub owner: Key,
    pub class: Key,
}

/// The header of a name registry account, `None` when the data is too short.
pub fn registry(data: &[u8]) -> Option<Registry> {
    let header = data.get(..HEADER_LEN)?;
    let part = |i: usize| -> Key { header[i * 32..(i + 1) * 32].try_into().expect("32 bytes") };
    Some(Registry { parent: part(0), owner: part(1), class: part(2) })
}

/// What a SOL record v2 says, by SNS-IP 5's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V2Record {
    /// Signed by the name's current owner and by the destination: the wallet.
    Points(Key),
    /// Signed by an earlier owner: ignored, as if absent.
    Stale,
    /// Not 32 bytes, not validated by Solana signatures, or the destination
    /// did not sign: the SDK refuses to resolve the name at all.
    Invalid(&'static str),
}

const VALIDATION_NONE: u16 = 0;
const VALIDATION_SOLANA: u16 = 1;

fn validation_len(validation: u16) -> Option<usize> {
    match validation {
        VALIDATION_NONE => Some(0),
        VALIDATION_SOLANA => Some(32),
        2 => Some(20),
        3 => Some(32),
        4 => Some(34),
        _ => None,
    }
}

/// Checks a SOL record v2 (`data`: the whole account) against the name's
/// `owner`, as `resolve.ts` does: content of 32 bytes, both validations
/// Solana, staleness id = the owner (else stale), right-of-association id
/// = the content.
pub fn sol_record_v2(data: &[u8], owner: &Key) -> V2Record {
    let Some(head) = data.get(HEADER_LEN..HEADER_LEN + 8) else {
        return V2Record::Invalid("the record is shorter than its header");
    };
    let staleness = u16::from_le_bytes([head[0], head[1]]);
    let roa = u16::from_le_bytes([head[2], head[3]]);
    let content_length = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
    let (Some(staleness_len), Some(roa_len)) = (validation_len(staleness), validation_len(roa)) else {
        return V2Record::Invalid("the record names an unknown validation");
    };
    let body = &data[HEADER_LEN + 8..];
    let ids = staleness_len + roa_len;
    let Some(content) = body.get(ids..ids + content_length) else {
        return V2Record::Invalid("the record is shorter than it says");
    };
    if content.len() != 32 {
        return V2Record::Invalid("the record does not hold a 32-byte address");
    }
    if staleness != VALIDATION_SOLANA || roa != VALIDATION_SOLANA {
        return V2Record::Invalid("the record is not verified by Solana signatures");
    }
    let staleness_id = &body[..staleness_len];
    let roa_id = &body[staleness_len..ids];
    if staleness_id != owner {
        return V2Record::Stale;
    }
    if roa_id != content {
        return V2Record::Invalid("the destination wallet did not sign the record");
    }
    V2Record::Points(content.try_into().expect("32 bytes"))
}

/// The destination of a SOL record v1 (`data`: the whole account at
/// `record_key`) when the name's `owner` signed it; `None` otherwise.
pub fn sol_record_v1(data: &[u8], record_key: &Key, owner: &Key) -> Option<Key> {
    let body = data.get(HEADER_LEN..HEADER_LEN + 96)?;
    let destination: Key = body[..32].try_into().expect("32 bytes");
    let signature: [u8; 64] = body[32..].try_into().expect("64 bytes");
    let key = ed25519_dalek::VerifyingKey::from_bytes(owner).ok()?;
    let signature = ed25519_dalek::Signature::from_bytes(&signature);
    key.verify_strict(&sol_record_v1_message(&destination, record_key), &signature).ok().map(|()| destination)
}

/// The message a v1 SOL record's owner signs (for tests that make one).
pub fn sol_record_v1_message(destination: &Key, record_key: &Key) -> Vec<u8> {
    hex::encode([&destination[..], &record_key[..]].concat()).into_bytes()
}

/// Whether an NFT record says the name is tokenized (tag `ActiveRecord`).
pub fn nft_record_active(data: &[u8]) -> bool {
    data.first() == Some(&2)
}

/// The owner of an SPL token account holding exactly one token (the NFT).
pub fn single_token_holder(data: &[u8]) -> Option<Key> {
    let owner: Key = data.get(32..64)?.try_into().ok()?;
    let amount = u64::from_le_bytes(data.get(64..72)?.try_into().ok()?);
    (amount == 1).then_some(owner)
}

/// A v2 record's account data, for tests and the mock chain:
/// `(staleness validation, staleness id)`, `(RoA validation, RoA id)`, content.
pub fn v2_record_data(parent: &Key, staleness: (u16, &[u8]), roa: (u16, &[u8]), content: &[u8]) -> Vec<u8> {
    let mut data = registry_data(parent, &[0; 32], &super::keys::key(super::keys::RECORDS_V2_CLASS));
    data.extend_from_slice(&staleness.0.to_le_bytes());
    data.extend_from_slice(&roa.0.to_le_bytes());
    data.extend_from_slice(&(content.len() as u32).to_le_bytes());
    data.extend_from_slice(staleness.1);
    data.extend_from_slice(roa.1);
    data.extend_from_slice(content);
    data
}

/// A registry header's bytes.
pub fn registry_data(parent: &Key, owner: &Key, class: &Key) -> Vec<u8> {
    [&parent[..], &owner[..], &class[..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    const PARENT: Key = [7; 32];

    fn keypair(seed: u8) -> (SigningKey, Key) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let public = signing.verifying_key().to_bytes();
        (signing, public)
    }

    #[test]
    fn the_registry_header_is_parent_owner_class() {
        let data = [registry_data(&[1; 32], &[2; 32], &[3; 32]), vec![9; 10]].concat();
        let header = registry(&data).unwrap();
        assert_eq!((header.parent, header.owner, header.class), ([1; 32], [2; 32], [3; 32]));
        assert_eq!(registry(&data[..95]), None);
    }

    #[test]
    fn a_v2_record_counts_only_when_owner_and_destination_both_signed() {
        let (_, owner) = keypair(1);
        let (_, wallet) = keypair(2);
        let sol = VALIDATION_SOLANA;
        let good = v2_record_data(&PARENT, (sol, &owner), (sol, &wallet), &wallet);
        assert_eq!(sol_record_v2(&good, &owner), V2Record::Points(wallet));
        // Written by an earlier owner: stale, so ignored.
        let (_, earlier) = keypair(3);
        let stale = v2_record_data(&PARENT, (sol, &earlier), (sol, &wallet), &wallet);
        assert_eq!(sol_record_v2(&stale, &owner), V2Record::Stale);
        // The destination did not sign (its RoA id is someone else).
        let unsigned = v2_record_data(&PARENT, (sol, &owner), (sol, &earlier), &wallet);
        assert!(matches!(sol_record_v2(&unsigned, &owner), V2Record::Invalid(_)));
        // Not validated at all, or not 32 bytes.
        let none = v2_record_data(&PARENT, (VALIDATION_NONE, &[]), (VALIDATION_NONE, &[]), &wallet);
        assert!(matches!(sol_record_v2(&none, &owner), V2Record::Invalid(_)));
        let short = v2_record_data(&PARENT, (sol, &owner), (sol, &wallet), &wallet[..20]);
        assert!(matches!(sol_record_v2(&short, &owner), V2Record::Invalid(_)));
        assert!(matches!(sol_record_v2(&good[..good.len() - 1], &owner), V2Record::Invalid(_)));
        assert!(matches!(sol_record_v2(&good[..100], &owner), V2Record::Invalid(_)));
    }

    #[test]
    fn a_v1_record_counts_only_with_the_owners_signature_over_destination_and_record_key() {
        let (owner_key, owner) = keypair(1);
        let (_, wallet) = keypair(2);
        let record_key = [5u8; 32];
        let signature = owner_key.sign(&sol_record_v1_message(&wallet, &record_key)).to_bytes();
        let data = [registry_data(&PARENT, &owner, &[0; 32]), wallet.to_vec(), signature.to_vec()].concat();
        assert_eq!(sol_record_v1(&data, &record_key, &owner), Some(wallet));
        // Another record account, another signer, or a truncated record: no.
        assert_eq!(sol_record_v1(&data, &[6u8; 32], &owner), None);
        let (_, stranger) = keypair(3);
        assert_eq!(sol_record_v1(&data, &record_key, &stranger), None);
        assert_eq!(sol_record_v1(&data[..150], &record_key, &owner), None);
    }

    #[test]
    fn an_nft_holder_is_the_owner_of_the_account_with_the_one_token() {
        let account = [vec![1; 32], vec![4; 32], 1u64.to_le_bytes().to_vec(), vec![0; 93]].concat();
        assert_eq!(single_token_holder(&account), Some([4; 32]));
        let empty = [vec![1; 32], vec![4; 32], 0u64.to_le_bytes().to_vec()].concat();
        assert_eq!(single_token_holder(&empty), None);
        assert!(nft_record_active(&[2, 0]));
        assert!(!nft_record_active(&[3, 0]));
    }
}
