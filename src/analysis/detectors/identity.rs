//! Public identity attached to the wallet: `.sol` names resolve to it, and
//! tokens or NFTs it creates carry its address as their authority next to a
//! name, an image and often a website.

use std::collections::BTreeSet;

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::domain::history::Event;
use crate::domain::programs;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const DOMAIN: Detector = Detector { info: &DOMAIN_INFO, detect: domain };
pub const NFT_CREATOR: Detector = Detector { info: &NFT_CREATOR_INFO, detect: nft_creator };

static DOMAIN_INFO: DetectorInfo = DetectorInfo {
    id: "identity.domain",
    title: "Activity with the .sol name service",
    category: Category::Identity,
    looks_at: "Executed transactions in the history that invoke the Solana Name Service program or Bonfida's SNS registrar — registering, renewing, transferring or setting a .sol name. Any such transaction is high (20 points).",
    severity: Severity::High,
    max_penalty: 20,
    limits: "Name-service instructions arrive unparsed, so Kimiko cannot read which name was involved or tell a registration from a transfer away; confidence is lower when someone else signed. Names from other naming services (e.g. AllDomains) are not recognised yet.",
};

static NFT_CREATOR_INFO: DetectorInfo = DetectorInfo {
    id: "identity.nft_creator",
    title: "Wallet created tokens or NFTs",
    category: Category::Identity,
    looks_at: "Mints initialised with the wallet as mint authority, and mints the wallet minted new supply of, in executed transactions. One mint is medium (8 points); two or more, medium (12). Mints with 0 decimals, or created alongside the Metaplex metadata program, are reported as NFTs.",
    severity: Severity::Medium,
    max_penalty: 12,
    limits: "Metadata (name, image, links) is not fetched, so Kimiko cannot say how much it reveals; a mint authority delegated to a launchpad or program is not attributed to the wallet, and mints made in a transaction that calls a Metaplex Candy Machine or Candy Guard are the buyer's purchase, not a creation. Launchpads Kimiko does not know may still be reported.",
};

fn domain(ctx: &Context) -> Option<Finding> {
    let name_service =
        |program: &String| program == programs::NAME_SERVICE || program == programs::SNS_REGISTRAR;
    let txs: Vec<_> = ctx.successful().filter(|tx| tx.programs.iter().any(name_service)).collect();
    if txs.is_empty() {
        return None;
    }
    let signed = txs.iter().filter(|tx| tx.signers.iter().any(|s| s == ctx.wallet)).count();
    let mut evidence = vec![
        Evidence::count("name-service transactions", txs.len()),
        Evidence::count("signed by this wallet", signed),
    ];
    evidence.extend(evidence::signatures(
        "name-service transaction",
        txs.iter().rev().map(|tx| tx.signature.as_str()),
    ));
    Some(
        DOMAIN_INFO
            .finding(Severity::High, 100)
            .confidence(if signed > 0 { 75 } else { 50 })
            .explanation(format!(
                "This wallet took part in {} with the .sol name service. A .sol name resolves publicly to its owner's wallet and back, and names are usually chosen to be recognised — a nickname, a brand, a real name — so anyone who knows the name can find this wallet and everything it did.",
                plural(txs.len(), "transaction")
            ))
            .recommendation("Keep .sol names on a wallet you use as a public identity only. Move funds you want kept private to a wallet with no name, through an intermediate step rather than directly.")
            .evidence(evidence)
            .build(),
    )
}

fn nft_creator(ctx: &Context) -> Option<Finding> {
    let mut mints: BTreeSet<&str> = BTreeSet::new();
    let mut nfts: BTreeSet<&str> = BTreeSet::new();
    let mut signatures: Vec<&str> = Vec::new();
    for tx in ctx.successful().collect::<Vec<_>>().into_iter().rev() {
        // Buying from a candy machine makes the buyer the mint's authority
        // for one transaction: the NFT is the collection creator's, not ours.
        if tx.programs.iter().any(|p| programs::MINT_FOR_BUYER.contains(&p.as_str())) {
            continue;
        }
        let metaplex = tx.programs.iter().any(|p| p == programs::METAPLEX_METADATA);
        for event in &tx.events {
            let (mint, nft) = match event {
                Event::MintInitialized { mint, mint_authority: Some(authority), decimals }
                    if authority == ctx.wallet =>
                {
                    (mint.as_str(), *decimals == 0 || metaplex)
                }
                Event::TokensMinted { mint, authority, .. } if authority == ctx.wallet => {
                    (mint.as_str(), metaplex)
                }
                _ => continue,
            };
            mints.insert(mint);
            if nft {
                nfts.insert(mint);
            }
            if signatures.last() != Some(&tx.signature.as_str()) {
                signatures.push(&tx.signature);
            }
        }
    }
    if mints.is_empty() {
        return None;
    }
    let what = match (nfts.len(), mints.len() - nfts.len()) {
        (0, tokens) => plural(tokens, "token"),
        (nfts, 0) => plural(nfts, "NFT"),
        (nfts, tokens) => format!("{} and {}", plural(nfts, "NFT"), plural(tokens, "other token")),
    };
    let mut evidence: Vec<Evidence> = mints
        .iter()
        .take(5)
        .map(|mint| {
            Evidence::address("mint created by this wallet", *mint).with_detail(if nfts.contains(mint) {
                "NFT"
            } else {
                "token"
            })
        })
        .collect();
    evidence.push(Evidence::count("mints", mints.len()));
    evidence.extend(evidence::signatures("minting transaction", signatures));
    Some(
        NFT_CREATOR_INFO
            .finding(Severity::Medium, if mints.len() >= 2 { 100 } else { 65 })
            .confidence(if nfts.is_empty() { 75 } else { 85 })
            .explanation(format!(
                "This wallet created {what}. A mint names its authority publicly, and collections and tokens are promoted with a name, artwork and links — often to a website or social account — so the wallet that created them is easy to tie to a person or project.",
            ))
            .recommendation("Create collections and tokens from a wallet dedicated to that project, and keep personal funds in wallets that never mint or receive mint proceeds directly.")
            .evidence(evidence)
            .build(),
    )
}
