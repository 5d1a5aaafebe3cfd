//! `WalletAddress::parse` on arbitrary text: it never panics, and what it
//! accepts is exactly a 32-byte base58 key that survives a round trip.
#![no_main]

use kimiko::domain::WalletAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(wallet) = WalletAddress::parse(text) else {
        return;
    };
    let accepted = wallet.as_str();
    assert!((32..=44).contains(&accepted.len()), "{accepted:?}");
    assert!(accepted.is_ascii() && accepted.trim() == accepted);
    let bytes = kimiko_fuzz_bs58(accepted);
    assert_eq!(bytes.len(), 32, "{accepted:?}");
    // Parsing what we accepted gives the same value, through serde too.
    assert_eq!(WalletAddress::parse(accepted).as_ref(), Ok(&wallet));
    let json = serde_json::to_string(&wallet).unwrap();
    assert_eq!(serde_json::from_str::<WalletAddress>(&json).unwrap(), wallet);
    let _ = wallet.short();
});

/// Decodes base58 by hand (the alphabet Solana uses), independently of the
/// `bs58` crate the parser relies on.
fn kimiko_fuzz_bs58(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes: Vec<u8> = Vec::new();
    for c in text.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c).expect("base58 digit") as u32;
        for byte in bytes.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(bytes.into_iter().skip_while(|b| *b == 0));
    out
}
