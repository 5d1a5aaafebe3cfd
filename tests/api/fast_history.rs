//! `getTransactionsForAddress` where the endpoint has it (a mock following
//! Helius's documented shapes): a whole history in pages of 100, the
//! transactions that reached the wallet's token accounts included, and the
//! standard methods when the endpoint answers "method not found".

use std::time::Duration;

use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::chain::{USDC, address};
use kimiko::testing::{Fault, MockRpc, TxBuilder};

use crate::helpers::one_wallet;

fn client(rpc: &MockRpc) -> SolanaRpc {
    SolanaRpc::new(&[rpc.url()], Duration::from_secs(5), 50, 4)
}

#[tokio::test]
async fn a_thousand_transactions_take_ten_pages_and_one_batch_for_the_holdings() {
    let (chain, wallet) = one_wallet(1_200);
    let rpc = MockRpc::start(chain.clone()).await;
    rpc.serve_transactions_for_address(true);
    let (history, gaps) = fetch_history(&client(&rpc), &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 1_000);
    assert_eq!(history.signatures.len(), 1_000);
    assert!(history.history_truncated, "1,200 transactions exceed the cap of 1,000");
    assert_eq!(gaps.missing + gaps.unsupported_version, 0);
    assert_eq!(rpc.calls_of("getTransactionsForAddress"), 10);
    assert_eq!(rpc.calls_of("getSignaturesForAddress") + rpc.calls_of("getTransaction"), 0);
    assert_eq!(rpc.calls(), 10 + 3, "ten pages, then balance and both token programs' accounts");
    // The same transactions, newest first, as the standard methods read them.
    let standard = chain.history(wallet.as_str());
    let firsts: Vec<&str> = history.signatures.iter().take(3).map(|s| s.signature.as_str()).collect();
    let expected: Vec<&str> = standard.signatures.iter().take(3).map(|s| s.signature.as_str()).collect();
    assert_eq!(firsts, expected);
}

#[tokio::test]
async fn token_payments_into_an_existing_token_account_are_read_though_they_never_name_the_owner() {
    let (mut chain, wallet) = one_wallet(3);
    let exchange = address("exchange-hot-wallet");
    chain.add_token_account(wallet.as_str(), USDC, 250_000_000, 6);
    let withdrawal = TxBuilder::new(&exchange, 1_790_000_500).seed("usdc-withdrawal").token_transfer(
        &exchange,
        wallet.as_str(),
        USDC,
        250_000_000,
        6,
    );
    // Only the exchange's history lists it: the owner is not among its keys.
    let signature = chain.add(&withdrawal, &[&exchange]);
    let rpc = MockRpc::start(chain).await;
    rpc.serve_transactions_for_address(true);
    let (history, _) = fetch_history(&client(&rpc), &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 4);
    assert!(history.signatures.iter().any(|s| s.signature == signature), "the withdrawal is in the history");
}

#[tokio::test]
async fn an_endpoint_without_the_method_is_probed_once_and_read_the_standard_way() {
    let (chain, wallet) = one_wallet(40);
    let rpc = MockRpc::start(chain).await;
    let client = client(&rpc);
    assert!(client.may_answer_transactions_for_address());
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 40);
    assert_eq!(rpc.calls_of("getTransactionsForAddress"), 1, "one probe, answered -32601");
    assert_eq!(rpc.calls_of("getTransaction"), 40);
    assert!(!client.may_answer_transactions_for_address());
    rpc.reset_counters();
    fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(rpc.calls_of("getTransactionsForAddress"), 0, "the answer is remembered");
}

#[tokio::test]
async fn with_two_endpoints_only_the_one_that_has_the_method_is_asked_for_it() {
    let (chain, wallet) = one_wallet(150);
    let public = MockRpc::start(chain.clone()).await;
    let helius = MockRpc::start(chain).await;
    helius.serve_transactions_for_address(true);
    let client = SolanaRpc::new(&[public.url(), helius.url()], Duration::from_secs(5), 50, 4);
    for _ in 0..3 {
        let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
        assert_eq!(history.transactions.len(), 150);
    }
    assert!(public.calls_of("getTransactionsForAddress") <= 1, "probed at most once");
    assert!(helius.calls_of("getTransactionsForAddress") >= 4, "the later reports go the fast way");
}

#[tokio::test]
async fn a_plan_that_refuses_the_method_in_its_own_words_is_read_the_standard_way() {
    let (chain, wallet) = one_wallet(30);
    let rpc = MockRpc::start(chain).await;
    rpc.serve_transactions_for_address(true);
    // The probe is refused with an error code of the provider's own, as a
    // plan without the method may answer: waiting would not change it.
    rpc.fail_next(Fault::RpcError { code: -32403, message: "Method not available on your plan".into() });
    let client = client(&rpc);
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 30);
    assert_eq!(rpc.calls_of("getTransaction"), 30);
    assert!(!client.may_answer_transactions_for_address());
}
