//! `EmailAddress::parse` on arbitrary text: it never panics; what it accepts
//! is one plain address that cannot inject a header or a second recipient,
//! that lettre (which puts it on the envelope) accepts too, and whose
//! normalised form — what rate limits count — is stable.
#![no_main]

use kimiko::domain::EmailAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(email) = EmailAddress::parse(text) else {
        return;
    };
    let accepted = email.expose();
    assert!(accepted.chars().count() <= 254, "{accepted:?}");
    assert!(!accepted.chars().any(|c| c.is_control() || c.is_whitespace()), "{accepted:?}");
    assert!(!accepted.contains([',', ';', '<', '>', '"', '(', ')', '[', ']', '\\']), "{accepted:?}");
    assert_eq!(accepted.matches('@').count(), 1, "{accepted:?}");
    // Every address we queue must be one the mailer can send to; otherwise
    // the job dies with a permanent error after the report is built.
    assert!(accepted.parse::<lettre::Address>().is_ok(), "lettre refuses {accepted:?}");
    assert!(accepted.parse::<lettre::message::Mailbox>().is_ok(), "lettre refuses {accepted:?} as a mailbox");
    // Normalising twice changes nothing, and the normalised form parses.
    let normalized = email.normalized();
    let again = EmailAddress::parse(&normalized).expect("a normalised address parses");
    assert_eq!(again.normalized(), normalized);
    assert!(!format!("{email:?}").contains(accepted), "Debug must not show the address");
});
