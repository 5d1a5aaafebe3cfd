//! Memos are public text stored forever next to the transfer; personal data
//! written there cannot be taken back.

use crate::analysis::context::Context;
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::domain::history::Transaction;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const PERSONAL_DATA: Detector = Detector { info: &PERSONAL_DATA_INFO, detect: personal_data };
pub const USAGE: Detector = Detector { info: &USAGE_INFO, detect: usage };

static PERSONAL_DATA_INFO: DetectorInfo = DetectorInfo {
    id: "memo.personal_data",
    title: "Personal data in a memo",
    category: Category::Memo,
    looks_at: "The text of the wallet's own memos — top-level memo instructions in transactions the wallet signed — for email addresses, phone numbers (9–15 digits written with a leading + or in three or more groups, dates left out) and names introduced as names (\"my name is …\", \"name: …\", or two capitalised words after \"from:\", \"I am\", \"regards,\" …). Any hit is critical: 35 points. Memos strangers attached to what they sent, and memos programs write, are not the owner's words and are not scanned.",
    severity: Severity::Critical,
    max_penalty: 35,
    limits: "Pattern-based: postal addresses, account numbers and data written in other formats or languages are missed; a number that merely looks like a phone number, or a capitalised phrase after \"from:\", may be reported. A memo in a transaction the wallet signed counts as the wallet's; where someone else paid the fee (a relayer, an app, a co-signer), that payer may have written it, so the finding says so and its confidence is lower.",
};

static USAGE_INFO: DetectorInfo = DetectorInfo {
    id: "memo.usage",
    title: "Memos attached to transactions",
    category: Category::Memo,
    looks_at: "How many transactions the wallet signed carry a memo of its own (a top-level spl-memo instruction). One or two are low (3 points), three to nine low (5), ten or more low (7). Memos only others wrote — spam attached to dust, notes from senders — are reported for information (no points).",
    severity: Severity::Low,
    max_penalty: 7,
    limits: "Kimiko cannot judge what a memo means to someone who knows the context (an invoice number, a nickname); it reports that free text is public and permanent. Memos with personal data are reported separately.",
};

/// What kind of personal data a memo revealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalData {
    Email,
    Phone,
    Name,
}

impl PersonalData {
    fn describe(self) -> &'static str {
        match self {
            PersonalData::Email => "an email address",
            PersonalData::Phone => "a phone number",
            PersonalData::Name => "a name",
        }
    }
}

/// The wallet co-signed `tx` but someone else paid its fee (a relayer, an
/// app, a co-signer): whoever built and paid for it may have written its
/// memo, so it is the wallet's only with care.
fn sponsored(ctx: &Context, tx: &Transaction) -> bool {
    tx.fee_payer != ctx.wallet
}

/// A sentence for a finding whose memos all or partly sit in transactions
/// someone else paid for; empty when the wallet paid for all of them.
fn sponsored_caveat(sponsored: usize, of: usize) -> String {
    match sponsored {
        0 => String::new(),
        n if n == of => " The wallet signed these transactions but someone else paid the fee, so the app or service that built them may have written the memo rather than the owner; it is public and tied to this wallet all the same.".to_owned(),
        n => format!(
            " In {} of them the wallet signed but someone else paid the fee: the app or service that built those may have written the memo rather than the owner.",
            plural(n, "transaction")
        ),
    }
}

