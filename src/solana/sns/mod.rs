//! Resolving a `.sol` name (Solana Name Service) to the wallet it stands
//! for, through the configured RPC endpoints, as SNS-IP 5 and the SNS SDKs
//! do it (Bonfida/sns-sdk at f4e4c2150ed85b1225a7921808db8aa8bbbdf388,
//! `js/src/resolve/resolve.ts`):
//!
//! 1. read the name's registry, its NFT record and its SOL records v1 and
//!    v2 (one JSON-RPC batch of four `getAccountInfo` calls, base64);
//! 2. no registry: the name does not exist (never registered, or burned:
//!    SNS names do not expire, a burned one's account is closed); an owner
//!    of all zeros holds nothing either;
//! 3. an active NFT record: the name is tokenized, and the wallet is the
//!    NFT's holder (`getTokenLargestAccounts` of its mint, then that token
//!    account, which must hold exactly one);
//! 4. a SOL record v2 signed by the current owner and by the destination:
//!    the destination; one signed by an earlier owner is stale and
//!    ignored; one that is malformed or unverified stops resolution;
//! 5. a SOL record v1 signed by the owner: its destination;
//! 6. otherwise the registry's owner — unless it is program-derived (off
//!    the curve): a program holds the name, not a person.
//!
//! [`keys`] derives the accounts, [`records`] reads them.

pub mod keys;
pub mod records;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use self::keys::{Key, NAME_PROGRAM, RecordVersion, to_base58};
use self::records::V2Record;
use super::client::{Call, RpcError, SolanaRpc};
use crate::domain::curve::{address_bytes, is_on_curve};
use crate::domain::{SolName, WalletAddress};

/// Where the resolved wallet came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The registry's owner.
    Owner,
    /// The SOL record (v2) the owner set.
    SolRecordV2,
    /// The SOL record (v1) the owner signed.
    SolRecordV1,
    /// The holder of the tokenized name's NFT.
    NftHolder,
}

impl Via {
    pub fn describe(self) -> &'static str {
        match self {
            Via::Owner => "the name's owner",
            Via::SolRecordV2 => "the wallet its SOL record points to",
            Via::SolRecordV1 => "the wallet its (v1) SOL record points to",
            Via::NftHolder => "the holder of the name's NFT",
        }
    }
}

/// A name resolved to a wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub name: SolName,
    pub wallet: WalletAddress,
    pub via: Via,
}

