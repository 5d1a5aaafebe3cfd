//! The RPC client against the mock's faults: rotation on 429 with
//! Retry-After, batch refusal remembered, malformed bodies, -32015, pruned
//! transactions, and how many requests a wallet takes.

use std::time::Duration;

use kimiko::solana::{RpcError, SolanaRpc, fetch_history};
use kimiko::testing::chain::address;
use kimiko::testing::{Chain, Fault, MockRpc};

use crate::helpers::one_wallet;

fn client(urls: &[&MockRpc], batch: usize) -> SolanaRpc {
    let urls: Vec<url::Url> = urls.iter().map(|m| m.url()).collect();
    SolanaRpc::new(&urls, Duration::from_secs(1), batch, 4)
}

#[tokio::test]
async fn a_wallet_is_fetched_in_batches_and_paged_signatures() {
    let (chain, wallet) = one_wallet(1_200);
    let rpc = MockRpc::start(chain).await;
    let client = client(&[&rpc], 100);
    let (history, gaps) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.signatures.len(), 1_000);
    assert_eq!(history.transactions.len(), 1_000);
    assert!(history.history_truncated, "1,200 transactions exceed the cap of 1,000");
    assert_eq!(gaps.missing, 0);
    // The probe for getTransactionsForAddress (which this endpoint lacks,
    // like the public one), 1 signature page (limit 1001 is capped at 1000
    // by the node, so a second page asks for the one extra) + 10 batches of
    // 100 + 1 batch for balance and token accounts.
    assert_eq!(rpc.calls_of("getTransactionsForAddress"), 1);
    assert_eq!(rpc.calls_of("getSignaturesForAddress"), 2);
    assert_eq!(rpc.calls_of("getTransaction"), 1_000);
    assert_eq!(rpc.http_requests(), 1 + 2 + 10 + 1);
}

#[tokio::test]
async fn a_rate_limited_endpoint_cools_down_while_another_serves() {
    let (chain, wallet) = one_wallet(30);
    let slow = MockRpc::start(chain.clone()).await;
    let spare = MockRpc::start(chain).await;
    slow.fail_always(Fault::RateLimited { retry_after_secs: 30 });
    let client = client(&[&slow, &spare], 10);
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 30);
    assert_eq!(slow.http_requests(), 1, "after one 429 the endpoint rests for its Retry-After");
    assert!(spare.http_requests() >= 5);
}

#[tokio::test]
async fn an_endpoint_that_refuses_batches_gets_single_calls_from_then_on() {
    let (chain, wallet) = one_wallet(40);
    let rpc = MockRpc::start(chain).await;
    rpc.refuse_batches(true);
    let client = client(&[&rpc], 10);
    let (history, _) = fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.transactions.len(), 40);
    // The probe for getTransactionsForAddress, one refused batch, then 40 +
    // 3 single calls (transactions; balance and the token accounts of both
    // token programs) and the signature page.
    assert_eq!(rpc.http_requests(), 1 + 1 + 1 + 40 + 3);
    rpc.reset_counters();
    fetch_history(&client, &wallet, 1_000, &|_| {}).await.unwrap();
    // The transactions were read once and are kept (`tx_cache`), nothing is
    // new since (so neither is the balance): the signatures since and the
    // token accounts of both programs, as single calls at once, without a
    // refused batch.
    assert_eq!(rpc.http_requests(), 1 + 2, "the refusal is remembered");
}

#[tokio::test]
async fn malformed_bodies_and_timeouts_are_clear_retryable_errors() {
    let (chain, wallet) = one_wallet(3);
    let rpc = MockRpc::start(chain).await;
    rpc.fail_always(Fault::Malformed);
    let error = fetch_history(&client(&[&rpc], 10), &wallet, 1_000, &|_| {}).await.unwrap_err();
    assert!(matches!(error, RpcError::Malformed { .. }), "{error}");
    assert!(error.is_retryable());
    assert!(error.to_string().contains("malformed"), "{error}");

    rpc.fail_always(Fault::Slow(Duration::from_secs(3)));
    let error = fetch_history(&client(&[&rpc], 10), &wallet, 1_000, &|_| {}).await.unwrap_err();
    assert!(matches!(error, RpcError::Timeout { .. }), "{error}");
}

#[tokio::test]
async fn pruned_transactions_are_counted_not_invented() {
    let (mut chain, wallet) = one_wallet(5);
    chain.add_missing(wallet.as_str(), "pruned-1", 1_790_000_000);
    let rpc = MockRpc::start(chain).await;
    let (history, gaps) = fetch_history(&client(&[&rpc], 10), &wallet, 1_000, &|_| {}).await.unwrap();
    assert_eq!(history.signatures.len(), 6);
    assert_eq!(history.transactions.len(), 5);
    assert_eq!(gaps.missing, 1);
}

#[tokio::test]
async fn the_mock_refuses_v1_transactions_to_clients_that_dont_ask_for_them() {
    let mut chain = Chain::new();
    let wallet = address("v1-wallet");
    let tx = kimiko::testing::TxBuilder::new(&wallet, 1_790_000_000)
        .priority_fee(100_000, 5_000)
        .sol_transfer(&wallet, &address("x"), 1);
    let signature = chain.add(&tx, &[&wallet]);
    let rpc = MockRpc::start(chain).await;
    let client = client(&[&rpc], 10);
    let error = client
        .call::<serde_json::Value>(
            "getTransaction",
            serde_json::json!([signature, {"encoding": "jsonParsed"}]),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, RpcError::Rpc { code: -32015, .. }), "{error}");
    let ok: serde_json::Value =
        client.call("getTransaction", kimiko::solana::wire::transaction_params(&signature)).await.unwrap();
    assert_eq!(ok["version"], 1);
}

#[tokio::test]
async fn token_2022_holdings_are_read_beside_classic_token_holdings() {
    // PayPal USD lives under Token-2022; a node lists token accounts one
    // token program at a time.
    const PYUSD: &str = "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo";
    let (mut chain, wallet) = one_wallet(3);
    chain.add_token_account(wallet.as_str(), kimiko::testing::chain::USDC, 5_000_000, 6);
    chain.add_token_account_of(kimiko::domain::programs::TOKEN_2022, wallet.as_str(), PYUSD, 7_250_000, 6);
    let rpc = MockRpc::start(chain).await;
    let (history, _) = fetch_history(&client(&[&rpc], 10), &wallet, 1_000, &|_| {}).await.unwrap();
    let mints: Vec<&str> = history.token_accounts.iter().map(|h| h.mint.as_str()).collect();
    assert_eq!(mints.len(), 2, "{mints:?}");
    assert!(mints.contains(&PYUSD), "{mints:?}");
}
