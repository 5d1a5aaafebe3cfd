//! Where a `.sol` name's accounts live: program-derived addresses of the
//! SPL Name Service program, computed exactly as the SNS SDKs compute them.
//!
//! Followed (Bonfida/sns-sdk at f4e4c2150ed85b1225a7921808db8aa8bbbdf388):
//! - `js/src/utils/getHashedNameSync.ts`: the hashed name is
//!   `sha256("SPL Name Service" + name)`;
//! - `js/src/utils/getNameAccountKeySync.ts`: the account is the PDA of
//!   `[hashed_name, class or 32 zero bytes, parent or 32 zero bytes]` under
//!   `namesLPneVptA9Z5rqUDD9tMTWEJwofgaYwp8cawRkX`;
//! - `js/src/utils/getDomainKeySync.ts` and
//!   `rust-crates/sns-sdk/src/derivation.rs`: a name's parent is the `.sol`
//!   TLD account `58PwtjSDuFHuUkYjH9BYnnQKHfwo9reZhC2zMJv9JPkx`; a
//!   subdomain's is its domain's account, and its label is hashed with a
//!   `"\0"` prefix;
//! - `js/src/record/getRecordKeySync.ts` (v1) and
//!   `js/src/record_v2/getRecordV2Key.ts` (v2): a record is a child of the
//!   name's (or subdomain's) account, its label the record's name behind
//!   `"\x01"` (v1, no class) or `"\x02"` (v2, class = the SNS records'
//!   central state `2pMnqHvei2N5oDcVGCRdZx48gqti199wr5CsyTTafsbo`). The
//!   Rust SDK's `get_record_key` hashes a subdomain's *domain* label there
//!   (`splitted[1]`), unlike the JS SDK and the records program; the JS
//!   SDK's `splitted[0]` is what is on chain, and what this follows;
//! - `js/src/nft/state.ts` and `js/src/nft/getDomainMint.ts`: a tokenized
//!   name's NFT record is the PDA of `["nft_record", name account]` and its
//!   mint of `["tokenized_name", name account]`, both under the name
//!   tokenizer `nftD3vbNkNqfj2Sd3HZwbpw4BxxKWr4AjGb9X38JeZk`.
//!
//! A PDA is found as the runtime's `find_program_address` finds it: the
//! first bump from 255 down whose `sha256(seeds ‖ bump ‖ program ‖
//! "ProgramDerivedAddress")` lies off the ed25519 curve.

use sha2::{Digest, Sha256};

use crate::domain::SolName;
use crate::domain::curve::{address_bytes, is_on_curve};

/// 32 bytes of an account address.
pub type Key = [u8; 32];

pub const NAME_PROGRAM: &str = "namesLPneVptA9Z5rqUDD9tMTWEJwofgaYwp8cawRkX";
pub const SOL_TLD_ACCOUNT: &str = "58PwtjSDuFHuUkYjH9BYnnQKHfwo9reZhC2zMJv9JPkx";
pub const RECORDS_V2_CLASS: &str = "2pMnqHvei2N5oDcVGCRdZx48gqti199wr5CsyTTafsbo";
pub const NAME_TOKENIZER: &str = "nftD3vbNkNqfj2Sd3HZwbpw4BxxKWr4AjGb9X38JeZk";
const HASH_PREFIX: &str = "SPL Name Service";

/// The bytes of one of the constants above.
pub fn key(address: &str) -> Key {
    address_bytes(address).expect("a 32-byte constant")
}

pub fn to_base58(key: &Key) -> String {
    bs58::encode(key).into_string()
}

/// `sha256("SPL Name Service" + name)`.
pub fn hashed_name(name: &str) -> Key {
    Sha256::digest(format!("{HASH_PREFIX}{name}").as_bytes()).into()
}

/// The address `seeds` and `bump` give under `program`, or `None` when it
/// lies on the curve (a key someone could hold), as the runtime decides.
pub fn create_program_address(seeds: &[&[u8]], bump: u8, program: &Key) -> Option<Key> {
    let mut hasher = Sha256::new();
    for seed in seeds {
        hasher.update(seed);
    }
    hasher.update([bump]);
    hasher.update(program);
    hasher.update(b"ProgramDerivedAddress");
    let candidate: Key = hasher.finalize().into();
    (!is_on_curve(&candidate)).then_some(candidate)
}

/// The first off-curve address from bump 255 down, and its bump.
pub fn find_program_address(seeds: &[&[u8]], program: &Key) -> (Key, u8) {
    (0..=u8::MAX)
        .rev()
        .find_map(|bump| create_program_address(seeds, bump, program).map(|key| (key, bump)))
        .expect("half of all hashes lie off the curve; 256 misses do not happen")
}