/// Why a name has no wallet. Every variant but `Rpc` is an answer about
/// the name; `Rpc` means the node could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{0} is not a registered .sol name.")]
    NotFound(SolName),
    #[error("{0} has no owner: it was released or burned.")]
    Unowned(SolName),
    #[error("{0} is held by a program, not a wallet, so there is no wallet to analyse.")]
    ProgramOwned(SolName),
    #[error(
        "{name}'s SOL record can't be trusted ({why}), so Kimiko won't guess its wallet; paste the address instead."
    )]
    BadRecord { name: SolName, why: &'static str },
    #[error("{0} is a tokenized name whose NFT holder could not be found; paste the wallet address instead.")]
    NftHolderUnknown(SolName),
    #[error("Solana RPC: {0}")]
    Rpc(#[from] RpcError),
}

impl ResolveError {
    /// An answer about the name (show it to the person), not a failure to ask.
    pub fn is_about_the_name(&self) -> bool {
        !matches!(self, ResolveError::Rpc(_))
    }
}

/// `getAccountInfo`'s `value`: mainnet's shape with `encoding: base64`.
#[derive(Debug, Deserialize)]
pub struct AccountInfo {
    /// `[base64 text, "base64"]`
    pub data: (String, String),
    /// The program that owns the account.
    pub owner: String,
}

#[derive(Debug, Deserialize)]
struct WithContext<T> {
    value: T,
}

#[derive(Debug, Deserialize)]
struct LargestAccount {
    address: String,
    amount: String,
}

fn account_call(key: &Key) -> Call {
    ("getAccountInfo", json!([to_base58(key), {"encoding": "base64", "commitment": "confirmed"}]))
}

/// The account's bytes; an account in another encoding than asked is a
/// malformed answer.
pub fn account_data(account: &AccountInfo) -> Result<Vec<u8>, RpcError> {
    let malformed = |message: String| RpcError::Malformed { host: "getAccountInfo".into(), message };
    if account.data.1 != "base64" {
        return Err(malformed(format!("account data in {} encoding", account.data.1)));
    }
    base64::engine::general_purpose::STANDARD.decode(&account.data.0).map_err(|e| malformed(e.to_string()))
}

fn wallet(key: &Key) -> WalletAddress {
    WalletAddress::parse(&to_base58(key)).expect("32 bytes are an address")
}

/// Resolves `name` (at most 4 calls, plus 2 for a tokenized name).
pub async fn resolve(rpc: &SolanaRpc, name: &SolName) -> Result<Resolved, ResolveError> {
    let name_keys = keys::name_keys(name);
    let account = name_keys.account;
    let nft_record = keys::nft_record_key(&account);
    let v1_key = keys::record_key(&account, "SOL", RecordVersion::V1);
    let v2_key = keys::record_key(&account, "SOL", RecordVersion::V2);
    let calls =
        vec![account_call(&account), account_call(&nft_record), account_call(&v1_key), account_call(&v2_key)];
    let mut answers = rpc.call_many::<WithContext<Option<AccountInfo>>>(calls).await?.into_iter();
    let mut next = || -> Result<Option<AccountInfo>, RpcError> {
        answers.next().expect("one answer per call").map(|answer| answer.value)
    };
    let (registry, nft_record, v1, v2) = (next()?, next()?, next()?, next()?);
    let resolved =
        |wallet_key: &Key, via| Ok(Resolved { name: name.clone(), wallet: wallet(wallet_key), via });

    // Only the name program can have made an account at this address, with
    // this parent; anything else is not this name's registry.
    let registry = match &registry {
        Some(account) if account.owner == NAME_PROGRAM => account_data(account)?,
        _ => return Err(ResolveError::NotFound(name.clone())),
    };
    let Some(header) = records::registry(&registry).filter(|h| h.parent == name_keys.parent) else {
        return Err(ResolveError::NotFound(name.clone()));
    };
    if header.owner == [0; 32] {
        return Err(ResolveError::Unowned(name.clone()));
    }

    if let Some(nft_record) = &nft_record
        && records::nft_record_active(&account_data(nft_record)?)
    {
        return match nft_holder(rpc, &account).await? {
            Some(holder) => resolved(&holder, Via::NftHolder),
            None => Err(ResolveError::NftHolderUnknown(name.clone())),
        };
    }
    if let Some(v2) = &v2 {
        match records::sol_record_v2(&account_data(v2)?, &header.owner) {
            V2Record::Points(destination) => return resolved(&destination, Via::SolRecordV2),
            V2Record::Stale => {}
            V2Record::Invalid(why) => return Err(ResolveError::BadRecord { name: name.clone(), why }),
        }
    }
    if let Some(v1) = &v1
        && let Some(destination) = records::sol_record_v1(&account_data(v1)?, &v1_key, &header.owner)
    {
        return resolved(&destination, Via::SolRecordV1);
    }
    if !is_on_curve(&header.owner) {
        return Err(ResolveError::ProgramOwned(name.clone()));
    }
    resolved(&header.owner, Via::Owner)
}

/// The holder of a tokenized name's NFT, as `retrieveNftOwnerV2.ts`: the
/// mint's largest account, if it holds exactly one. A mint the node does
/// not know (-32602) has no holder.
async fn nft_holder(rpc: &SolanaRpc, name_account: &Key) -> Result<Option<Key>, RpcError> {
    let mint = to_base58(&keys::nft_mint(name_account));
    let largest: Result<WithContext<Vec<LargestAccount>>, RpcError> =
        rpc.call("getTokenLargestAccounts", json!([mint, {"commitment": "confirmed"}])).await;
    let largest = match largest {
        Ok(largest) => largest.value,
        Err(RpcError::Rpc { code: -32602, .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some(first) = largest.first().filter(|a| a.amount == "1") else {
        return Ok(None);
    };
    let Some(address) = address_bytes(&first.address) else {
        return Ok(None);
    };
    let (method, params): Call = account_call(&address);
    let account: WithContext<Option<AccountInfo>> = rpc.call(method, params).await?;
    match account.value {
        Some(account) => Ok(records::single_token_holder(&account_data(&account)?)),
        None => Ok(None),
    }
}

/// The JSON a node sends for an account (`getAccountInfo`, base64), for
/// the mock RPC and tests.
pub fn account_json(data: &[u8], owner_program: &str, lamports: u64) -> Value {
    json!({
        "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"],
        "executable": false,
        "lamports": lamports,
        "owner": owner_program,
        "rentEpoch": u64::MAX,
        "space": data.len(),
    })
}
