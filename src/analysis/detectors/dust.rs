//! Tiny unsolicited transfers. Dust marks a wallet for tracking, and dust
//! from an address that mimics one the wallet really uses is address
//! poisoning: it waits for the owner to copy the wrong address from history.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::analysis::context::{Context, other_side};
use crate::analysis::detector::{Detector, DetectorInfo};
use crate::analysis::evidence::{self, plural};
use crate::analysis::transfers::is_dust;
use crate::domain::{Category, Evidence, Finding, Severity};

pub const RECEIVED: Detector = Detector { info: &RECEIVED_INFO, detect: received };

/// Characters at each end that wallet apps show and people compare.
const LOOKALIKE_ENDS: usize = 4;

static RECEIVED_INFO: DetectorInfo = DetectorInfo {
    id: "dust.received",
    title: "Dust or address-poisoning transfers received",
    category: Category::Dust,
    looks_at: "Unsolicited incoming dust — under 0.0001 SOL, or under 0.0001 of a token (zero-amount token transfers included) — in transactions the wallet did not sign; tiny legs inside the wallet's own swaps are not dust. Dust alone is a stranger's doing: information only (no points). When the wallet later paid a dust sender, it engaged: low (3 points, 4 from three such senders). Dust from an address whose first and last 4 characters match an address the wallet really transacted with (a non-dust transfer) is address poisoning: medium (8).",
    severity: Severity::Medium,
    max_penalty: 8,
    limits: "Some airdrops and refunds are tiny but legitimate. Look-alikes are matched on the ends wallet apps display (4 characters each); an attacker who matched fewer characters is not caught. Moving the dust itself on is not traced.",
};

fn received(ctx: &Context) -> Option<Finding> {
    let mut dust_by_sender: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut real: BTreeSet<&str> = BTreeSet::new();
    let mut paid: BTreeSet<&str> = BTreeSet::new();
    for (tx, transfer) in ctx.wallet_transfers() {
        let Some((other, outgoing)) = other_side(ctx.wallet, transfer) else {
            continue;
        };
        let signed = tx.signers.iter().any(|s| s == ctx.wallet);
        if !outgoing && !signed && is_dust(transfer) {
            dust_by_sender.entry(other).or_default().push(&tx.signature);
        } else if !is_dust(transfer) {
            real.insert(other);
            if outgoing {
                paid.insert(other);
            }
        }
    }
    if dust_by_sender.is_empty() {
        return None;
    }
    let lookalikes = LookalikeIndex::new(real.iter().copied());
    let poisoners: Vec<(&str, &str)> = dust_by_sender
        .keys()
        .filter(|sender| !real.contains(*sender))
        .filter_map(|sender| lookalikes.imitated_by(sender).map(|genuine| (*sender, genuine)))
        .collect();
    let engaged: Vec<&str> = dust_by_sender.keys().copied().filter(|sender| paid.contains(sender)).collect();
    let transfers: usize = dust_by_sender.values().map(Vec::len).sum();
    let (severity, strength) = match (poisoners.len(), engaged.len()) {
        (1.., _) => (Severity::Medium, 100),
        (0, 3..) => (Severity::Low, 50),
        (0, 1..) => (Severity::Low, 35),
        (0, 0) => (Severity::Info, 0),
    };
    let mut evidence = Vec::new();
    for (fake, genuine) in poisoners.iter().take(3) {
        evidence.push(evidence::address_noting(
            ctx,
            "look-alike sender",
            fake,
            format!("imitates {genuine}"),
        ));
        evidence.push(evidence::address(ctx, "real counterparty it imitates", genuine));
    }
    for sender in engaged.iter().take(3) {
        evidence.push(evidence::address_noting(ctx, "dust sender this wallet paid", sender, "engaged"));
    }
    evidence.push(Evidence::count("dust transfers received", transfers));
    evidence.push(Evidence::count("dust senders", dust_by_sender.len()));
    let signatures = poisoners
        .iter()
        .flat_map(|(fake, _)| dust_by_sender[fake].iter().copied())
        .chain(dust_by_sender.values().flatten().copied());
    evidence.extend(evidence::signatures("dust transaction", signatures));
    let poisoning = if poisoners.is_empty() {
        String::new()
    } else {
        format!(
            " {} of the senders imitate{} an address this wallet really dealt with (same first and last {LOOKALIKE_ENDS} characters): that is address poisoning, waiting for you to copy the fake address from your history and send funds to it.",
            plural(poisoners.len(), "address"),
            if poisoners.len() == 1 { "s" } else { "" }
        )
    };
    let engagement = match engaged.len() {
        0 if poisoners.is_empty() => " Strangers sent it without this wallet's signature, so it says nothing about you by itself; it only starts to matter if you interact with it.".to_owned(),
        0 => String::new(),
        n => format!(" This wallet later paid {}, which links it to whoever sent the dust.", plural(n, "dust sender")),
    };
    Some(
        RECEIVED_INFO
            .finding(severity, strength)
            .confidence(if poisoners.is_empty() { 70 } else { 90 })
            .explanation(format!(
                "This wallet received {} from {}. Dust is sent to mark wallets and see where their funds go next.{poisoning}{engagement}",
                plural(transfers, "dust transfer"),
                plural(dust_by_sender.len(), "sender")
            ))
            .recommendation("Don't move or interact with dust, and never copy an address from your transaction history: use your address book or check every character. Most wallets let you hide dust tokens.")
            .evidence(evidence)
            .build(),
    )
}

/// The addresses a wallet really dealt with, by the characters at each end
/// that wallet apps display: one lookup per dust sender, however many
/// counterparties there are.
struct LookalikeIndex<'a> {
    by_ends: HashMap<(&'a str, &'a str), Vec<&'a str>>,
}

impl<'a> LookalikeIndex<'a> {
    fn new(real: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_ends: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
        for address in real {
            if let Some(key) = ends(address) {
                by_ends.entry(key).or_default().push(address);
            }
        }
        Self { by_ends }
    }

    /// The real address `candidate` imitates (first in address order), if any.
    fn imitated_by(&self, candidate: &str) -> Option<&'a str> {
        let matches = self.by_ends.get(&ends(candidate)?)?;
        matches.iter().copied().filter(|real| *real != candidate).min()
    }
}

/// The first and last [`LOOKALIKE_ENDS`] characters, for strings longer than
/// both together.
fn ends(address: &str) -> Option<(&str, &str)> {
    let head_end = address.char_indices().nth(LOOKALIKE_ENDS)?.0;
    let tail_start = address.char_indices().rev().nth(LOOKALIKE_ENDS - 1)?.0;
    (tail_start >= head_end && address[head_end..].chars().count() > LOOKALIKE_ENDS)
        .then(|| (&address[..head_end], &address[tail_start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_the_characters_wallet_apps_show() {
        assert_eq!(ends("ABCDmiddleWXYZ"), Some(("ABCD", "WXYZ")));
        assert_eq!(ends("ABCDWXYZ"), None, "no middle: the same string, not a look-alike");
        assert_eq!(ends("ÄBCDmiddleWXYŻ"), Some(("ÄBCD", "WXYŻ")));
    }

    #[test]
    fn the_index_finds_the_imitated_address_and_never_the_address_itself() {
        let index = LookalikeIndex::new(["ABCD1111WXYZ", "QQQQ2222RRRR"]);
        assert_eq!(index.imitated_by("ABCD9999WXYZ"), Some("ABCD1111WXYZ"));
        assert_eq!(index.imitated_by("ABCD1111WXYZ"), None);
        assert_eq!(index.imitated_by("ABCE9999WXYZ"), None);
    }
}
