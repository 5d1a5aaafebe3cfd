//! A Solana wallet address: base58 text that decodes to exactly 32 bytes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest base58 text a 32-byte value can encode to.
pub const MAX_WALLET_CHARS: usize = 44;
/// The shortest (a key with many leading zero bytes encodes to fewer
/// characters, but 32 is the practical floor and anything shorter is a typo).
pub const MIN_WALLET_CHARS: usize = 32;

/// A validated Solana address. The only way to make one is [`WalletAddress::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct WalletAddress(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    #[error("Enter a Solana wallet address or a .sol name.")]
    Empty,
    #[error("A Solana address is at most {MAX_WALLET_CHARS} characters; this one has {0}.")]
    TooLong(usize),
    #[error("A Solana address is at least {MIN_WALLET_CHARS} characters; this one has {0}.")]
    TooShort(usize),
    #[error("“{0}” can't appear in a Solana address (base58 has no 0, O, I or l).")]
    InvalidCharacter(char),
    /// Zero-width spaces, direction overrides, control characters: nothing a
    /// person typed, often what a copy from a web page or chat smuggles in.
    #[error("The address contains an invisible character ({code}); paste it again or type it.", code = code_point(*.0))]
    Invisible(char),
    /// A letter from another script that looks like a Latin one (Cyrillic
    /// “а”, Greek “ο”, full-width digits): the mark of a look-alike address.
    #[error("“{0}” ({code}) is not one of the plain Latin letters and digits a Solana address is made of, though it may look like one. Check where you copied the address from.", code = code_point(*.0))]
    LookAlike(char),
    #[error("That decodes to {0} bytes; a Solana address is exactly 32.")]
    WrongLength(usize),
}

impl WalletAddress {
    /// Trims surrounding whitespace, then accepts only base58 (Bitcoin alphabet,
    /// as Solana uses) that decodes to exactly 32 bytes.
    pub fn parse(input: &str) -> Result<Self, WalletError> {
        let text = input.trim();
        let chars = text.chars().count();
        if chars == 0 {
            return Err(WalletError::Empty);
        }
        // Characters first: an invisible one would otherwise show up as a
        // puzzling "45 characters" for an address that looks right.
        if let Some(bad) = text.chars().find(|c| !is_base58(*c)) {
            return Err(if is_invisible(bad) {
                WalletError::Invisible(bad)
            } else if !bad.is_ascii() {
                WalletError::LookAlike(bad)
            } else {
                WalletError::InvalidCharacter(bad)
            });
        }
        if chars > MAX_WALLET_CHARS {
            return Err(WalletError::TooLong(chars));
        }
        if chars < MIN_WALLET_CHARS {
            return Err(WalletError::TooShort(chars));
        }
        let mut bytes = [0u8; 64];
        let decoded = bs58::decode(text).onto(&mut bytes[..]).map_err(|_| WalletError::WrongLength(33))?;
        if decoded != 32 {
            return Err(WalletError::WrongLength(decoded));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `AbCd…WxYz`: enough to recognise, short enough for a subject line.
    pub fn short(&self) -> String {
        shorten(&self.0)
    }
}

/// Shortens any base58 address or signature to its first and last four characters.
pub fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 11 {
        return text.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Control and format characters (zero-width, bidirectional, BOM, soft hyphen).
pub(super) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

pub(super) fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

fn is_base58(c: char) -> bool {
    matches!(c, '1'..='9' | 'A'..='H' | 'J'..='N' | 'P'..='Z' | 'a'..='k' | 'm'..='z')
}

impl fmt::Display for WalletAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for WalletAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Deserialising goes through `parse`, so a stored or received value is
/// always as valid as a freshly typed one.
impl<'de> Deserialize<'de> for WalletAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSTEM_PROGRAM: &str = "11111111111111111111111111111111";
    const TOKEN_PROGRAM: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

    #[test]
    fn accepts_real_addresses_and_trims_whitespace() {
        assert_eq!(WalletAddress::parse(TOKEN_PROGRAM).unwrap().as_str(), TOKEN_PROGRAM);
        assert_eq!(WalletAddress::parse(&format!("  {TOKEN_PROGRAM}\n\t")).unwrap().as_str(), TOKEN_PROGRAM);
        assert!(WalletAddress::parse(SYSTEM_PROGRAM).is_ok());
    }

    #[test]
    fn rejects_what_is_not_a_32_byte_base58_key() {
        assert_eq!(WalletAddress::parse("   "), Err(WalletError::Empty));
        assert_eq!(
            WalletAddress::parse("0okenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
            Err(WalletError::InvalidCharacter('0'))
        );
        for bad in ['O', 'I', 'l', ' ', '+'] {
            let text = format!("Tokenkeg{bad}fZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
            assert_eq!(WalletAddress::parse(&text), Err(WalletError::InvalidCharacter(bad)));
        }
        assert_eq!(WalletAddress::parse(&"z".repeat(45)), Err(WalletError::TooLong(45)));
        assert_eq!(WalletAddress::parse("abc"), Err(WalletError::TooShort(3)));
        // 44 chars of 'z' is a valid alphabet but decodes to more than 32 bytes.
        assert!(matches!(WalletAddress::parse(&"z".repeat(44)), Err(WalletError::WrongLength(_))));
        // 32 ones decode to 32 zero bytes (the system program); 33 to 33.
        assert!(matches!(WalletAddress::parse(&"1".repeat(33)), Err(WalletError::WrongLength(33))));
    }

    #[test]
    fn look_alike_and_invisible_characters_are_named_for_what_they_are() {
        // Cyrillic А, Greek ο, full-width 1, Latin é: each looks like base58 or close.
        for bad in ['А', 'ο', '１', 'é'] {
            let text = format!("Tokenkeg{bad}fZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
            assert_eq!(WalletAddress::parse(&text), Err(WalletError::LookAlike(bad)));
        }
        let error = WalletAddress::parse(&format!("{TOKEN_PROGRAM}\u{200B}")).unwrap_err();
        assert_eq!(error, WalletError::Invisible('\u{200B}'));
        assert!(error.to_string().contains("invisible character (U+200B)"), "{error}");
        for bad in ['\u{202E}', '\u{FEFF}', '\0', '\u{7}'] {
            let text = format!("Toke{bad}nkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
            assert_eq!(WalletAddress::parse(&text), Err(WalletError::Invisible(bad)), "{bad:?}");
        }
        assert!(WalletError::LookAlike('А').to_string().contains("U+0410"));
    }

    #[test]
    fn shortens_for_display() {
        let wallet = WalletAddress::parse(TOKEN_PROGRAM).unwrap();
        assert_eq!(wallet.short(), "Toke…Q5DA");
    }

    #[test]
    fn deserialising_validates() {
        let ok: Result<WalletAddress, _> = serde_json::from_str(&format!("\"{TOKEN_PROGRAM}\""));
        assert!(ok.is_ok());
        let bad: Result<WalletAddress, _> = serde_json::from_str("\"not-a-wallet\"");
        assert!(bad.is_err());
    }
}
