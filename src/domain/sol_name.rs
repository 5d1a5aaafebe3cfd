//! A `.sol` name (Solana Name Service), as a person types it in place of a
//! wallet address: `bonfida.sol`, or one level of subdomain, `dex.bonfida.sol`.
//!
//! Parsed as strictly as an address. SNS itself hashes any UTF-8 text, so
//! `bonfida.sol` and a look-alike written with a Cyrillic `о` are two
//! different names, possibly with two different owners: the report of the
//! wrong wallet would look right. So Kimiko takes names written in plain
//! ASCII only — `a–z`, `0–9`, `-` and `_` (what the SNS registrar takes for
//! a Latin name, which must also be lowercase: `registerDomainNameV2.ts`
//! refuses `name.trim().toLowerCase() !== name`) — lowercases ASCII capitals
//! (a name is registered lowercase, so `Bonfida.sol` can only mean
//! `bonfida.sol`), and refuses everything else with a message naming the
//! character: other scripts, full-width letters, emoji, invisible
//! characters, and punycode labels (`xn--…`, the DNS spelling of a Unicode
//! label). Someone whose name is in another script pastes its address.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::wallet::{WalletAddress, WalletError, code_point, is_invisible};

/// The TLD every name ends in.
pub const SOL_TLD: &str = ".sol";
/// The longest label (the part between dots) taken, as in DNS.
pub const MAX_LABEL_CHARS: usize = 63;
/// The longest name taken, `.sol` included: the form field's limit.
pub const MAX_NAME_CHARS: usize = 100;

/// A valid `.sol` name, lowercase, with its `.sol`. The only way to make
/// one is [`SolName::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SolName(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SolNameError {
    #[error("Only .sol names (Solana Name Service) are looked up, such as bonfida.sol.")]
    NotSol,
    #[error("A .sol name is at most {MAX_NAME_CHARS} characters; this one has {0}.")]
    TooLong(usize),
    #[error("Each part of a .sol name is 1 to {MAX_LABEL_CHARS} characters; “{0}” is not.")]
    BadLabelLength(String),
    #[error("Kimiko looks up names and one level of subdomain (sub.name.sol), not deeper ones.")]
    TooDeep,
    #[error("“{0}” can't appear in a .sol name here: use a–z, 0–9, “-” and “_”.")]
    InvalidCharacter(char),
    #[error("The name contains an invisible character ({code}); paste it again or type it.", code = code_point(*.0))]
    Invisible(char),
    /// Any letter outside ASCII: it may look like a Latin one and belong to
    /// another name, so it is refused rather than guessed at.
    #[error("“{0}” ({code}) is not a plain ASCII letter or digit. Kimiko takes .sol names written in a–z, 0–9, “-” and “_” only, so a look-alike cannot pass for another name; for a name in another script or with emoji, paste the wallet address instead.", code = code_point(*.0))]
    NotAscii(char),
    #[error(
        "“{0}” is punycode (the DNS spelling of a non-ASCII name), which can spell a look-alike; paste the wallet address instead."
    )]
    Punycode(String),
}

impl SolName {
    /// Trims surrounding whitespace, lowercases ASCII capitals, and accepts
    /// `name.sol` or `sub.name.sol` with every label 1 to 63 of `a–z 0–9 - _`.
    pub fn parse(input: &str) -> Result<Self, SolNameError> {
        let text = input.trim();
        // Characters first, as for addresses: an invisible or look-alike
        // character is the message that helps, not "too long".
        if let Some(bad) = text.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
            return Err(if is_invisible(bad) {
                SolNameError::Invisible(bad)
            } else {
                SolNameError::NotAscii(bad)
            });
        }
        let text = text.to_ascii_lowercase();
        let chars = text.len();
        if chars > MAX_NAME_CHARS {
            return Err(SolNameError::TooLong(chars));
        }
        let Some(stem) = text.strip_suffix(SOL_TLD) else {
            return Err(SolNameError::NotSol);
        };
        let labels: Vec<&str> = stem.split('.').collect();
        if labels.len() > 2 {
            return Err(SolNameError::TooDeep);
        }
        for label in &labels {
            if label.is_empty() || label.len() > MAX_LABEL_CHARS {
                return Err(SolNameError::BadLabelLength((*label).to_owned()));
            }
            if let Some(bad) = label.chars().find(|c| !is_name_char(*c)) {
                return Err(SolNameError::InvalidCharacter(bad));
            }
            if label.starts_with("xn--") {
                return Err(SolNameError::Punycode((*label).to_owned()));
            }
        }
        Ok(Self(text))
    }

    /// `bonfida.sol`, `dex.bonfida.sol`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registered name under `.sol`: `bonfida` for both examples.
    pub fn domain(&self) -> &str {
        let stem = self.stem();
        stem.rsplit_once('.').map_or(stem, |(_, domain)| domain)
    }

    /// The subdomain label, `dex` in `dex.bonfida.sol`.
    pub fn subdomain(&self) -> Option<&str> {
        self.stem().rsplit_once('.').map(|(sub, _)| sub)
    }

    fn stem(&self) -> &str {
        self.0.strip_suffix(SOL_TLD).expect("parse keeps the TLD")
    }
}

