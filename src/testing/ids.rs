//! Deterministic names for a pretend ledger: wallet and program-derived
//! addresses and signatures from seed text, and the amounts and mint every
//! test ledger uses. A leaf of `testing`: the ledger ([`super::chain`]) and
//! the transaction builder ([`super::transaction`]) both draw on it.

use sha2::{Digest, Sha256};

use crate::analysis::address::is_program_derived;

/// Lamports in one SOL.
pub const SOL: u64 = 1_000_000_000;
/// USDC's mint: a real address for realistic token transfers.
pub const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
/// The rent-exempt minimum of a token account, as on mainnet.
pub const TOKEN_ACCOUNT_RENT: u64 = 2_039_280;

/// A deterministic wallet address (on the ed25519 curve, like every keypair's
/// public key) from any seed text.
pub fn address(seed: &str) -> String {
    derived(seed, |candidate| !is_program_derived(candidate))
}

/// A deterministic program-derived address (off the curve, like a pool vault
/// or a bonding curve) from any seed text.
pub fn program_address(seed: &str) -> String {
    derived(seed, is_program_derived)
}

/// The first of `sha256(seed)`, `sha256(seed#1)`, … that `wanted` accepts;
/// about half of all 32-byte strings lie on the curve, so this ends quickly.
fn derived(seed: &str, wanted: impl Fn(&str) -> bool) -> String {
    (0u32..)
        .map(|n| {
            let text = if n == 0 { seed.to_owned() } else { format!("{seed}#{n}") };
            bs58::encode(Sha256::digest(text.as_bytes())).into_string()
        })
        .find(|candidate| wanted(candidate))
        .expect("some candidate fits")
}

/// A deterministic 64-byte signature from any seed text.
pub fn signature(seed: &str) -> String {
    let a = Sha256::digest(format!("sig-a:{seed}").as_bytes());
    let b = Sha256::digest(format!("sig-b:{seed}").as_bytes());
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&a);
    bytes[32..].copy_from_slice(&b);
    bs58::encode(bytes).into_string()
}
