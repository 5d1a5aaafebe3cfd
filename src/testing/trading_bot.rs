//! A trading-bot user: the commonest wallet on pump.fun. Every trade goes
//! through the bot, which adds a fixed fee to its fee wallet and a fixed
//! Jito tip as top-level system transfers, in the order and shapes of the
//! recorded bot trades (`tests/fixtures/mainnet/pumpfun_*.json`): compute
//! budget, the fee transfer, compute budget, `createIdempotent` for the
//! token account on a buy, then the pump.fun instruction with the token
//! leg and the SOL legs to the bonding curve and pump.fun's fee account as
//! inner instructions.

use serde_json::json;

use super::chain::{Chain, SOL, TxBuilder, address, parsed_inner, program_address, token_account};
use super::defi::JITO_TIP_ACCOUNTS;
use super::scenarios::{HOUR, START, Scenario};
use crate::domain::programs;

/// What the bot takes per trade, like the recorded 0.003 SOL fees.
pub const BOT_FEE: u64 = 3_000_000;
/// The bot's fixed tip per trade.
pub const JITO_TIP: u64 = 1_000_000;
/// pump.fun's own 1% fee account is paid inside the program.
const PUMP_FEE_RATE: u64 = 100;

const BUY: [u8; 8] = [0x66, 0x06, 0x3d, 0x12, 0x01, 0xda, 0xeb, 0xea];
const SELL: [u8; 8] = [0x33, 0xe6, 0x85, 0xa4, 0x01, 0x7f, 0x83, 0xad];

fn token_leg(source: &str, destination: &str, authority: &str, amount: u64) -> serde_json::Value {
    parsed_inner(
        "spl-token",
        programs::TOKEN,
        json!({"info": {"amount": amount.to_string(), "authority": authority, "destination": destination, "source": source}, "type": "transfer"}),
    )
}

fn system_leg(source: &str, destination: &str, lamports: u64) -> serde_json::Value {
    parsed_inner(
        "system",
        programs::SYSTEM,
        json!({"info": {"destination": destination, "lamports": lamports, "source": source}, "type": "transfer"}),
    )
}

/// 36 pump.fun trades (a buy and a sell of 18 coins) through a bot that
/// charges 0.003 SOL to its fee wallet and tips Jito 0.001 SOL every time,
/// plus the payments of an ordinary life: funding from the owner's other
/// wallet and a few transfers to and from 12 people.
pub fn trading_bot_user(chain: &mut Chain) -> Scenario {
    let wallet = address("everyday:bot-user");
    let fee_wallet = address("everyday:bot-user:bot-fee-wallet");
    let pump_fee = address("everyday:bot-user:pump-fee");
    let mut now = START;
    let mut tick = |i: u64| {
        now += 2 * HOUR + ((i * 7_919) % 11) as i64 * HOUR + ((i * 104_729) % 3_600) as i64;
        now
    };
    let own = address("everyday:bot-user:own-other-wallet");
    chain.add(
        &TxBuilder::new(&own, tick(0)).sol_transfer(&own, &wallet, 9 * SOL + 271_828_182),
        &[&wallet, &own],
    );

    for coin in 0..18u64 {
        let mint = address(&format!("everyday:bot-user:coin:{coin}"));
        let curve = program_address(&format!("everyday:bot-user:curve:{coin}"));
        let curve_account = token_account(&curve, &mint);
        let account = token_account(&wallet, &mint);
        let lamports = 50_000_000 + (coin * 37_123_457) % 400_000_000;
        let tokens = 1_000_000_000 + (coin * 7_777_777_777) % 900_000_000_000;
        let tip = JITO_TIP_ACCOUNTS[coin as usize % JITO_TIP_ACCOUNTS.len()];
        let buy = TxBuilder::new(&wallet, tick(coin * 2 + 1))
            .seed(format!("bot-buy-{coin}"))
            .compute_budget(120_000, 1_000_000)
            .sol_transfer(&wallet, &fee_wallet, BOT_FEE)
            .sol_transfer(&wallet, tip, JITO_TIP)
            .create_idempotent(&wallet, &wallet, &mint, false)
            .raw_instruction(programs::PUMP_FUN, &BUY)
            .inner(vec![
                token_leg(&curve_account, &account, &curve, tokens),
                system_leg(&wallet, &curve, lamports),
                system_leg(&wallet, &pump_fee, lamports / PUMP_FEE_RATE),
            ])
            .lamports_move(&wallet, &curve, lamports)
            .lamports_move(&wallet, &pump_fee, lamports / PUMP_FEE_RATE)
            .token_balance(
                &curve_account,
                &curve,
                &mint,
                6,
                (1_000_000_000_000_000, 1_000_000_000_000_000 - tokens),
            )
            .token_balance(&account, &wallet, &mint, 6, (0, tokens));
        chain.add(&buy, &[&wallet]);

        let back = lamports + (coin * 13_131_313) % 90_000_000;
        let sell = TxBuilder::new(&wallet, tick(coin * 2 + 2))
            .seed(format!("bot-sell-{coin}"))
            .compute_budget(120_000, 1_000_000)
            .sol_transfer(&wallet, &fee_wallet, BOT_FEE)
            .sol_transfer(&wallet, tip, JITO_TIP)
            .raw_instruction(programs::PUMP_FUN, &SELL)
            .inner(vec![token_leg(&account, &curve_account, &wallet, tokens)])
            // pump.fun pays the seller out of the curve's lamports directly.
            .lamports_move(&curve, &wallet, back)
            .token_balance(&account, &wallet, &mint, 6, (tokens, 0))
            .token_balance(
                &curve_account,
                &curve,
                &mint,
                6,
                (1_000_000_000_000_000 - tokens, 1_000_000_000_000_000),
            );
        chain.add(&sell, &[&wallet]);
    }
    for i in 0..12u64 {
        let friend = address(&format!("everyday:bot-user:friend:{i}"));
        let amount = 20_000_000 + (i * 91_234_567) % 700_000_000;
        let tx = if i % 3 == 0 {
            TxBuilder::new(&friend, tick(40 + i))
                .seed(format!("bot-paid-{i}"))
                .sol_transfer(&friend, &wallet, amount)
        } else {
            TxBuilder::new(&wallet, tick(40 + i))
                .seed(format!("bot-pay-{i}"))
                .sol_transfer(&wallet, &friend, amount)
        };
        chain.add(&tx, &[&wallet, &friend]);
    }
    chain.set_balance(&wallet, 6 * SOL + 161_803_398);
    Scenario { name: "trading-bot-user", wallet }
}
