//! What kind of account an address can be. A wallet's address is an ed25519
//! public key, so it lies on the curve; a program-derived address (a pool
//! vault, a bonding curve, an escrow) is chosen to lie off it, so that no
//! private key can sign for it. The runtime decides with exactly this test
//! (decompressing the 32 bytes as an Edwards point), and so does Kimiko
//! ([`crate::domain::curve`], shared with the name-service lookups).

use crate::domain::curve::{address_bytes, is_on_curve};

/// True when `address` is 32 bytes of base58 that are not a point on the
/// ed25519 curve: an account only a program can sign for, never a person's
/// wallet. Anything that does not decode is not called program-derived, so a
/// finding about it is kept rather than dropped.
pub fn is_program_derived(address: &str) -> bool {
    address_bytes(address).is_some_and(|bytes| !is_on_curve(&bytes))
}

/// True when `address` could be a person's wallet (or any keypair account).
pub fn could_be_wallet(address: &str) -> bool {
    !is_program_derived(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_wallets_are_on_the_curve_and_real_pdas_are_not() {
        // Binance's hot wallet and the USDC mint are keypair addresses.
        assert!(could_be_wallet("5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9"));
        assert!(could_be_wallet("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"));
        // Program-derived accounts on mainnet: Raydium's AMM v4 authority
        // (seed "amm authority") and pump.fun's global state (seed "global").
        assert!(is_program_derived("5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1"));
        assert!(is_program_derived("4wTV1YmiEkRvAtNtsSGPtUrqRYQMe5SKy2uB4Jjaxnjf"));
    }

    #[test]
    fn text_that_is_not_an_address_is_never_called_program_derived() {
        assert!(!is_program_derived("not an address"));
        assert!(!is_program_derived("abc"));
        assert!(!is_program_derived(""));
    }
}
