//! What a swap front-end or a trading bot adds to every trade (a fixed fee to
//! its fee wallet, a fixed Jito tip) and what strangers send unasked are not
//! the owner's relationships or payments; a person paid the same way still is.

use crate::analysis::testkit::*;
use crate::domain::Severity;
use crate::domain::programs;

const JITO_TIP: &str = "96gYZGLnJYVFmbjzopPSU6QiEV5fGqZNyN9nmNhvrZU5";

/// `n` swaps through Jupiter, each paying the bot's fee wallet 0.003 SOL
/// at the top level, as the recorded pump.fun and Jupiter bot trades do.
fn bot_trades(n: usize) -> HistoryBuilder {
    let fee_wallet = addr(90);
    wallet().repeat(n, |w, i| {
        w.sends_tokens_to(&pda(10), "mint:meme", 1_000_000 + i as u64 * 7_919, 6)
            .inside_a_program()
            .invoking(programs::JUPITER)
            .and_sends_sol_to(&fee_wallet, 0.003)
    })
}

#[test]
fn a_bots_fixed_fee_inside_every_swap_is_not_a_relationship_with_a_person() {
    let report = bot_trades(30).analyze();
    expect_no_finding(&report, "counterparty.concentration");
    expect_no_finding(&report, "amount.repeated");
}

#[test]
fn a_fixed_jito_tip_on_every_swap_is_not_a_repeated_payment() {
    let report = wallet()
        .repeat(12, |w, _| w.signs().invoking(programs::JUPITER).and_sends_sol_to(JITO_TIP, 0.001))
        .analyze();
    expect_no_finding(&report, "amount.repeated");
    expect_no_finding(&report, "counterparty.concentration");
}

#[test]
fn the_same_fixed_amount_paid_to_a_person_outside_swaps_is_still_repeated_and_concentrated() {
    let report =
        wallet().repeat(8, |w, _| w.sends_sol_to(&addr(91), 0.003)).sends_sol_to(&addr(92), 0.2).analyze();
    assert_eq!(expect_finding(&report, "amount.repeated").severity, Severity::Medium);
    assert_eq!(expect_finding(&report, "counterparty.concentration").severity, Severity::Medium);
}

#[test]
fn dust_a_stranger_sent_unasked_does_not_make_the_stranger_a_top_counterparty() {
    let stranger = addr(93);
    let report = wallet()
        .repeat(6, |w, i| w.sends_sol_to(&addr(40 + i as u8), 0.2 + i as f64 * 0.013))
        .repeat(4, |w, _| w.receives_lamports_from(&stranger, 1_000))
        .analyze();
    expect_no_finding(&report, "counterparty.concentration");
}

#[test]
fn dust_the_wallet_moved_on_itself_still_counts_as_its_own_transfers() {
    // The owner engaged: its own dust transfers to one wallet are its payments.
    let report = wallet()
        .repeat(2, |w, i| w.sends_sol_to(&addr(40 + i as u8), 0.2 + i as f64 * 0.013))
        .repeat(4, |w, _| w.sends_sol_to(&addr(94), 0.00001))
        .analyze();
    expect_finding(&report, "counterparty.concentration");
}
