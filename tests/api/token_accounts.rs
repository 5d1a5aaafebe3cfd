//! Money that reaches the wallet's token accounts without naming the wallet
//! (an exchange's USDC withdrawal, a friend's USDC payment into the
//! existing account, a token account since closed): read through the token
//! accounts' own histories, within a budget of calls, through the real
//! client against the mock.

use std::sync::Arc;
use std::time::Duration;

use kimiko::analysis::{Labels, analyze_with};
use kimiko::domain::neighbourhood::Neighbourhood;
use kimiko::domain::{Report, WalletAddress};
use kimiko::solana::history::TOKEN_ACCOUNT_BUDGET;
use kimiko::solana::tx_store::MemoryTransactions;
use kimiko::solana::{Progress, SolanaRpc, fetch_history};
use kimiko::testing::token_accounts::{self, TokenScenario};
use kimiko::testing::{Chain, Fault, MockRpc};

use crate::helpers::{Options, spawn_app_with};

const NOW: i64 = 1_800_000_000;

fn client(rpc: &MockRpc) -> SolanaRpc {
    SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4)
}

async fn report_of(rpc: &MockRpc, wallet: &str) -> (Report, kimiko::domain::history::WalletHistory) {
    let wallet = WalletAddress::parse(wallet).unwrap();
    let (history, _) = fetch_history(&client(rpc), &wallet, 1_000, &|_| {}).await.unwrap();
    let report = analyze_with(&history, &Neighbourhood::new(1, 0), &Labels::shipped(), NOW);
    (report, history)
}

async fn serve(build: impl FnOnce(&mut Chain) -> TokenScenario) -> (MockRpc, TokenScenario) {
    let mut chain = Chain::new();
    let scenario = build(&mut chain);
    (MockRpc::start(chain).await, scenario)
}

#[tokio::test]
async fn usdc_withdrawn_from_an_exchange_into_the_existing_token_account_is_reported() {
    let (rpc, built) = serve(token_accounts::usdc_from_exchange).await;
    let (report, history) = report_of(&rpc, &built.scenario.wallet).await;

    let finding = report.finding("known_entity.exchange").unwrap_or_else(|| {
        panic!(
            "no exchange finding; score {} with {:?}",
            report.score,
            report.findings.iter().map(|f| &f.id).collect::<Vec<_>>()
        )
    });
    assert!(finding.explanation.contains("Binance"), "{}", finding.explanation);
    for signature in &built.via_token_accounts {
        assert!(
            history.transactions.iter().any(|tx| &tx.signature == signature),
            "{signature} reached the token account only and must be read"
        );
    }
    // The friend's payment is the owner's: it counts as a USDC transfer in.
    let payment = history.transactions.iter().find(|tx| tx.signature == built.via_token_accounts[3]).unwrap();
    assert!(
        payment.transfers.iter().any(|t| t.to == built.scenario.wallet && t.mint.is_some()),
        "{payment:?}"
    );
    assert_eq!(history.token_account_reads.transactions, 4);
    assert!(
        report.coverage().contains("4 of them reached the wallet through its token accounts"),
        "{}",
        report.coverage()
    );
    // Newest first, no signature twice.
    let slots: Vec<u64> = history.signatures.iter().map(|s| s.slot).collect();
    assert!(slots.windows(2).all(|w| w[0] >= w[1]), "{slots:?}");
    let mut unique: Vec<&str> = history.signatures.iter().map(|s| s.signature.as_str()).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), history.signatures.len());
}

#[tokio::test]
async fn a_closed_token_account_is_read_from_the_wallets_own_close_transaction() {
    let (rpc, built) = serve(token_accounts::closed_token_account).await;
    let (report, history) = report_of(&rpc, &built.scenario.wallet).await;
    assert!(history.transactions.iter().any(|tx| tx.signature == built.via_token_accounts[0]));
    assert!(report.finding("known_entity.exchange").is_some(), "{:?}", report.findings);
}

