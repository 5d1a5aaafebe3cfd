use crate::analysis::testkit::*;
use crate::domain::Severity;

#[test]
fn one_fixed_priority_fee_across_v0_and_v1_is_a_fingerprint() {
    // 250,000 micro-lamports × 200,000 units = 50,000 lamports, like the v1 ones.
    let report = wallet()
        .repeat(3, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3).v1_priority_fee(50_000))
        .repeat(3, |w, i| w.sends_sol_to(&addr(110 + i as u8), 0.3).v0_compute_price(250_000, 200_000))
        .analyze();
    let finding = expect_finding(&report, "fingerprint.priority_fee");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, "50000 lamports"));
    assert!(has_evidence(finding, "3 / 3"), "{:#?}", finding.evidence);
}

#[test]
fn a_micro_lamport_price_is_not_compared_with_a_lamport_total() {
    // v0 price 50,000 µ-lamports/CU with 1,000,000 CU is 50,000 lamports too,
    // but 50,000 µ-lamports with 200,000 CU is only 10,000: not the same fee.
    let report = wallet()
        .repeat(3, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3).v1_priority_fee(50_000))
        .repeat(3, |w, i| w.sends_sol_to(&addr(110 + i as u8), 0.3).v0_compute_price(50_000, 200_000))
        .analyze();
    expect_no_finding(&report, "fingerprint.priority_fee");
}

#[test]
fn varying_priority_fees_are_no_fingerprint() {
    let report = wallet()
        .repeat(8, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3).v1_priority_fee(10_000 + 997 * i as u64))
        .analyze();
    expect_no_finding(&report, "fingerprint.priority_fee");
}

#[test]
fn the_same_program_recipe_every_time_is_a_fingerprint() {
    let bot_program = addr(120);
    let report = wallet().repeat(10, |w, _| w.signs().invoking(&bot_program)).analyze();
    let finding = expect_finding(&report, "fingerprint.program_set");
    assert!(has_evidence(finding, &bot_program));
}

#[test]
fn plain_transfers_have_no_program_fingerprint() {
    let report = wallet().repeat(12, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.3)).analyze();
    expect_no_finding(&report, "fingerprint.program_set");
}

#[test]
fn mostly_round_amounts_are_reported() {
    let report = wallet()
        .repeat(6, |w, i| w.sends_sol_to(&addr(100 + i as u8), [1.0, 2.5, 0.5, 3.0, 10.0, 0.7][i]))
        .analyze();
    let finding = expect_finding(&report, "amount.round");
    assert_eq!(finding.severity, Severity::Low);
    assert!(has_evidence(finding, "2.5 SOL"));
}

#[test]
fn uneven_amounts_are_not_round() {
    let report =
        wallet().repeat(6, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.2374 + i as f64 * 0.0311)).analyze();
    expect_no_finding(&report, "amount.round");
}

#[test]
fn the_same_amount_five_times_is_medium() {
    let report =
        wallet().repeat(5, |w, i| w.sends_tokens_to(&addr(100 + i as u8), USDC, 1_250_370_000, 6)).analyze();
    let finding = expect_finding(&report, "amount.repeated");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, "1250.37"));
}

#[test]
fn different_amounts_are_not_repeated() {
    let report =
        wallet().repeat(6, |w, i| w.sends_sol_to(&addr(100 + i as u8), 0.2374 + i as f64 * 0.0311)).analyze();
    expect_no_finding(&report, "amount.repeated");
}

#[test]
fn dust_from_strangers_the_wallet_never_answered_is_information_only() {
    let report =
        wallet().receives_sol_from(&addr(7), 1.3).receives_lamports_from(&addr(200), 1_000).analyze();
    let finding = expect_finding(&report, "dust.received");
    assert_eq!((finding.severity, finding.penalty), (Severity::Info, 0));
    assert!(has_evidence(finding, "1"));
}

#[test]
fn paying_a_dust_sender_later_is_engaging_with_the_dust() {
    let stranger = addr(200);
    let report = wallet()
        .receives_sol_from(&addr(7), 1.3)
        .receives_lamports_from(&stranger, 1_000)
        .sends_sol_to(&stranger, 0.42)
        .analyze();
    let finding = expect_finding(&report, "dust.received");
    assert_eq!(finding.severity, Severity::Low);
    assert!(finding.penalty > 0);
    assert!(has_evidence(finding, &stranger));
}

#[test]
fn tiny_legs_inside_the_wallets_own_swap_are_not_dust_received() {
    let pool = pda(60);
    let report = wallet()
        .sends_sol_to(&pool, 0.8)
        .and_receives_lamports_from(&pool, 2_000)
        .inside_a_program()
        .analyze();
    expect_no_finding(&report, "dust.received");
}

#[test]
fn several_look_alike_senders_are_counted_in_plain_english() {
    let (a, b) = (addr(44), addr(45));
    let report = wallet()
        .sends_sol_to(&a, 1.7)
        .sends_sol_to(&b, 2.1)
        .receives_lamports_from(&lookalike(&a), 1)
        .receives_lamports_from(&lookalike(&b), 1)
        .analyze();
    let finding = expect_finding(&report, "dust.received");
    assert!(finding.explanation.contains("2 addresses of the senders imitate"), "{}", finding.explanation);
}

#[test]
fn dust_from_a_look_alike_of_a_real_counterparty_is_address_poisoning() {
    let friend = addr(44);
    let fake = lookalike(&friend);
    let report = wallet().sends_sol_to(&friend, 1.7).receives_lamports_from(&fake, 1).analyze();
    let finding = expect_finding(&report, "dust.received");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &fake) && has_evidence(finding, &friend));
    assert!(finding.explanation.contains("address poisoning"));
}

#[test]
fn ordinary_incoming_payments_are_not_dust() {
    let report =
        wallet().receives_sol_from(&addr(7), 0.01).receives_tokens_from(&addr(8), USDC, 500_000, 6).analyze();
    expect_no_finding(&report, "dust.received");
}

#[test]
fn moving_token_2022_tokens_every_time_is_no_program_fingerprint() {
    // The Token-2022 program id as mainnet transactions carry it
    // (tests/fixtures/mainnet/token2022_burn_with_memo_bridge_redeem.json):
    // a basic program like the classic token program, not an app's recipe.
    let token_2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
    let report = wallet()
        .repeat(10, |w, i| {
            w.sends_tokens_to(&addr(130 + i as u8), USDC, 1_000_000 + i as u64, 6).invoking(token_2022)
        })
        .analyze();
    expect_no_finding(&report, "fingerprint.program_set");
}
