//! Wallets whose money arrives in their token accounts without naming them:
//! an exchange's USDC withdrawal or a friend's USDC payment into the
//! wallet's existing associated token account names only that account (the
//! owner is in no account key, only in the token balances' `owner`), so
//! `getSignaturesForAddress(owner)` never lists it; the token account's own
//! history does. Built with [`TxBuilder`] in mainnet's shapes.

use super::chain::{Chain, SOL, TxBuilder, USDC, address, token_account};
use super::scenarios::{BINANCE, HOUR, START, Scenario};

const DAY: i64 = 86_400;

/// What the token-account scenarios put where, for assertions.
#[derive(Clone, Debug)]
pub struct TokenScenario {
    pub scenario: Scenario,
    /// Signatures that only the wallet's token accounts list.
    pub via_token_accounts: Vec<String>,
}

/// An ordinary wallet (funded by a friend, a few payments) that opened its
/// own USDC account, then withdrew USDC from Binance into it three times and
/// got a friend's USDC payment there: four transactions the owner's
/// signature list does not have.
pub fn usdc_from_exchange(chain: &mut Chain) -> TokenScenario {
    let wallet = address("tokens:usdc-from-exchange");
    let friend = address("tokens:usdc-from-exchange:friend");
    let payer = address("tokens:usdc-from-exchange:payer");
    let ata = token_account(&wallet, USDC);
    chain.set_balance(&wallet, 2 * SOL);
    let funding =
        TxBuilder::new(&friend, START).seed("tokens-funding").sol_transfer(&friend, &wallet, 3 * SOL);
    chain.add(&funding, &[&wallet, &friend]);
    let open =
        TxBuilder::new(&wallet, START + DAY).seed("tokens-open").create_token_account(&wallet, &wallet, USDC);
    chain.add(&open, &[&wallet, &ata]);
    for day in 2..6i64 {
        let tx = TxBuilder::new(&wallet, START + DAY * day + HOUR * 3 * day)
            .seed(format!("tokens-pay-{day}"))
            .sol_transfer(&wallet, &address(&format!("tokens:shop:{day}")), 17_000_000 * day as u64 + 3_141);
        chain.add(&tx, &[&wallet]);
    }
    let mut via_token_accounts = Vec::new();
    for n in 0..3i64 {
        let withdrawal = TxBuilder::new(BINANCE, START + DAY * (10 + 7 * n) + HOUR * 5)
            .seed(format!("tokens-withdrawal-{n}"))
            .token_transfer(BINANCE, &wallet, USDC, 250_000_000 * (n as u64 + 1), 6);
        via_token_accounts.push(chain.add(&withdrawal, &[BINANCE, &token_account(BINANCE, USDC), &ata]));
    }
    let payment = TxBuilder::new(&payer, START + DAY * 33 + HOUR * 20)
        .seed("tokens-friend-payment")
        .token_transfer(&payer, &wallet, USDC, 12_340_000, 6);
    via_token_accounts.push(chain.add(&payment, &[&payer, &token_account(&payer, USDC), &ata]));
    chain.add_token_account(&wallet, USDC, 1_512_340_000, 6);
    TokenScenario { scenario: Scenario { name: "usdc-from-exchange", wallet }, via_token_accounts }
}

/// A wallet that received USDT from Binance into a token account and later
/// closed that account itself: `getTokenAccountsByOwner` no longer lists it,
/// only the wallet's own close transaction names it.
pub fn closed_token_account(chain: &mut Chain) -> TokenScenario {
    let usdt = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB";
    let wallet = address("tokens:closed");
    let ata = token_account(&wallet, usdt);
    chain.set_balance(&wallet, SOL);
    let open =
        TxBuilder::new(&wallet, START).seed("closed-open").create_token_account(&wallet, &wallet, usdt);
    chain.add(&open, &[&wallet, &ata]);
    let withdrawal = TxBuilder::new(BINANCE, START + DAY * 3)
        .seed("closed-withdrawal")
        .token_transfer(BINANCE, &wallet, usdt, 90_000_000, 6);
    let via = chain.add(&withdrawal, &[BINANCE, &token_account(BINANCE, usdt), &ata]);
    let close = TxBuilder::new(&wallet, START + DAY * 9).seed("closed-close").parsed_instruction(
        "spl-token",
        crate::domain::programs::TOKEN,
        serde_json::json!({"info": {"account": ata, "destination": wallet, "owner": wallet}, "type": "closeAccount"}),
    );
    chain.add(&close.lamports_move(&ata, &wallet, super::chain::TOKEN_ACCOUNT_RENT), &[&wallet, &ata]);
    TokenScenario {
        scenario: Scenario { name: "closed-token-account", wallet },
        via_token_accounts: vec![via],
    }
}

/// [`usdc_from_exchange`] plus `spam` airdropped token accounts of unknown
/// mints, each opened by a stranger (so the owner's list has the airdrop)
/// and some emptied since.
pub fn spammed_wallet(chain: &mut Chain, spam: usize) -> TokenScenario {
    let built = usdc_from_exchange(chain);
    let wallet = built.scenario.wallet.clone();
    let spammer = address("tokens:spammer");
    for n in 0..spam {
        let mint = address(&format!("tokens:spam-mint:{n}"));
        let account = token_account(&wallet, &mint);
        let airdrop = TxBuilder::new(&spammer, START + DAY * 40 + n as i64 * 60)
            .seed(format!("spam-{n}"))
            .create_token_account(&spammer, &wallet, &mint)
            .token_transfer(&spammer, &wallet, &mint, 1_000, 0);
        chain.add(&airdrop, &[&spammer, &wallet, &account]);
        chain.add_token_account(&wallet, &mint, if n % 2 == 0 { 1_000 } else { 0 }, 0);
    }
    TokenScenario {
        scenario: Scenario { name: "spammed", wallet },
        via_token_accounts: built.via_token_accounts,
    }
}
