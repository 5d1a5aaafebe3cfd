//! Evidence and wording shared by every detector, so an address, an amount
//! or a list of signatures reads the same in every finding.

use std::collections::BTreeMap;

use super::context::Context;
use crate::domain::Evidence;
use crate::domain::history::LAMPORTS_PER_SOL;

/// How many signatures a finding lists as evidence at most.
pub const MAX_SIGNATURES: usize = 5;

/// Up to [`MAX_SIGNATURES`] signature evidences, skipping repeats.
pub fn signatures<'s>(label: &str, signatures: impl IntoIterator<Item = &'s str>) -> Vec<Evidence> {
    let mut seen: Vec<&str> = Vec::new();
    for signature in signatures {
        if seen.len() == MAX_SIGNATURES {
            break;
        }
        if !seen.contains(&signature) {
            seen.push(signature);
        }
    }
    seen.into_iter().map(|s| Evidence::signature(label, s)).collect()
}

/// An address, with who is behind it when the label set knows.
pub fn address(ctx: &Context, label: impl Into<String>, address: &str) -> Evidence {
    let evidence = Evidence::address(label, address);
    match ctx.label(address) {
        Some(known) => evidence.with_detail(format!(
            "{} ({}; source: {})",
            known.name,
            known.kind.describe(),
            known.source
        )),
        None => evidence,
    }
}

/// An address with a note about it, after its label when it has one.
pub fn address_noting(
    ctx: &Context,
    label: impl Into<String>,
    address: &str,
    note: impl Into<String>,
) -> Evidence {
    let mut evidence = self::address(ctx, label, address);
    let note = note.into();
    evidence.detail = Some(match evidence.detail.take() {
        Some(known) => format!("{known} — {note}"),
        None => note,
    });
    evidence
}

/// `amount` base units as a decimal number: `2_500_000_000, 9` → `"2.5"`.
///
/// Works on the digits rather than on powers of ten, so any `u8` number of
/// decimals (a mint may declare up to 255) prints exactly.
pub fn units(amount: u64, decimals: u8) -> String {
    let decimals = usize::from(decimals);
    let digits = format!("{amount:0>width$}", width = decimals + 1);
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") }
}

pub fn sol(lamports: u64) -> String {
    format!("{} SOL", units(lamports, 9))
}

/// An amount of SOL or of a token, with the mint shortened.
pub fn amount(amount: u64, decimals: u8, mint: Option<&str>) -> String {
    match mint {
        None => sol(amount),
        Some(mint) => format!("{} of token {}", units(amount, decimals), short(mint)),
    }
}

/// `AbCd…WxYz`: enough to recognise an address in a sentence.
pub fn short(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 10 {
        return address.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// `1 transfer`, `3 transfers`, `2 addresses`.
pub fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else if ["s", "x", "z", "ch", "sh"].iter().any(|end| word.ends_with(end)) {
        format!("{count} {word}es")
    } else {
        format!("{count} {word}s")
    }
}

/// Whole percent of `part` in `whole`, rounded down; 0 when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

/// The name a reader knows an address by: its label, or its short form.
pub fn name(ctx: &Context, address: &str) -> String {
    ctx.label(address).map_or_else(|| short(address), |l| l.name.clone())
}

/// Lamports in `sol` whole SOL, for thresholds.
pub const fn sol_to_lamports(sol: u64) -> u64 {
    sol * LAMPORTS_PER_SOL
}

/// How often each value occurs: most frequent first, ties in value order,
/// so findings built from it are deterministic.
pub fn tally<T: Ord>(values: impl IntoIterator<Item = T>) -> Vec<(T, usize)> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut counts: Vec<(T, usize)> = counts.into_iter().collect();
    // Stable sort keeps the BTreeMap's value order among equal counts.
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_orders_by_count_then_value() {
        assert_eq!(tally(["b", "a", "b", "c", "a"]), vec![("a", 2), ("b", 2), ("c", 1)]);
    }

    #[test]
    fn amounts_print_without_trailing_zeros() {
        assert_eq!(units(2_500_000_000, 9), "2.5");
        assert_eq!(units(1_000_000_000, 9), "1");
        assert_eq!(units(1, 9), "0.000000001");
        assert_eq!(units(42, 0), "42");
        assert_eq!(sol(123_456_789), "0.123456789 SOL");
    }

    #[test]
    fn amounts_print_exactly_for_any_number_of_decimals() {
        assert_eq!(units(12_345, 31), "0.0000000000000000000000000012345");
        assert_eq!(units(1, 40), format!("0.{}1", "0".repeat(39)));
        assert_eq!(units(u64::MAX, 255), format!("0.{}{}", "0".repeat(255 - 20), u64::MAX));
        assert_eq!(units(0, 255), "0");
    }

    #[test]
    fn plurals_of_words_ending_in_s_take_es() {
        assert_eq!(plural(30, "address"), "30 addresses");
        assert_eq!(plural(1, "address"), "1 address");
        assert_eq!(plural(2, "transfer"), "2 transfers");
    }

    #[test]
    fn short_addresses_keep_both_ends() {
        assert_eq!(short("5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9"), "5tzF…uAi9");
        assert_eq!(short("abc"), "abc");
    }
}