#[tokio::test]
async fn three_hundred_spam_token_accounts_stay_within_the_budget() {
    let (rpc, built) = serve(|chain| token_accounts::spammed_wallet(chain, 300)).await;
    let (report, history) = report_of(&rpc, &built.scenario.wallet).await;

    // One page of the owner's signatures, then one per token account read.
    assert_eq!(rpc.calls_of("getSignaturesForAddress"), 1 + TOKEN_ACCOUNT_BUDGET);
    assert_eq!(history.token_account_reads.read as usize, TOKEN_ACCOUNT_BUDGET);
    assert_eq!(history.token_account_reads.skipped as usize, 301 - TOKEN_ACCOUNT_BUDGET);
    // The USDC account (a known mint) is read first: the exchange is found.
    assert!(report.finding("known_entity.exchange").is_some(), "{:?}", report.findings);
    assert!(
        report
            .coverage()
            .contains(&format!("{} of its 301 token accounts were not read", 301 - TOKEN_ACCOUNT_BUDGET)),
        "{}",
        report.coverage()
    );
}

#[tokio::test]
async fn a_fresh_read_of_an_unchanged_wallet_asks_only_whether_anything_is_new() {
    let (rpc, built) = serve(token_accounts::usdc_from_exchange).await;
    let client = client(&rpc);
    let wallet = WalletAddress::parse(&built.scenario.wallet).unwrap();
    let (first, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    rpc.reset_counters();

    let (again, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(again, first);
    // The owner's list `until` its newest signature (nothing new, so the
    // balance is the same) and the token accounts of both programs (the
    // USDC account's amount is the same, so its list is too).
    assert_eq!(rpc.calls(), 3, "{} signature lists", rpc.calls_of("getSignaturesForAddress"));
    assert_eq!(rpc.calls_of("getTransaction"), 0);

    // One new payment: read it, and only it.
    let shop = kimiko::testing::chain::address("tokens:new-shop");
    let payment = kimiko::testing::TxBuilder::new(&built.scenario.wallet, 1_799_000_000)
        .seed("new-payment")
        .sol_transfer(&built.scenario.wallet, &shop, 7_654_321);
    let signature = rpc.with_chain(|chain| chain.add(&payment, &[&built.scenario.wallet, &shop]));
    rpc.reset_counters();
    let (newer, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(newer.transactions[0].signature, signature);
    assert_eq!(newer.transactions.len(), first.transactions.len() + 1);
    assert_eq!(rpc.calls_of("getTransaction"), 1);
    assert_eq!(rpc.calls(), 1 + 3 + 1, "signatures since, balance and token accounts, the new transaction");
}

#[tokio::test]
async fn a_retried_read_resumes_from_what_the_failed_attempt_kept() {
    let mut chain = Chain::new();
    let wallet = kimiko::testing::scenarios::many_wallets(&mut chain, 1, 300).remove(0);
    let wallet = WalletAddress::parse(&wallet).unwrap();
    let rpc = MockRpc::start(chain).await;
    let store = Arc::new(MemoryTransactions::new(10_000));
    let attempt = || client(&rpc).with_transaction_store(store.clone());

    // The node starts failing after the first 200 transactions (50 × 4).
    let fail_midway = |progress: Progress| {
        if progress.done >= 200 {
            rpc.fail_always(Fault::RpcError { code: -32005, message: "Node is behind by 42 slots".into() });
        }
    };
    let error = fetch_history(&attempt(), &wallet, 1_000, &fail_midway).await.unwrap_err();
    assert!(error.is_retryable(), "{error}");
    assert_eq!(store.len(), 200, "what the failed attempt read is kept");

    rpc.heal();
    rpc.reset_counters();
    let (history, _) = fetch_history(&attempt(), &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 300);
    assert_eq!(rpc.calls_of("getTransaction"), 100, "only what the first attempt did not read");
    // A new client probes once for getTransactionsForAddress (the mock has none).
    assert_eq!(rpc.calls(), 1 + 1 + 100 + 3);
}

crate::on_both_backends! {
    async fn a_report_through_the_worker_reads_token_accounts_and_a_fresh_one_asks_three_questions(db) {
        let mut chain = Chain::new();
        let built = token_accounts::usdc_from_exchange(&mut chain);
        let app = spawn_app_with(Options { chain, database: db, ..Options::default() }).await;
        let wallet = built.scenario.wallet.clone();
        app.submit(&wallet, "tokens@example.com").await;
        assert_eq!(app.run_worker().await, 1);
        let report: serde_json::Value = app.get(&format!("/api/reports/{wallet}")).await.json().await.unwrap();
        let ids: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"known_entity.exchange"), "{ids:?}");
        assert_eq!(report["token_account_reads"]["transactions"], 4);
        let (_, _, page) = app.page(&format!("/report/{wallet}"), false).await;
        assert!(page.contains("4 of them reached the wallet through its token accounts"));
        let kept = app.count("finalized_transactions").await;
        assert_eq!(kept, 10, "every transaction of the wallet, its token account included, kept once");

        app.rpc.reset_counters();
        app.submit_fresh(&wallet, "tokens-again@example.com").await;
        assert_eq!(app.run_worker().await, 1);
        assert_eq!(app.sent_mail().len(), 2);
        // An unchanged wallet: its signatures since, its token accounts of
        // both programs; and its two payees' newest pages, which can change
        // and which a fresh analysis therefore reads again (their
        // transactions are kept, so one call each).
        assert_eq!(app.rpc.calls_of("getSignaturesForAddress"), 3);
        assert_eq!(app.rpc.calls(), 5);
        assert_eq!(app.count("finalized_transactions").await, kept);
    }
}

crate::on_both_backends! {
    async fn kept_transactions_are_bounded_and_the_first_stored_go_first(db) {
        use kimiko::solana::tx_store::TransactionStore as _;
        use kimiko::storage::transactions::StoredTransactions;
        let app = spawn_app_with(Options { database: db, ..Options::default() }).await;
        let store = StoredTransactions::new(app.state.db.clone(), 10);
        let tx = |n: i64| (format!("sig-{n}"), serde_json::json!({"slot": n, "memo": "x".repeat(200)}));
        for n in 0..30 {
            // One write per millisecond, oldest first.
            store.put_many(&[tx(n)], 1_000 + n).await.unwrap();
        }
        store.trim().await.unwrap();
        let (rows, bytes) = store.size().await.unwrap();
        assert_eq!(rows, 10);
        assert!(bytes < 10 * 200, "deflated: {bytes} bytes for 10 rows of 200+ bytes of JSON");
        let all: Vec<String> = (0..30).map(|n| format!("sig-{n}")).collect();
        let kept = store.get(&all).await;
        let mut kept: Vec<&String> = kept.keys().collect();
        kept.sort();
        let newest: Vec<String> = (20..30).map(|n| format!("sig-{n}")).collect();
        assert_eq!(kept, newest.iter().collect::<Vec<_>>());
        assert_eq!(store.get(&["sig-25".to_owned()]).await["sig-25"], tx(25).1, "read back as stored");

        // A second write of a kept signature leaves it as it is.
        store.put_many(&[("sig-25".to_owned(), serde_json::json!({"other": true}))], 5_000).await.unwrap();
        assert_eq!(store.get(&["sig-25".to_owned()]).await["sig-25"], tx(25).1);

        store.put_list("wallet", serde_json::json!({"statuses": [], "truncated": false})).await;
        store.put_list("wallet", serde_json::json!({"statuses": [], "truncated": true})).await;
        assert_eq!(store.list("wallet").await.unwrap()["truncated"], true);
        assert!(store.list("other").await.is_none());
    }
}

#[tokio::test]
async fn the_fast_path_reads_the_same_token_account_transactions_in_its_own_calls() {
    let (rpc, built) = serve(token_accounts::usdc_from_exchange).await;
    rpc.serve_transactions_for_address(true);
    let (report, history) = report_of(&rpc, &built.scenario.wallet).await;

    assert!(report.finding("known_entity.exchange").is_some());
    assert_eq!(history.token_account_reads.transactions as usize, built.via_token_accounts.len());
    assert_eq!(rpc.calls_of("getSignaturesForAddress"), 0, "{:?}", rpc.calls_by_method());
}
