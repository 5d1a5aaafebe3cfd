//! Wallets whose money arrives in their token accounts: transfers into an
//! account that already exists name the account and the sender, never the
//! owner, so on mainnet (and here) they sit only in the account's own
//! signature list. Each transfer carries the token balances' `owner`, as
//! the node records it.

use super::chain::{Chain, SOL, TxBuilder, USDC, address, token_account};
use super::scenarios::{BINANCE, HOUR, START, Scenario};

const DAY: i64 = 86_400;

/// An ordinary wallet (varied SOL payments at all hours, its own USDC
/// account opened by itself) that withdrew USDC from Binance three times
/// and was paid USDC once by a friend, all four into that existing account.
pub fn usdc_withdrawals(chain: &mut Chain) -> Scenario {
    let wallet = address("tokens:withdrawals");
    ordinary_activity(chain, &wallet, "tokens:withdrawals");
    let usdc = token_account(&wallet, USDC);
    chain.add(
        &TxBuilder::new(&wallet, START + HOUR)
            .seed("tokens:open-usdc")
            .create_token_account(&wallet, &wallet, USDC),
        &[&wallet, &usdc],
    );
    for (i, dollars) in [250u64, 1_000, 420].into_iter().enumerate() {
        let at = START + DAY * (3 + 4 * i as i64) + HOUR * 2;
        let withdrawal = TxBuilder::new(BINANCE, at).seed(format!("tokens:binance-usdc-{i}")).token_transfer(
            BINANCE,
            &wallet,
            USDC,
            dollars * 1_000_000,
            6,
        );
        chain.add(&withdrawal, &[BINANCE, &token_account(BINANCE, USDC), &usdc]);
    }
    let friend = address("tokens:withdrawals:friend");
    let payment = TxBuilder::new(&friend, START + DAY * 9 + HOUR * 20)
        .seed("tokens:friend-usdc")
        .token_transfer(&friend, &wallet, USDC, 37_500_000, 6);
    chain.add(&payment, &[&friend, &token_account(&friend, USDC), &usdc]);
    chain.add_token_account(&wallet, USDC, 1_707_500_000, 6);
    Scenario { name: "usdc-withdrawals", wallet }
}

/// [`usdc_withdrawals`]'s wallet, plus `spam` token accounts of unknown
/// mints a stranger airdropped into it (each with a balance, none ever
/// touched by the wallet).
pub fn spammed_wallet(chain: &mut Chain, spam: usize) -> Scenario {
    let scenario = usdc_withdrawals(chain);
    let spammer = address("tokens:spammer");
    for i in 0..spam {
        let mint = address(&format!("tokens:spam-mint:{i}"));
        let account = token_account(&scenario.wallet, &mint);
        let airdrop = TxBuilder::new(&spammer, START + DAY * 20 + 60 * i as i64)
            .seed(format!("tokens:airdrop-{i}"))
            .create_token_account(&spammer, &scenario.wallet, &mint)
            .token_transfer(&spammer, &scenario.wallet, &mint, 1_000_000, 6);
        chain.add(&airdrop, &[&spammer, &account]);
        chain.add_token_account(&scenario.wallet, &mint, 1_000_000, 6);
    }
    Scenario { name: "spammed", ..scenario }
}

/// A wallet that opened a token account, received a token from Binance
/// into it (naming only the account), sold out of it and closed it: the
/// account is gone from `getTokenAccountsByOwner`, its history is not.
pub fn closed_token_account(chain: &mut Chain) -> Scenario {
    let wallet = address("tokens:closed");
    ordinary_activity(chain, &wallet, "tokens:closed");
    let mint = address("tokens:closed:mint");
    let account = token_account(&wallet, &mint);
    chain.add(
        &TxBuilder::new(&wallet, START + HOUR)
            .seed("tokens:open")
            .create_token_account(&wallet, &wallet, &mint),
        &[&wallet, &account],
    );
    for i in 0..3 {
        let withdrawal = TxBuilder::new(BINANCE, START + DAY * (2 + i) + HOUR * 5)
            .seed(format!("tokens:closed:binance-{i}"))
            .token_transfer(BINANCE, &wallet, &mint, 10_000_000, 6);
        chain.add(&withdrawal, &[BINANCE, &token_account(BINANCE, &mint), &account]);
    }
    let buyer = address("tokens:closed:buyer");
    chain.add(
        &TxBuilder::new(&wallet, START + DAY * 8)
            .seed("tokens:closed:sell")
            .token_transfer(&wallet, &buyer, &mint, 30_000_000, 6),
        &[&wallet, &account, &buyer],
    );
    let close = TxBuilder::new(&wallet, START + DAY * 8 + HOUR).seed("tokens:close").parsed_instruction(
        "spl-token",
        crate::domain::programs::TOKEN,
        serde_json::json!({"info": {"account": account, "destination": wallet, "owner": wallet}, "type": "closeAccount"}),
    );
    chain.add(&close, &[&wallet, &account]);
    Scenario { name: "closed-token-account", wallet }
}

/// Thirty SOL payments with different wallets, uneven amounts, at all
/// hours: a history that gives nothing away on its own.
fn ordinary_activity(chain: &mut Chain, wallet: &str, seed: &str) {
    chain.set_balance(wallet, 3 * SOL + 141_592_653);
    for i in 0..30i64 {
        let other = address(&format!("{seed}:peer:{i}"));
        let at = START + DAY * (i / 2) + HOUR * ((i * 7) % 24) + 60 * ((i * 13) % 60);
        let lamports = 13_370_000 + (i as u64 * 7_919_317) % 900_000_000;
        let tx = if i % 2 == 0 {
            TxBuilder::new(wallet, at).seed(format!("{seed}:out-{i}")).sol_transfer(wallet, &other, lamports)
        } else {
            TxBuilder::new(&other, at).seed(format!("{seed}:in-{i}")).sol_transfer(&other, wallet, lamports)
        };
        chain.add(&tx, &[wallet, &other]);
    }
}