fn is_name_char(c: char) -> bool {
    matches!(c, 'a'..='z' | '0'..='9' | '-' | '_')
}

impl fmt::Display for SolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Deserialising goes through `parse`, as for wallet addresses.
impl<'de> Deserialize<'de> for SolName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What the wallet field holds: an address, or a name to resolve to one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalletOrName {
    Address(WalletAddress),
    Name(SolName),
}

/// Why the wallet field holds neither.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WalletOrNameError {
    #[error("{0}")]
    Address(WalletError),
    #[error("{0}")]
    Name(SolNameError),
}

impl WalletOrName {
    /// A dot never appears in base58, so text with one is a name (and its
    /// errors are about names); anything else is an address.
    pub fn parse(input: &str) -> Result<Self, WalletOrNameError> {
        if input.contains('.') {
            SolName::parse(input).map(Self::Name).map_err(WalletOrNameError::Name)
        } else {
            WalletAddress::parse(input).map(Self::Address).map_err(WalletOrNameError::Address)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_subdomains_parse_lowercased_and_trimmed() {
        let name = SolName::parse("  Bonfida.SOL\n").unwrap();
        assert_eq!(name.as_str(), "bonfida.sol");
        assert_eq!((name.domain(), name.subdomain()), ("bonfida", None));
        let sub = SolName::parse("dex.bonfida.sol").unwrap();
        assert_eq!((sub.domain(), sub.subdomain()), ("bonfida", Some("dex")));
        assert!(SolName::parse("sns-ip-5-wallet-1.sol").is_ok());
        assert!(SolName::parse("a_b.sol").is_ok());
        assert!(SolName::parse(&format!("{}.sol", "a".repeat(63))).is_ok());
    }

    #[test]
    fn malformed_names_are_refused_with_what_is_wrong() {
        assert_eq!(SolName::parse("bonfida.eth"), Err(SolNameError::NotSol));
        assert_eq!(SolName::parse("bonfida"), Err(SolNameError::NotSol));
        assert_eq!(SolName::parse(".sol"), Err(SolNameError::BadLabelLength(String::new())));
        assert_eq!(SolName::parse("a..sol"), Err(SolNameError::BadLabelLength(String::new())));
        assert_eq!(SolName::parse("a.b.c.sol"), Err(SolNameError::TooDeep));
        assert_eq!(SolName::parse("bon fida.sol"), Err(SolNameError::InvalidCharacter(' ')));
        assert_eq!(SolName::parse("bon+fida.sol"), Err(SolNameError::InvalidCharacter('+')));
        let long = format!("{}.sol", "a".repeat(64));
        assert_eq!(SolName::parse(&long), Err(SolNameError::BadLabelLength("a".repeat(64))));
        let longer = format!("{}.{}.sol", "a".repeat(60), "b".repeat(60));
        assert_eq!(SolName::parse(&longer), Err(SolNameError::TooLong(125)));
    }

    #[test]
    fn look_alikes_emoji_invisible_characters_and_punycode_are_refused() {
        // Cyrillic о, Greek ο, full-width ｂ, Latin é, an emoji.
        for bad in ['о', 'ο', 'ｂ', 'é', '🍍'] {
            let name = format!("b{bad}nfida.sol");
            assert_eq!(SolName::parse(&name), Err(SolNameError::NotAscii(bad)), "{name}");
        }
        assert!(SolNameError::NotAscii('о').to_string().contains("U+043E"));
        assert_eq!(SolName::parse("bon\u{200B}fida.sol"), Err(SolNameError::Invisible('\u{200B}')));
        assert_eq!(SolName::parse("bon\u{7}fida.sol"), Err(SolNameError::Invisible('\u{7}')));
        assert_eq!(
            SolName::parse("xn--bnfida-3ve.sol"),
            Err(SolNameError::Punycode("xn--bnfida-3ve".into()))
        );
    }

    #[test]
    fn the_wallet_field_is_a_name_when_it_has_a_dot() {
        let address = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
        assert!(matches!(WalletOrName::parse(address), Ok(WalletOrName::Address(_))));
        assert!(matches!(WalletOrName::parse("bonfida.sol"), Ok(WalletOrName::Name(_))));
        assert!(matches!(
            WalletOrName::parse("bonfida.com"),
            Err(WalletOrNameError::Name(SolNameError::NotSol))
        ));
        assert!(matches!(
            WalletOrName::parse("abc"),
            Err(WalletOrNameError::Address(WalletError::TooShort(3)))
        ));
    }

    #[test]
    fn deserialising_validates() {
        let ok: Result<SolName, _> = serde_json::from_str("\"bonfida.sol\"");
        assert_eq!(ok.unwrap().as_str(), "bonfida.sol");
        assert!(serde_json::from_str::<SolName>("\"b\u{043E}nfida.sol\"").is_err());
    }
}
