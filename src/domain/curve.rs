//! Whether 32 bytes are a point on the ed25519 curve: the one test that
//! tells a keypair's public key (on the curve) from a program-derived
//! address (chosen off it, so no private key can sign for it). The Solana
//! runtime decides with exactly this test (decompressing the bytes as an
//! Edwards point). Here, below both its users: `analysis` (is this address
//! a person's wallet?) and `solana` (deriving a program address, as the
//! runtime's `find_program_address` does, must skip bumps that land on
//! the curve).

use curve25519_dalek::edwards::CompressedEdwardsY;

/// True when `bytes` decompress to a point on the ed25519 curve.
pub fn is_on_curve(bytes: &[u8; 32]) -> bool {
    CompressedEdwardsY(*bytes).decompress().is_some()
}

/// The 32 bytes of a base58 address, or `None` when it is not one.
pub fn address_bytes(address: &str) -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    match bs58::decode(address).onto(&mut bytes) {
        Ok(32) => Some(bytes),
        _ => None,
    }
}
