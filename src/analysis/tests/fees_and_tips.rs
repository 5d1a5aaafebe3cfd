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

/// A wallet funded by a friend that pays two shops, then swaps `fills`
/// times through JupiterZ, where the market maker pays the fee.
fn rfq_user(chain: &mut crate::testing::Chain, fills: i64) -> String {
    use crate::testing::chain::address;
    use crate::testing::{SOL, TxBuilder};
    let wallet = address("rfq:wallet");
    let friend = address("rfq:friend");
    let maker = address("rfq:market-maker");
    chain.add(
        &TxBuilder::new(&friend, START).seed("funding").sol_transfer(&friend, &wallet, 2 * SOL),
        &[&friend, &wallet],
    );
    for i in 0..3i64 {
        let shop = address(&format!("rfq:shop:{i}"));
        let pay = TxBuilder::new(&wallet, START + (i + 1) * DAY).seed(format!("shop-{i}")).sol_transfer(
            &wallet,
            &shop,
            SOL / 10,
        );
        chain.add(&pay, &[&wallet, &shop]);
    }
    for i in 0..fills {
        let fill = TxBuilder::new(&maker, START + (5 + i) * DAY).seed(format!("fill-{i}")).rfq_fill(
            &wallet,
            &maker,
            USDC,
            6,
            50_000_000,
            SOL / 4,
        );
        chain.add(&fill, &[&wallet, &maker]);
    }
    wallet
}

#[test]
fn a_gasless_rfq_fill_whose_fee_the_market_maker_paid_is_not_someone_paying_the_wallets_fees() {
    let mut chain = crate::testing::Chain::new();
    let wallet = rfq_user(&mut chain, 1);
    let report = report(&chain.history(&wallet));
    expect_no_finding(&report, "fee_payer.external");
    assert!(
        report.links.iter().all(|l| l.kind != crate::domain::LinkKind::FeePayer),
        "the market maker is not drawn as the wallet's fee payer: {:?}",
        report.links
    );
    assert!(report.findings.iter().all(|f| f.severity <= Severity::Low), "{:?}", report.findings);
}

#[test]
fn a_swap_whose_fee_a_gasless_service_paid_is_not_someone_paying_the_wallets_fees() {
    // Jupiter's own gasless support and an integrator's payer sign a
    // Jupiter swap as its fee payer (dev.jup.ag/docs/ultra/gasless, /payer).
    let gas_payer = addr(91);
    let report = wallet()
        .repeat(3, |w, i| w.sends_sol_to(&addr(60 + i as u8), 0.1))
        .sends_tokens_to(&pda(10), USDC, 20_000_000, 6)
        .inside_a_program()
        .invoking(programs::JUPITER)
        .fee_paid_by(&gas_payer)
        .analyze();
    expect_no_finding(&report, "fee_payer.external");
}

#[test]
fn a_person_who_pays_the_wallets_fees_for_plain_transfers_is_still_reported() {
    let friend = addr(91);
    let report = wallet()
        .repeat(3, |w, i| w.sends_sol_to(&addr(60 + i as u8), 0.1))
        .sends_sol_to(&addr(70), 0.2)
        .fee_paid_by(&friend)
        .analyze();
    let finding = expect_finding(&report, "fee_payer.external");
    assert_eq!(finding.severity, Severity::Medium);
}
