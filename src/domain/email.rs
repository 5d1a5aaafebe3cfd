//! An email address: one plain `local@domain`, nothing that could smuggle a
//! second recipient or a header into a message.
//!
//! The address is personal data. This type deliberately has no `Display` and
//! its `Debug` is redacted, so it cannot slip into a log line or a page by
//! accident; code that really needs the text calls [`EmailAddress::expose`].

use std::fmt;

/// RFC 5321: the longest forward path is 256 octets including the angle
/// brackets, so 254 for the address itself.
pub const MAX_EMAIL_CHARS: usize = 254;
const MAX_LOCAL_PART: usize = 64;
const MAX_LABEL: usize = 63;

#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter the email address the report should go to.")]
    Empty,
    #[error("That email address is too long (at most {MAX_EMAIL_CHARS} characters).")]
    TooLong,
    #[error("An email address can't contain line breaks or control characters.")]
    ControlCharacter,
    #[error("Enter one email address only.")]
    MoreThanOne,
    #[error("That doesn't look like an email address (name@example.com).")]
    Malformed,
}

impl EmailAddress {
    /// Trims surrounding whitespace and accepts a single dot-atom address with a
    /// dotted domain name. Quoted local parts, IP literals, display names and
    /// comments are refused: nobody needs them to receive a report, and each is
    /// a classic way to confuse a mail pipeline.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        // CR, LF and NUL are refused anywhere, even at the edges, rather than
        // trimmed: a value carrying them was not typed into an email field.
        if input.contains(['\r', '\n', '\0']) {
            return Err(EmailError::ControlCharacter);
        }
        let text = input.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(EmailError::ControlCharacter);
        }
        if text.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        if text.contains([',', ';']) || text.matches('@').count() > 1 {
            return Err(EmailError::MoreThanOne);
        }
        let (local, domain) = text.split_once('@').ok_or(EmailError::Malformed)?;
        if !is_dot_atom(local) || local.len() > MAX_LOCAL_PART || !is_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(text.to_owned()))
    }

    /// The address itself, for the one place that needs it: the mail envelope.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The form rate limits count on: one string per mailbox, so that the
    /// spellings a mail provider delivers to one inbox share one limit. It
    /// is only ever hashed, never mailed: mail goes to [`Self::expose`].
    ///
    /// - Everywhere: case is folded and a `+tag` dropped (RFC 5233
    ///   subaddressing; `+` is the delimiter of Postfix and Sendmail setups,
    ///   and Gmail, Outlook.com, iCloud Mail, Proton and Fastmail document
    ///   it). Where `+` is not a delimiter, two mailboxes share a limit —
    ///   stricter, never looser.
    /// - Gmail (`gmail.com`, `googlemail.com`): dots are ignored and both
    ///   domains are one mailbox ("Dots don't matter in Gmail addresses",
    ///   support.google.com/mail/answer/7436150; googlemail.com is Gmail's
    ///   other domain for the same accounts).
    /// - Proton (`proton.me`, `protonmail.com`, `protonmail.ch`, `pm.me`):
    ///   `.`, `_` and `-` are "transparent" in a username
    ///   (proton.me/support/change-username), and every domain carries the
    ///   same username (proton.me/support/addresses-and-aliases).
    ///
    /// Dots are kept for every other provider: none documents ignoring them
    /// (Outlook.com's `a.b` and `ab` are two accounts).
    pub fn normalized(&self) -> String {
        let (local, domain) = self.0.split_once('@').expect("parsed address has an @");
        let (local, domain) = (local.to_ascii_lowercase(), domain.to_ascii_lowercase());
        let (transparent, domain): (&[char], &str) = match domain.as_str() {
            "gmail.com" | "googlemail.com" => (&['.'], "gmail.com"),
            "proton.me" | "protonmail.com" | "protonmail.ch" | "pm.me" => (&['.', '_', '-'], "proton.me"),
            other => (&[], other),
        };
        // Folded before the tag is looked for, so that normalising twice
        // changes nothing ("a.+x" is "a+x" at Gmail, then "a"); a local part
        // made only of such characters keeps them (it is its own mailbox).
        let folded = local.replace(transparent, "");
        let local = if folded.is_empty() { local } else { folded };
        // The tag is dropped only when what is left is an address: "+x@d"
        // and "a.+x@d" are their own mailboxes, not "@d" or "a.@d" (both
        // found by the email fuzz target).
        let local = local.split('+').next().filter(|base| is_dot_atom(base)).unwrap_or(&local);
        format!("{local}@{domain}")
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn is_dot_atom(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || domain.len() > 253 {
        return false;
    }
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= MAX_LABEL
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(label_ok) && tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "alice@example.com",
            "  bob.smith+kimiko@mail.example.co.uk \t",
            "x_y-z@sub-domain.example.org",
            "o'brien@example.ie",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(EmailAddress::parse(" a@b.io ").unwrap().expose(), "a@b.io");
    }

    #[test]
    fn rejects_header_injection_and_lists() {
        assert_eq!(EmailAddress::parse("a@b.io\r\nBcc: victim@c.io"), Err(EmailError::ControlCharacter));
        assert_eq!(EmailAddress::parse("a@b.io\n"), Err(EmailError::ControlCharacter));
        assert_eq!(EmailAddress::parse("a@b.io\0"), Err(EmailError::ControlCharacter));
        assert_eq!(EmailAddress::parse("a@b.io, c@d.io"), Err(EmailError::MoreThanOne));
        assert_eq!(EmailAddress::parse("a@b.io;c@d.io"), Err(EmailError::MoreThanOne));
        assert_eq!(EmailAddress::parse("a@b@c.io"), Err(EmailError::MoreThanOne));
    }

    #[test]
    fn rejects_malformed_and_overlong() {
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a@.com",
            "a@b..com",
            "a..b@example.com",
            ".a@example.com",
            "a b@example.com",
            "\"quoted\"@example.com",
            "Alice <a@example.com>",
            "a@[127.0.0.1]",
            "a@127.0.0.1",
            "a@-bad.com",
            "a@exämple.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Empty));
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(200));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long_local), Err(EmailError::Malformed));
    }

    #[test]
    fn debug_never_shows_the_address() {
        let email = EmailAddress::parse("secret@example.com").unwrap();
        assert!(!format!("{email:?}").contains("secret"));
    }

    fn normalized(text: &str) -> String {
        EmailAddress::parse(text).unwrap().normalized()
    }

    #[test]
    fn normalizes_case_and_tags() {
        let email = EmailAddress::parse("Me+Kimiko@Example.COM").unwrap();
        assert_eq!(email.normalized(), "me@example.com");
        assert_eq!(email.expose(), "Me+Kimiko@Example.COM", "the address mailed is the one typed");
    }

    #[test]
    fn every_spelling_of_one_gmail_inbox_normalises_alike() {
        for spelling in [
            "abc@gmail.com",
            "a.b.c@gmail.com",
            "abc+x@googlemail.com",
            "ABC@gmail.com",
            "A.b.C+kimiko.news@GoogleMail.com",
        ] {
            assert_eq!(normalized(spelling), "abc@gmail.com", "{spelling}");
        }
        assert_ne!(normalized("abd@gmail.com"), normalized("abc@gmail.com"));
    }

    #[test]
    fn proton_ignores_dots_dashes_and_underscores_across_its_domains() {
        for spelling in
            ["johndoe@proton.me", "john.doe@protonmail.com", "John_Doe+news@pm.me", "john-doe@protonmail.ch"]
        {
            assert_eq!(normalized(spelling), "johndoe@proton.me", "{spelling}");
        }
    }

    #[test]
    fn dots_count_where_the_provider_does_not_say_they_are_ignored() {
        assert_ne!(normalized("a.b.c@example.com"), normalized("abc@example.com"));
        assert_ne!(normalized("a.b@outlook.com"), normalized("ab@outlook.com"));
        assert_ne!(normalized("a.b@icloud.com"), normalized("ab@icloud.com"));
        assert_ne!(normalized("a_b@gmail.com"), normalized("ab@gmail.com"), "only dots, at Gmail");
        assert_ne!(
            normalized("ab@gmail.com"),
            normalized("ab@gmail.co.uk"),
            "a lookalike domain is not Gmail"
        );
        assert_eq!(normalized("A.B+news@Outlook.com"), "a.b@outlook.com");
    }

    /// The email fuzz target's invariant: the normalised form parses and
    /// normalising it again changes nothing.
    #[test]
    fn normalising_twice_changes_nothing() {
        for text in [
            "a.+x@gmail.com",
            "-@pm.me",
            "_.-@proton.me",
            "a-+x@protonmail.com",
            "+x@gmail.com",
            "x.y+@gmail.com",
        ] {
            let once = normalized(text);
            assert!(EmailAddress::parse(&once).is_ok(), "{text} → {once}");
            assert_eq!(normalized(&once), once, "{text}");
        }
    }

    /// Fuzz regressions (fuzz/artifacts/email/crash-5641575c…): a local part
    /// that is all tag normalised to "@domain", which is no address, and
    /// put every "+…@domain" in one rate-limit bucket.
    #[test]
    fn a_local_part_that_starts_with_a_plus_keeps_it_when_normalised() {
        let email = EmailAddress::parse("+kimiko@Mail.Example.co.uk").unwrap();
        assert_eq!(email.normalized(), "+kimiko@mail.example.co.uk");
        assert!(EmailAddress::parse(&email.normalized()).is_ok());
        let other = EmailAddress::parse("+other@mail.example.co.uk").unwrap();
        assert_ne!(email.normalized(), other.normalized());
        // …crash-5f4b0dcf…: a tag after a dot left "boble.co." behind.
        let dotted = EmailAddress::parse("Boble.co.+kiMiko@Oail.Example.co.uk").unwrap();
        assert_eq!(dotted.normalized(), "boble.co.+kimiko@oail.example.co.uk");
        assert!(EmailAddress::parse(&dotted.normalized()).is_ok());
    }
}
