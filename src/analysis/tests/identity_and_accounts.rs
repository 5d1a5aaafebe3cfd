use crate::analysis::testkit::*;
use crate::domain::Severity;
use crate::domain::history::Event;
use crate::domain::programs;

#[test]
fn registering_a_sol_name_is_high() {
    let report =
        wallet().signs().invoking(programs::SNS_REGISTRAR).invoking(programs::NAME_SERVICE).analyze();
    let finding = expect_finding(&report, "identity.domain");
    assert_eq!(finding.severity, Severity::High);
    assert!(has_evidence(finding, "sig00000"));
}

#[test]
fn no_name_service_no_domain_finding() {
    expect_no_finding(&wallet().signs().invoking(programs::STAKE).analyze(), "identity.domain");
}

fn mint_nft(w: HistoryBuilder, mint: &str) -> HistoryBuilder {
    w.signs().invoking(programs::METAPLEX_METADATA).event(Event::MintInitialized {
        mint: mint.to_owned(),
        mint_authority: Some(me()),
        decimals: 0,
    })
}

#[test]
fn creating_nfts_is_a_medium_identity_finding() {
    let report = mint_nft(mint_nft(wallet(), &addr(90)), &addr(91)).analyze();
    let finding = expect_finding(&report, "identity.nft_creator");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(finding.explanation.contains("2 NFTs"));
    assert!(has_evidence(finding, &addr(90)));
}

#[test]
fn mints_with_someone_elses_authority_are_not_ours() {
    let report = wallet()
        .signs()
        .event(Event::MintInitialized { mint: addr(90), mint_authority: Some(addr(3)), decimals: 6 })
        .analyze();
    expect_no_finding(&report, "identity.nft_creator");
}

fn created(owner: &str, payer: &str) -> Event {
    Event::TokenAccountCreated {
        account: addr(150),
        owner: owner.to_owned(),
        mint: Some(USDC.into()),
        payer: payer.to_owned(),
    }
}

#[test]
fn paying_rent_for_three_other_wallets_is_medium() {
    let report = wallet()
        .repeat(3, |w, i| {
            w.sends_tokens_to(&addr(80 + i as u8), USDC, 1_234_567, 6)
                .event(created(&addr(80 + i as u8), &me()))
        })
        .analyze();
    let finding = expect_finding(&report, "token_account.created_for_others");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &addr(81)));
}

#[test]
fn creating_our_own_token_account_links_nobody() {
    let report = wallet().signs().event(created(&me(), &me())).analyze();
    expect_no_finding(&report, "token_account.created_for_others");
}

#[test]
fn closing_our_account_to_another_wallet_links_them() {
    let other = addr(95);
    let report = wallet()
        .signs()
        .event(Event::TokenAccountClosed { account: addr(151), destination: other.clone(), owner: me() })
        .analyze();
    let finding = expect_finding(&report, "token_account.rent_refund_link");
    assert_eq!(finding.severity, Severity::Medium);
    assert!(has_evidence(finding, &other));
}

#[test]
fn closing_our_account_back_to_ourselves_is_fine() {
    let report = wallet()
        .signs()
        .event(Event::TokenAccountClosed { account: addr(151), destination: me(), owner: me() })
        .analyze();
    expect_no_finding(&report, "token_account.rent_refund_link");
}

#[test]
fn rent_paid_for_a_program_derived_owner_links_no_wallet() {
    // pump.fun-style: buying opens the bonding curve's token account, owned
    // by the curve (a program-derived address), with the buyer paying rent.
    let curve = pda(81);
    let report = wallet().repeat(3, |w, _| w.signs().event(created(&curve, &me()))).analyze();
    expect_no_finding(&report, "token_account.created_for_others");
}

#[test]
fn rent_refunded_to_a_program_derived_address_links_no_wallet() {
    let report = wallet()
        .signs()
        .event(Event::TokenAccountClosed { account: addr(151), destination: pda(95), owner: me() })
        .analyze();
    expect_no_finding(&report, "token_account.rent_refund_link");
}

#[test]
fn minting_from_a_candy_machine_is_buying_not_creating() {
    let report = wallet()
        .signs()
        .invoking(programs::CANDY_MACHINE_V2)
        .invoking(programs::METAPLEX_METADATA)
        .event(Event::MintInitialized { mint: addr(90), mint_authority: Some(me()), decimals: 0 })
        .event(Event::TokensMinted { mint: addr(90), account: addr(150), authority: me(), amount: 1 })
        .analyze();
    expect_no_finding(&report, "identity.nft_creator");
}
