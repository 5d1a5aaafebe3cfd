//! An ordinary swap, recorded on mainnet, is not a privacy problem: a wallet
//! whose whole history is that one transaction, fetched through the mock RPC
//! exactly as the worker fetches it, scores at least 90 with nothing above
//! low.

use std::time::Duration;

use kimiko::analysis::{Labels, analyze};
use kimiko::domain::{Report, Severity, WalletAddress};
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::{Chain, MockRpc};

use crate::mainnet_fixtures::recorded;

/// A fixed analysis time, so reports are comparable.
const ANALYZED_AT: i64 = 1_800_000_000;

/// The report for the fee payer of the recorded transaction `name`.
async fn report_for_fee_payer(name: &str) -> Report {
    report_for_signer(name, 0).await
}

/// The report for the signer at `index` in the recorded transaction `name`,
/// with the wallet's SOL balance as the transaction left it. Its token
/// accounts today are unknown, so the mock serves none.
async fn report_for_signer(name: &str, index: usize) -> Report {
    let response = recorded(name);
    let result = &response["result"];
    let key = &result["transaction"]["message"]["accountKeys"][index];
    assert_eq!(key["signer"], true, "account {index} of {name} does not sign");
    let wallet = key["pubkey"].as_str().unwrap().to_owned();
    let mut chain = Chain::new();
    chain.add_recorded(result, &[&wallet]);
    chain.set_balance(&wallet, result["meta"]["postBalances"][index].as_u64().unwrap());
    let rpc = MockRpc::start(chain).await;
    let client = SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 10, 1);
    let address = WalletAddress::parse(&wallet).unwrap();
    let (history, gaps) = fetch_history(&client, &address, 1_000, &|_| {}).await.unwrap();
    assert_eq!((history.signatures.len(), history.transactions.len(), gaps.missing), (1, 1, 0));
    analyze(&history, &Labels::shipped(), ANALYZED_AT)
}

/// Score at least 90 and no finding above low, or a message naming every
/// finding with its severity and penalty.
fn assert_ordinary(report: &Report) {
    let serious: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Low)
        .map(|f| format!("{} ({}, -{})", f.id, f.severity.as_str(), f.penalty))
        .collect();
    let all: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} ({}, -{})", f.id, f.severity.as_str(), f.penalty))
        .collect();
    assert!(
        report.score >= 90 && serious.is_empty(),
        "score {}; above low: {serious:?}; all: {all:?}",
        report.score
    );
}

#[tokio::test]
async fn a_recorded_jupiter_swap_through_wrapped_sol_scores_as_ordinary() {
    let report = report_for_fee_payer("jupiter_swap_sol_to_knek_wrap_unwrap_bot_fee").await;
    assert_eq!(report.transactions_analyzed, 1);
    assert_ordinary(&report);
}

#[tokio::test]
async fn a_recorded_pump_fun_buy_scores_as_ordinary() {
    let report = report_for_fee_payer("pumpfun_buy_creates_token_account_bot_fee").await;
    assert_eq!(report.transactions_analyzed, 1);
    assert_ordinary(&report);
}

#[tokio::test]
async fn a_recorded_pump_fun_sell_scores_as_ordinary() {
    let report = report_for_fee_payer("pumpfun_sell_with_bot_fee").await;
    assert_eq!(report.transactions_analyzed, 1);
    assert_ordinary(&report);
}

/// The user of a gasless wallet app signs second; the app's fee relayer pays.
/// Its fee payer is labelled as Key App's relayer (the app's own list of
/// its fee payers); before that label shipped, `fee_payer.external` read the
/// relayer as "very likely the same person" (high, score 77).
#[tokio::test]
async fn a_recorded_gasless_send_through_a_wallet_relayer_scores_as_ordinary() {
    for name in ["gasless_usdc_send_via_link_with_memo", "gasless_sol_send_via_link_with_memo"] {
        let report = report_for_signer(name, 1).await;
        assert_ordinary(&report);
    }
}

/// A swap that failed on slippage: its fee was paid, nothing else moved.
#[tokio::test]
async fn a_recorded_failed_swap_scores_as_ordinary() {
    let report = report_for_fee_payer("failed_orca_swap_slippage_wrapped_sol").await;
    assert_eq!(report.transactions_analyzed, 1);
    assert_ordinary(&report);
}
