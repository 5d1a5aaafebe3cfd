//! Memos are public text stored forever next to the transfer; personal data
//! written there cannot be taken back.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::domain::{Category, Evidence, Finding, Severity};

pub const PERSONAL_DATA: Detector = Detector {
    info: &PERSONAL_DATA_INFO,
    detect: personal_data,
};

static PERSONAL_DATA_INFO: DetectorInfo = DetectorInfo {
    id: "memo.personal_data",
    title: "Personal data in a memo",
    category: Category::Memo,
    looks_at: "The text of every memo in the wallet's transactions, for email addresses and phone numbers.",
    severity: Severity::Critical,
    max_penalty: 35,
    limits: "Pattern-based: names, postal addresses and data written in other formats may be missed; a number that merely looks like a phone number may be reported.",
};

/// What kind of personal data a memo revealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalData {
    Email,
    Phone,
}

impl PersonalData {
    fn describe(self) -> &'static str {
        match self {
            PersonalData::Email => "an email address",
            PersonalData::Phone => "a phone number",
        }
    }
}

fn personal_data(ctx: &Context) -> Option<Finding> {
    let mut hits: Vec<(&str, &str, PersonalData)> = Vec::new();
    for tx in ctx.transactions() {
        for memo in &tx.memos {
            for kind in scan(memo) {
                hits.push((tx.signature.as_str(), memo.as_str(), kind));
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let mut kinds: Vec<&str> = hits.iter().map(|(_, _, k)| k.describe()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let evidence = hits.iter().take(5).flat_map(|(signature, memo, kind)| {
        [
            Evidence::signature(format!("memo with {}", kind.describe()), *signature),
            Evidence::text("memo text", *memo),
        ]
    });
    Some(
        PERSONAL_DATA_INFO
            .finding(Severity::Critical, 100)
            .confidence(80)
            .explanation(format!(
                "{} memo{} in this wallet's history contain{} {}. Memos are public and permanent: anyone can read them, and they tie this wallet to that person directly.",
                hits.len(),
                if hits.len() == 1 { "" } else { "s" },
                if hits.len() == 1 { "s" } else { "" },
                kinds.join(" and ")
            ))
            .recommendation("Never put contact details in a memo. The memo cannot be erased; move the funds you want private to a new wallet that has no such memo, without sending them straight from this one.")
            .evidence(evidence)
            .build(),
    )
}

/// Finds email addresses and phone numbers in free text.
pub fn scan(text: &str) -> Vec<PersonalData> {
    let mut found = Vec::new();
    if text
        .split(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c))
        .any(looks_like_email)
    {
        found.push(PersonalData::Email);
    }
    if has_phone_number(text) {
        found.push(PersonalData::Phone);
    }
    found
}

fn looks_like_email(token: &str) -> bool {
    let token = token.trim_matches(|c: char| c == '.' || c == '!' || c == '?');
    let Some((local, domain)) = token.split_once('@') else {
        return false;
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-".contains(c))
        && domain_ok
}

/// 9–15 digits (E.164's range) written the way people write phone numbers:
/// with a leading `+`, or in at least three groups split by spaces, dashes,
/// dots or parentheses. A bare run of digits is more often an amount or an
/// id, and `2024-01-15 12` is a date, so neither counts.
fn has_phone_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        if !(boundary && (chars[i] == '+' || chars[i] == '(' || chars[i].is_ascii_digit())) {
            i += 1;
            continue;
        }
        let plus = chars[i] == '+';
        let mut groups: Vec<String> = vec![String::new()];
        let mut j = if plus { i + 1 } else { i };
        while j < chars.len() {
            let c = chars[j];
            if c.is_ascii_digit() {
                groups.last_mut().expect("one group").push(c);
            } else if " -.()".contains(c)
                && j + 1 < chars.len()
                && (chars[j + 1].is_ascii_digit() || chars[j + 1] == '(' || c == ')')
            {
                if !groups.last().expect("one group").is_empty() {
                    groups.push(String::new());
                }
            } else {
                break;
            }
            j += 1;
        }
        groups.retain(|g| !g.is_empty());
        let digits: usize = groups.iter().map(String::len).sum();
        let ends_clean = j == chars.len() || !chars[j].is_alphanumeric();
        let date_like = groups.len() >= 2
            && groups[0].len() == 4
            && groups[1].len() == 2
            && (groups[0].starts_with("19") || groups[0].starts_with("20"));
        if (9..=15).contains(&digits) && ends_clean && (plus || groups.len() >= 3) && !date_like {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_emails_and_phone_numbers() {
        assert_eq!(
            scan("rent for march, alice.smith@example.com"),
            vec![PersonalData::Email]
        );
        assert_eq!(scan("call me +44 20 7946 0958"), vec![PersonalData::Phone]);
        assert_eq!(
            scan("(555) 123-4567 bob@mail.co"),
            vec![PersonalData::Email, PersonalData::Phone]
        );
        assert_eq!(scan("+14155550123"), vec![PersonalData::Phone]);
    }

    #[test]
    fn ignores_ordinary_memos() {
        for memo in [
            "gm",
            "invoice 2024-001",
            "order #123456789",
            "swap 1500000000 lamports",
            "@elonmusk",
            "user@localhost",
            "v1.2.3",
            "price 3.14159265",
            "paid 2024-01-15 12:30",
            "1234567890",
        ] {
            assert!(scan(memo).is_empty(), "{memo}");
        }
    }
}
