//! `.sol` names on the pretend chain: registries, SOL records (v1 signed by
//! the owner's key, v2 signed by owner and destination) and tokenized
//! names, laid out in bytes as the name service and the SNS records
//! program lay them out, served by the mock RPC's `getAccountInfo`.

use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::chain::Chain;
use crate::domain::SolName;
use crate::domain::curve::address_bytes;
use crate::solana::sns::keys::{self, Key, NAME_PROGRAM, RecordVersion, to_base58};
use crate::solana::sns::{account_json, records};

/// Rent of a small name account (any realistic number will do).
const NAME_RENT: u64 = 2_000_000;

fn parse(name: &str) -> SolName {
    SolName::parse(name).expect("a valid test name")
}

fn bytes(address: &str) -> Key {
    address_bytes(address).expect("a 32-byte address")
}

/// A keypair from any seed text, for an owner who signs a v1 record.
pub fn keypair(seed: &str) -> (SigningKey, String) {
    let signing = SigningKey::from_bytes(&Sha256::digest(format!("keypair:{seed}").as_bytes()).into());
    let address = to_base58(&signing.verifying_key().to_bytes());
    (signing, address)
}

/// Registers `name` (`x.sol` or `sub.x.sol`) to `owner`; returns its account.
pub fn register(chain: &mut Chain, name: &str, owner: &str) -> String {
    let keys = keys::name_keys(&parse(name));
    let data = records::registry_data(&keys.parent, &bytes(owner), &[0; 32]);
    let account = to_base58(&keys.account);
    chain.set_account(&account, account_json(&data, NAME_PROGRAM, NAME_RENT));
    account
}

/// A v2 SOL record on `name` pointing to `destination`, signed (staleness)
/// by `signed_by_owner` and (right of association) by `signed_by_destination`.
pub fn set_sol_record_v2(
    chain: &mut Chain,
    name: &str,
    signed_by_owner: &str,
    signed_by_destination: &str,
    destination: &str,
) {
    let account = keys::name_keys(&parse(name)).account;
    let key = keys::record_key(&account, "SOL", RecordVersion::V2);
    let data = records::v2_record_data(
        &account,
        (1, &bytes(signed_by_owner)),
        (1, &bytes(signed_by_destination)),
        &bytes(destination),
    );
    chain.set_account(&to_base58(&key), account_json(&data, NAME_PROGRAM, NAME_RENT));
}

/// A v1 SOL record on `name` pointing to `destination`, signed by `signer`.
pub fn set_sol_record_v1(chain: &mut Chain, name: &str, signer: &SigningKey, destination: &str) {
    let account = keys::name_keys(&parse(name)).account;
    let key = keys::record_key(&account, "SOL", RecordVersion::V1);
    let destination = bytes(destination);
    let signature = signer.sign(&records::sol_record_v1_message(&destination, &key)).to_bytes();
    let header = records::registry_data(&account, &signer.verifying_key().to_bytes(), &[0; 32]);
    let data = [header, destination.to_vec(), signature.to_vec()].concat();
    chain.set_account(&to_base58(&key), account_json(&data, NAME_PROGRAM, NAME_RENT));
}

/// Wraps `name` as an NFT held by `holder`: the registry's owner becomes
/// the NFT record (a PDA), which is active, and the mint's largest account
/// holds the one token.
pub fn tokenize(chain: &mut Chain, name: &str, holder: &str) {
    let keys = keys::name_keys(&parse(name));
    let nft_record = keys::nft_record_key(&keys.account);
    let mint = keys::nft_mint(&keys.account);
    let registry = records::registry_data(&keys.parent, &nft_record, &[0; 32]);
    chain.set_account(&to_base58(&keys.account), account_json(&registry, NAME_PROGRAM, NAME_RENT));
    let record = [vec![2, 255], keys.account.to_vec(), bytes(holder).to_vec(), mint.to_vec()].concat();
    chain.set_account(&to_base58(&nft_record), account_json(&record, keys::NAME_TOKENIZER, NAME_RENT));
    let token_account = super::chain::address(&format!("nft-token-account:{name}"));
    let mut token = [mint.to_vec(), bytes(holder).to_vec(), 1u64.to_le_bytes().to_vec()].concat();
    token.resize(165, 0);
    chain.set_account(
        &token_account,
        account_json(&token, crate::domain::programs::TOKEN, super::chain::TOKEN_ACCOUNT_RENT),
    );
    chain.set_largest_token_accounts(
        &to_base58(&mint),
        vec![json!({"address": token_account, "amount": "1", "decimals": 0, "uiAmount": 1.0, "uiAmountString": "1"})],
    );
}