fn personal_data(ctx: &Context) -> Option<Finding> {
    let mut hits: Vec<(&str, &str, PersonalData)> = Vec::new();
    let mut with_hits: Vec<&Transaction> = Vec::new();
    for tx in ctx.own() {
        for memo in &tx.memos {
            for kind in scan(memo) {
                hits.push((tx.signature.as_str(), memo.as_str(), kind));
                if with_hits.last().is_none_or(|last| last.signature != tx.signature) {
                    with_hits.push(tx);
                }
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let paid_by_others = with_hits.iter().filter(|tx| sponsored(ctx, tx)).count();
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
            .confidence(if paid_by_others == with_hits.len() { 60 } else { 80 })
            .explanation(format!(
                "{} memo{} in transactions this wallet signed contain{} {}. Memos are public and permanent: anyone can read them, and they tie this wallet to that person directly.{}",
                hits.len(),
                if hits.len() == 1 { "" } else { "s" },
                if hits.len() == 1 { "s" } else { "" },
                kinds.join(" and "),
                sponsored_caveat(paid_by_others, with_hits.len())
            ))
            .recommendation("Never put contact details in a memo. The memo cannot be erased; move the funds you want private to a new wallet that has no such memo, without sending them straight from this one.")
            .evidence(evidence)
            .build(),
    )
}

fn usage(ctx: &Context) -> Option<Finding> {
    let with_memo: Vec<_> = ctx.transactions().iter().filter(|tx| !tx.memos.is_empty()).collect();
    if with_memo.is_empty() {
        return None;
    }
    let signed = |tx: &&&Transaction| tx.signers.iter().any(|s| s == ctx.wallet);
    let written: Vec<_> = with_memo.iter().filter(signed).collect();
    let paid_by_others = written.iter().filter(|tx| sponsored(ctx, tx)).count();
    let (severity, strength) = match written.len() {
        0 => (Severity::Info, 0),
        1..=2 => (Severity::Low, 40),
        3..=9 => (Severity::Low, 70),
        _ => (Severity::Low, 100),
    };
    let mut evidence = vec![
        Evidence::count("transactions with a memo", with_memo.len()),
        Evidence::count("of which the wallet signed", written.len()),
    ];
    // Show the owner's own memos first: those are what the finding is about.
    let shown: Vec<&&Transaction> = if written.is_empty() {
        with_memo.iter().rev().take(3).collect()
    } else {
        written.iter().rev().take(3).copied().collect()
    };
    for tx in &shown {
        evidence.push(Evidence::text("memo text", tx.memos.join(" / ")));
    }
    evidence.extend(evidence::signatures(
        "transaction with a memo",
        shown.iter().map(|tx| tx.signature.as_str()),
    ));
    let explanation = if written.is_empty() {
        format!(
            "{} in this wallet's history carry a memo, all written by others: strangers often attach advertising or bait to dust they send. They are not this wallet's words and cost no points, but never reply to them or visit what they advertise.",
            plural(with_memo.len(), "transaction")
        )
    } else {
        format!(
            "This wallet wrote a memo in {} ({} in its history carry one). Memos are public text stored forever next to the transfer; references such as invoice numbers, usernames or notes let anyone who knows the context link the payment to a person or a purpose.{}",
            plural(written.len(), "transaction"),
            with_memo.len(),
            sponsored_caveat(paid_by_others, written.len())
        )
    };
    Some(
        USAGE_INFO
            .finding(severity, strength)
            .confidence(if !written.is_empty() && paid_by_others == written.len() { 70 } else { 95 })
            .explanation(explanation)
            .recommendation("Leave memos empty unless a recipient needs one (some exchanges require a deposit memo), and never write anything in them that you would not publish.")
            .evidence(evidence)
            .build(),
    )
}

/// Finds email addresses, phone numbers and introduced names in free text.
pub fn scan(text: &str) -> Vec<PersonalData> {
    let mut found = Vec::new();
    if text.split(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c)).any(looks_like_email) {
        found.push(PersonalData::Email);
    }
    if has_phone_number(text) {
        found.push(PersonalData::Phone);
    }
    if has_introduced_name(text) {
        found.push(PersonalData::Name);
    }
    found
}

/// Phrases after which a name is introduced as such: one capitalised word
/// is enough.
const STRONG_NAME_CUES: &[&str] = &["my name is ", "name is ", "name: ", "full name "];
/// Phrases that often, but not always, precede a name: two capitalised
/// words (a first and a last name) are needed. Bare "from" and "this is"
/// are left out: far more often they precede a product ("Payment from
/// Magic Eden", "this is Solana Pay") than a person.
const WEAK_NAME_CUES: &[&str] = &[
    "i am ",
    "i'm ",
    "i’m ",
    "from: ",
    "to: ",
    "regards, ",
    "regards ",
    "sincerely, ",
    "signed, ",
    "signed ",
    "payer: ",
    "recipient: ",
    "beneficiary: ",
    "sender: ",
];

fn has_introduced_name(text: &str) -> bool {
    let lower = text.to_lowercase();
    // Offsets found in the lowercased text are only valid in the original
    // when lowercasing kept every byte length; `get` guards the rest.
    if lower.len() != text.len() {
        return false;
    }
    let cue_followed_by = |cues: &[&str], words: usize| {
        cues.iter().any(|cue| {
            lower.match_indices(cue).any(|(at, _)| {
                let boundary = lower.get(..at).is_some_and(|before| !before.ends_with(char::is_alphanumeric));
                boundary && text.get(at + cue.len()..).is_some_and(|rest| capitalised_words(rest) >= words)
            })
        })
    };
    cue_followed_by(STRONG_NAME_CUES, 1) || cue_followed_by(WEAK_NAME_CUES, 2)
}

/// How many words at the start of `text` look like parts of a name:
/// a capital letter followed by at least one lowercase letter.
fn capitalised_words(text: &str) -> usize {
    text.split_whitespace()
        .take(3)
        .take_while(|word| {
            let word = word.trim_end_matches([',', '.', '!', ';']);
            let mut chars = word.chars();
            chars.next().is_some_and(char::is_uppercase)
                && word.chars().count() >= 2
                && chars.clone().all(|c| c.is_lowercase() || c == '-' || c == '\'')
                && chars.any(char::is_lowercase)
        })
        .count()
}

fn looks_like_email(token: &str) -> bool {
    let token = token.trim_matches(|c: char| c == '.' || c == '!' || c == '?');
    let Some((local, domain)) = token.split_once('@') else {
        return false;
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    !local.is_empty() && local.chars().all(|c| c.is_alphanumeric() || "._%+-".contains(c)) && domain_ok
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
        let date_like = has_date(&groups);
        if (9..=15).contains(&digits) && ends_clean && (plus || groups.len() >= 3) && !date_like {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

/// A date among digit groups: year first (`2024-01-15`) or last
/// (`15.01.2024`, `1/15/2024`), often followed by a time.
fn has_date(groups: &[String]) -> bool {
    let year = |g: &String| g.len() == 4 && (g.starts_with("19") || g.starts_with("20"));
    let day_or_month = |g: &String| (1..=2).contains(&g.len());
    let year_first = groups.len() >= 2 && year(&groups[0]) && groups[1].len() == 2;
    year_first
        || groups.windows(3).any(|w| {
            (year(&w[0]) && day_or_month(&w[1]) && day_or_month(&w[2]))
                || (day_or_month(&w[0]) && day_or_month(&w[1]) && year(&w[2]))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_emails_and_phone_numbers() {
        assert_eq!(scan("rent for march, alice.smith@example.com"), vec![PersonalData::Email]);
        assert_eq!(scan("call me +44 20 7946 0958"), vec![PersonalData::Phone]);
        assert_eq!(scan("(555) 123-4567 bob@mail.co"), vec![PersonalData::Email, PersonalData::Phone]);
        assert_eq!(scan("+14155550123"), vec![PersonalData::Phone]);
        assert_eq!(scan("rent, my name is Maria"), vec![PersonalData::Name]);
        assert_eq!(scan("From: Jan Kowalski"), vec![PersonalData::Name]);
        assert_eq!(scan("thanks! regards, Anna Schmidt"), vec![PersonalData::Name]);
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
            "from Binance",
            "I am Happy",
            "this is fine",
            "to: the moon",
            "name: 42",
            "paid 15.01.2024 12:30",
            "due 1/15/2024 09:00",
            "Payment from Magic Eden",
            "this is Solana Pay",
        ] {
            assert!(scan(memo).is_empty(), "{memo}");
        }
    }
}
