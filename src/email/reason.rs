//! Why a message was not delivered, as a reason from a closed set.
//!
//! A mail server's reply is untrusted text, and a refusal usually repeats
//! the recipient's address (Postfix: `550 5.1.1 <who@example.com>:
//! Recipient address rejected: …`). Kimiko keeps only the reply's numbers:
//! the three-digit reply code and, when the reply starts with one, the
//! RFC 3463 enhanced status code (class.subject.detail). Everything stored,
//! shown or logged about a failed delivery is built from those numbers and
//! the fixed sentences below; the reply's words never leave this module.

use std::fmt;

/// An RFC 3463 enhanced status code such as `5.1.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhancedCode {
    /// 2 (success), 4 (persistent transient) or 5 (permanent).
    pub class: u8,
    /// 0 other, 1 addressing, 2 mailbox, 3 mail system, 4 network and
    /// routing, 5 protocol, 6 content, 7 security or policy.
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedCode {
    /// The code a reply text starts with, if it starts with a well-formed
    /// one; nothing else of the text is looked at.
    pub fn leading(text: &str) -> Option<EnhancedCode> {
        let token = text.trim_start().split(|c: char| c.is_whitespace()).next()?;
        let mut parts = token.split('.');
        let number = |part: Option<&str>| -> Option<u16> {
            let part = part?;
            let ok = (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| part.parse().ok()).flatten()
        };
        let class = number(parts.next())?;
        let subject = number(parts.next())?;
        let detail = number(parts.next())?;
        if parts.next().is_some() || !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(EnhancedCode { class: class as u8, subject, detail })
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailReason {
    /// The server answered with a 4xx or 5xx reply.
    Reply { code: u16, enhanced: Option<EnhancedCode> },
    /// No connection could be made (refused, unresolvable).
    Unreachable,
    /// The connection broke or failed below SMTP.
    Network,
    /// The server did not answer in time.
    Timeout,
    /// TLS could not be set up.
    Tls,
    /// The server's reply could not be parsed.
    Garbled,
    /// The mail client itself failed.
    Client,
    /// The stored address is not a mailbox.
    InvalidRecipient,
    /// The message could not be put together.
    InvalidMessage,
    /// The file outbox could not be written.
    OutboxUnwritable,
}

impl MailReason {
    /// A reply with its code and the enhanced code its text starts with.
    pub fn from_reply(code: u16, text: &str) -> MailReason {
        let enhanced = EnhancedCode::leading(text).filter(|e| u16::from(e.class) == code / 100);
        MailReason::Reply { code, enhanced }
    }

    /// From lettre's SMTP error, keeping only its numbers and its kind.
    pub fn from_smtp(error: &lettre::transport::smtp::Error) -> MailReason {
        if let Some(code) = error.status() {
            let code: u16 = code.to_string().parse().unwrap_or(0);
            let text = std::error::Error::source(error).map(ToString::to_string).unwrap_or_default();
            return MailReason::from_reply(code, &text);
        }
        if error.is_timeout() {
            MailReason::Timeout
        } else if error.is_tls() {
            MailReason::Tls
        } else if error.is_response() {
            MailReason::Garbled
        } else if error.is_client() || error.is_transport_shutdown() {
            MailReason::Client
        } else if error.to_string().starts_with("Connection error") {
            // lettre's own prefix for a failed connect (its kind is private).
            MailReason::Unreachable
        } else {
            MailReason::Network
        }
    }

    /// The receiving server refused this address for good: sending the same
    /// message to it again cannot succeed, so there is no reason to keep it.
    pub fn refuses_address(self) -> bool {
        match self {
            MailReason::Reply { code, enhanced: Some(e) } => {
                code >= 500 && e.class == 5 && matches!(e.subject, 1 | 2)
            }
            MailReason::Reply { code, enhanced: None } => matches!(code, 550 | 551 | 553),
            MailReason::InvalidRecipient => true,
            _ => false,
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            MailReason::Reply { code, enhanced } => match enhanced.map(|e| e.subject) {
                Some(1) => "the receiving mail server refused the address",
                Some(2) => "the receiving mail server could not put the message in the mailbox",
                Some(3) => "the receiving mail system could not take the message",
                Some(4) => "the receiving mail system could not route the message",
                Some(5) => "the mail server reported a protocol error",
                Some(6) => "the mail server refused the message's content",
                Some(7) => "the mail server refused the message by policy",
                _ => match code {
                    421 => "the mail server is not available",
                    450 | 550 => "the receiving mail server refused the mailbox",
                    451 => "the mail server had a local error",
                    452 | 552 => "the mail server is out of storage",
                    551 | 553 => "the receiving mail server refused the address",
                    554 => "the mail server refused the message",
                    _ if code < 500 => "the mail server deferred the message",
                    _ => "the mail server refused the message",
                },
            },
            MailReason::Unreachable => "no connection to the mail server could be made",
            MailReason::Network => "the connection to the mail server failed",
            MailReason::Timeout => "the mail server did not answer in time",
            MailReason::Tls => "TLS with the mail server could not be set up",
            MailReason::Garbled => "the mail server's reply could not be read",
            MailReason::Client => "the mail client failed",
            MailReason::InvalidRecipient => "the stored address is not a valid mailbox",
            MailReason::InvalidMessage => "the message could not be built",
            MailReason::OutboxUnwritable => "the outbox folder could not be written",
        }
    }
}

impl fmt::Display for MailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sentence())?;
        match self {
            MailReason::Reply { code, enhanced: Some(e) } => write!(f, " ({code} {e})"),
            MailReason::Reply { code, enhanced: None } => write!(f, " ({code})"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTFIX: &str =
        "5.1.1 <leaky.person@example.com>: Recipient address rejected: User unknown in local recipient table";

    #[test]
    fn a_postfix_refusal_keeps_its_codes_and_loses_its_words() {
        let reason = MailReason::from_reply(550, POSTFIX);
        assert_eq!(reason.to_string(), "the receiving mail server refused the address (550 5.1.1)");
        assert!(reason.refuses_address());
        let greylisted = MailReason::from_reply(
            450,
            "4.2.0 <leaky.person@example.com>: Recipient address rejected: Greylisted",
        );
        assert_eq!(
            greylisted.to_string(),
            "the receiving mail server could not put the message in the mailbox (450 4.2.0)"
        );
        assert!(!greylisted.refuses_address(), "a 4xx is not final");
    }

    #[test]
    fn only_a_well_formed_leading_code_is_read() {
        for text in [
            "<a@b.c> 5.1.1 rejected",
            "5.1 rejected",
            "5.1.1.1 rejected",
            "9.1.1 rejected",
            "5.1.1x rejected",
            "5.a.1 rejected",
            "5.1000.1 rejected",
            "",
        ] {
            assert_eq!(EnhancedCode::leading(text), None, "{text:?}");
        }
        assert_eq!(
            EnhancedCode::leading("  5.7.26 Unauthenticated"),
            Some(EnhancedCode { class: 5, subject: 7, detail: 26 })
        );
        // A class that contradicts the reply code is not believed.
        assert_eq!(
            MailReason::from_reply(550, "4.2.0 later"),
            MailReason::Reply { code: 550, enhanced: None }
        );
    }

    #[test]
    fn policy_and_content_refusals_keep_the_address_for_an_operator() {
        assert!(!MailReason::from_reply(550, "5.7.1 blocked by policy").refuses_address());
        assert!(!MailReason::from_reply(554, "5.6.0 content rejected").refuses_address());
        assert!(MailReason::from_reply(550, "no enhanced code").refuses_address());
    }
}
