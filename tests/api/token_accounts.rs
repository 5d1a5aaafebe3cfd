//! What reaches a wallet's token accounts is the wallet's: an exchange's
//! USDC withdrawal into an existing token account names only the account,
//! so the worker reads the accounts' own histories (within a budget that
//! spam airdrops cannot blow) and the report says what came that way.

use kimiko::solana::token_history::TOKEN_ACCOUNT_BUDGET;
use kimiko::testing::Chain;
use kimiko::testing::token_accounts::{closed_token_account, spammed_wallet, usdc_withdrawals};
use serde_json::Value;

use crate::helpers::{Options, TestApp, spawn_app_with};

const EMAIL: &str = "tokens@example.com";

/// The app with link-following off, so every RPC call counted is the
/// wallet's own history.
async fn app_for(chain: Chain) -> TestApp {
    let env = vec![("KIMIKO_HOP_BUDGET", "0".to_owned())];
    spawn_app_with(Options { chain, env, ..Options::default() }).await
}

async fn report_of(app: &TestApp, wallet: &str) -> Value {
    let id = app.submit(wallet, EMAIL).await;
    assert_eq!(app.run_worker().await, 1);
    assert_eq!(app.job_json(&id).await["status"], "succeeded");
    app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap()
}

fn finding<'r>(report: &'r Value, id: &str) -> Option<&'r Value> {
    report["findings"].as_array().unwrap().iter().find(|f| f["id"] == id)
}

#[tokio::test]
async fn exchange_withdrawals_into_an_existing_token_account_are_reported() {
    let mut chain = Chain::new();
    let scenario = usdc_withdrawals(&mut chain);
    let app = app_for(chain).await;
    let report = report_of(&app, &scenario.wallet).await;

    let exchange = finding(&report, "known_entity.exchange").expect("the exchange withdrawals are found");
    assert!(exchange["explanation"].as_str().unwrap().contains("Binance"), "{exchange}");
    assert_eq!(report["via_token_accounts"], 4, "three withdrawals and a friend's payment");
    assert!(report["score"].as_u64().unwrap() < 95, "{}", report["score"]);
    let page = app.get(&format!("/report/{}", scenario.wallet)).await.text().await.unwrap();
    assert!(page.contains("4 of them reached the wallet through its token accounts."));
}

#[tokio::test]
async fn three_hundred_spam_token_accounts_cost_the_budget_not_three_hundred_reads() {
    let mut chain = Chain::new();
    let scenario = spammed_wallet(&mut chain, 300);
    let app = app_for(chain).await;
    let report = report_of(&app, &scenario.wallet).await;

    assert!(finding(&report, "known_entity.exchange").is_some(), "the USDC account is read first");
    // The owner's page, then one list per token account read.
    assert_eq!(app.rpc.calls_of("getSignaturesForAddress"), 1 + TOKEN_ACCOUNT_BUDGET);
    let unread = 301 - TOKEN_ACCOUNT_BUDGET as u64;
    assert_eq!(report["token_accounts_unread"], unread);
    let calls = app.rpc.calls();
    assert!(calls < 120, "{calls} calls: {:?}", app.rpc.calls_by_method());
    let page = app.get(&format!("/report/{}", scenario.wallet)).await.text().await.unwrap();
    assert!(page.contains(&format!("The histories of {unread} token accounts were not read")));
}

#[tokio::test]
async fn the_history_of_a_closed_token_account_is_still_read() {
    let mut chain = Chain::new();
    let scenario = closed_token_account(&mut chain);
    let app = app_for(chain).await;
    let report = report_of(&app, &scenario.wallet).await;

    assert!(finding(&report, "known_entity.exchange").is_some(), "{report}");
    assert_eq!(report["via_token_accounts"], 3);
}

#[tokio::test]
async fn the_fast_path_reads_the_same_token_account_transactions_in_its_own_calls() {
    let mut chain = Chain::new();
    let scenario = usdc_withdrawals(&mut chain);
    let app = app_for(chain).await;
    app.rpc.serve_transactions_for_address(true);
    let report = report_of(&app, &scenario.wallet).await;

    assert!(finding(&report, "known_entity.exchange").is_some());
    assert_eq!(report["via_token_accounts"], 4);
    assert_eq!(app.rpc.calls_of("getSignaturesForAddress"), 0, "{:?}", app.rpc.calls_by_method());
}
