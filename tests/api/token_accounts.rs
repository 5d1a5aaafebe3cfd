//! Money that reaches the wallet's token accounts without naming the wallet
//! (an exchange's USDC withdrawal, a friend's USDC payment into the
//! existing account, a token account since closed): read through the token
//! accounts' own histories, within a budget of calls, through the real
//! client against the mock.

use std::time::Duration;

use kimiko::analysis::{Labels, analyze_with};
use kimiko::domain::neighbourhood::Neighbourhood;
use kimiko::domain::{Report, WalletAddress};
use kimiko::solana::history::TOKEN_ACCOUNT_BUDGET;
use kimiko::solana::{SolanaRpc, fetch_history};
use kimiko::testing::token_accounts::{self, TokenScenario};
use kimiko::testing::{Chain, MockRpc};

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
        panic!("no exchange finding; score {} with {:?}", report.score, report.findings.iter().map(|f| &f.id).collect::<Vec<_>>())
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
    assert!(payment.transfers.iter().any(|t| t.to == built.scenario.wallet && t.mint.is_some()), "{payment:?}");
    assert_eq!(history.token_account_reads.transactions, 4);
    assert!(report.coverage().contains("4 of them reached the wallet through its token accounts"), "{}", report.coverage());
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
        report.coverage().contains(&format!("{} of its 301 token accounts were not read", 301 - TOKEN_ACCOUNT_BUDGET)),
        "{}",
        report.coverage()
    );
}