/// The name-service account for `label` under `parent` with `class`.
pub fn name_account(label: &str, class: Option<&Key>, parent: Option<&Key>) -> Key {
    let zero = [0u8; 32];
    let hashed = hashed_name(label);
    let seeds: [&[u8]; 3] = [&hashed, class.unwrap_or(&zero), parent.unwrap_or(&zero)];
    find_program_address(&seeds, &key(NAME_PROGRAM)).0
}

/// A name's account and the parent it is registered under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameKeys {
    pub account: Key,
    pub parent: Key,
}

/// `bonfida.sol` → its account under the `.sol` TLD; `dex.bonfida.sol` →
/// `"\0dex"` under `bonfida.sol`'s account.
pub fn name_keys(name: &SolName) -> NameKeys {
    let tld = key(SOL_TLD_ACCOUNT);
    let domain = name_account(name.domain(), None, Some(&tld));
    match name.subdomain() {
        None => NameKeys { account: domain, parent: tld },
        Some(sub) => {
            NameKeys { account: name_account(&format!("\0{sub}"), None, Some(&domain)), parent: domain }
        }
    }
}

/// Which records-program version a record key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordVersion {
    V1,
    V2,
}

/// The account of `record` (`"SOL"`, `"CNAME"`, …) of the name whose
/// account is `name_account`.
pub fn record_key(name_account_key: &Key, record: &str, version: RecordVersion) -> Key {
    match version {
        RecordVersion::V1 => name_account(&format!("\x01{record}"), None, Some(name_account_key)),
        RecordVersion::V2 => {
            name_account(&format!("\x02{record}"), Some(&key(RECORDS_V2_CLASS)), Some(name_account_key))
        }
    }
}

/// The NFT record of a tokenized name (active while the name is wrapped).
pub fn nft_record_key(name_account_key: &Key) -> Key {
    find_program_address(&[b"nft_record", name_account_key], &key(NAME_TOKENIZER)).0
}

/// The mint of a tokenized name's NFT.
pub fn nft_mint(name_account_key: &Key) -> Key {
    find_program_address(&[b"tokenized_name", name_account_key], &key(NAME_TOKENIZER)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> SolName {
        SolName::parse(text).unwrap()
    }

    /// Bonfida/sns-sdk @ f4e4c2150ed85b1225a7921808db8aa8bbbdf388,
    /// `js/tests/derivation.test.ts` (the same pairs are in
    /// `rust-crates/sns-sdk/src/derivation.rs`, tests `main_domain` and
    /// `sub_domain`).
    #[test]
    fn names_derive_to_the_accounts_the_sns_sdks_publish() {
        for (text, account) in [
            ("bonfida.sol", "Crf8hzfthWGbGbLTVCiqRqV5MVnbpHB1L9KQMd6gsinb"),
            ("dex.bonfida.sol", "HoFfFXqFHAC8RP3duuQNzag1ieUwJRBv1HtRNiWFq4Qu"),
        ] {
            assert_eq!(to_base58(&name_keys(&name(text)).account), account, "{text}");
        }
        let sub = name_keys(&name("dex.bonfida.sol"));
        assert_eq!(to_base58(&sub.parent), "Crf8hzfthWGbGbLTVCiqRqV5MVnbpHB1L9KQMd6gsinb");
        assert_eq!(to_base58(&name_keys(&name("bonfida.sol")).parent), SOL_TLD_ACCOUNT);
    }

    /// Bonfida/sns-sdk @ f4e4c2150ed85b1225a7921808db8aa8bbbdf388,
    /// `rust-crates/sns-sdk/src/record/mod.rs`, test `test_get_record_key`:
    /// the CNAME record of `something.sol`, v1 and v2.
    #[test]
    fn records_derive_to_the_accounts_the_sns_sdk_publishes() {
        let account = name_keys(&name("something.sol")).account;
        assert_eq!(
            to_base58(&record_key(&account, "CNAME", RecordVersion::V1)),
            "3RfzNCvEqEKZeohqVN16Z1oi6rw5TrANwqAo4hMx6njv"
        );
        assert_eq!(
            to_base58(&record_key(&account, "CNAME", RecordVersion::V2)),
            "6xdnfxf7URWom6oP7MMS39bFVEMMfufmFvJXFyd2xwoP"
        );
    }

    #[test]
    fn a_derived_address_is_off_the_curve_and_its_bump_reproduces_it() {
        let seeds: [&[u8]; 1] = [b"nft_record"];
        let (found, bump) = find_program_address(&seeds, &key(NAME_TOKENIZER));
        assert!(!is_on_curve(&found));
        assert_eq!(create_program_address(&seeds, bump, &key(NAME_TOKENIZER)), Some(found));
        // Every bump above the one found gives a point on the curve.
        for higher in (u16::from(bump) + 1)..=255 {
            assert_eq!(create_program_address(&seeds, higher as u8, &key(NAME_TOKENIZER)), None);
        }
    }
}
