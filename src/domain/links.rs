//! The link graph of a report: which addresses the wallet is tied to, and
//! how, and what following links beyond the wallet cost. Part of the
//! report's public JSON (`links`, `links_followed`), so fields change only
//! additively.

use serde::{Deserialize, Serialize};

/// What following links beyond the wallet cost and whether it was cut short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksFollowed {
    /// Other addresses looked up (from the network or the shared cache).
    pub lookups: u32,
    /// JSON-RPC calls spent on them, and the most allowed.
    pub rpc_calls: u32,
    pub rpc_budget: u32,
    /// Something was skipped (the budget ran out with links still to
    /// follow, or a lookup failed or was cut short), so a finding about a
    /// link may be missing.
    pub stopped_early: bool,
    /// Of the lookups, those that failed, were refused or were cut short:
    /// none of them was used.
    #[serde(default)]
    pub incomplete: u32,
}

/// What ties two addresses together in the link graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// `to` sent `from` its first SOL (a hop on the funding chain).
    FundedBy,
    /// `from` pays `to`.
    Pays,
    /// Money goes both ways between `from` and `to`.
    TwoWay,
    /// `to` signed transactions together with `from`.
    CoSigner,
    /// `to` paid `from`'s transaction fees.
    FeePayer,
    /// `to` is `from`'s deposit address at an exchange: it sweeps what it
    /// receives on to the exchange.
    DepositAddress,
    /// `from` forwards what it receives to `to` (a deposit address's sweeps).
    SweepsTo,
}

/// One edge of the link graph. Addresses are base58; `label` names `to`
/// when it is a known entity ("Binance"). Both ends may be on-chain data and
/// are escaped wherever they are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub from: String,
    pub to: String,
    pub kind: LinkKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The finding that reports this link, if one does (its `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    /// A short fact for the edge ("3 payments, 12.5 SOL", "2 hops").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
