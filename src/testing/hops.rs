//! Wallets whose exposure lies beyond their own history, in mainnet's
//! shapes: an exchange two and three hops up the funding chain, a payee that
//! is an exchange deposit address; and the controls where the same shapes
//! must stay quiet (an ordinary wallet up the chain, a sweep to an unlabelled
//! address, a program account as the funder, a payout hub an exchange tops
//! up, money that did not pass straight through), plus a chain longer than
//! any budget should follow. Every intermediary's own history is in the chain
//! too, as the multi-hop lookups read it.

use serde_json::json;

use super::chain::{Chain, SOL, TxBuilder, address, parsed_inner, program_address};
use super::scenarios::{BINANCE, HOUR, START};
use crate::domain::programs;

const DAY: i64 = 86_400;

/// A wallet whose funding chain or payees the multi-hop analysis follows.
#[derive(Clone, Debug)]
pub struct HopScenario {
    pub name: &'static str,
    pub wallet: String,
    /// The funding chain from the wallet outwards: its funder first, the
    /// chain's far end last.
    pub funders: Vec<String>,
    /// The payee that is (or, in a control, looks like) a deposit address.
    pub deposit: Option<String>,
}

/// Money sent from `from` to `to` at `at`, recorded in both histories.
fn send(chain: &mut Chain, from: &str, to: &str, lamports: u64, at: i64, seed: &str) -> String {
    chain.add(&TxBuilder::new(from, at).seed(seed).sol_transfer(from, to, lamports), &[from, to])
}

/// What an everyday wallet does after it is funded: pays two friends now
/// and then. They are ordinary wallets: the deposit check must pass them by.
fn everyday_spending(chain: &mut Chain, wallet: &str, from: i64, tag: &str) {
    for i in 0..6i64 {
        let friend = address(&format!("hops:{tag}:friend:{}", i % 2));
        send(
            chain,
            wallet,
            &friend,
            SOL / 10 + i as u64 * 7_000_000,
            from + DAY * (i + 1) + HOUR * 3,
            &format!("{tag}-spend-{i}"),
        );
    }
}

/// A friend withdrew 10 SOL from Binance and, an hour later, sent 9.5 of
/// it to this new wallet: Binance is two hops away. The friend has a long
/// history of its own before that, so only "funded shortly before" finds
/// the withdrawal, not the friend's first funding.
pub fn exchange_two_hops(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:two:wallet");
    let friend = address("hops:two:friend");
    let stranger = address("hops:two:friend-first-funder");
    chain.set_balance(&wallet, 8 * SOL);
    send(chain, &stranger, &friend, 3 * SOL, START - 60 * DAY, "two-first");
    for i in 0..14i64 {
        let shop = address(&format!("hops:two:shop:{i}"));
        send(chain, &friend, &shop, SOL / 20, START - 50 * DAY + i * DAY, &format!("two-shop-{i}"));
    }
    send(chain, BINANCE, &friend, 10 * SOL, START, "two-withdrawal");
    send(chain, &friend, &wallet, 9 * SOL + SOL / 2, START + HOUR, "two-funding");
    everyday_spending(chain, &wallet, START, "two");
    HopScenario {
        name: "exchange two hops away",
        wallet,
        funders: vec![friend, BINANCE.to_owned()],
        deposit: None,
    }
}

/// Binance → A (20 SOL) → B (15 SOL, two hours later) → this wallet (12 SOL,
/// three hours after that): Binance is three hops away.
pub fn exchange_three_hops(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:three:wallet");
    let a = address("hops:three:a");
    let b = address("hops:three:b");
    chain.set_balance(&wallet, 11 * SOL);
    send(chain, BINANCE, &a, 20 * SOL, START, "three-withdrawal");
    send(chain, &a, &b, 15 * SOL, START + 2 * HOUR, "three-hop-2");
    send(chain, &b, &wallet, 12 * SOL, START + 5 * HOUR, "three-hop-1");
    everyday_spending(chain, &wallet, START + 5 * HOUR, "three");
    HopScenario {
        name: "exchange three hops away",
        wallet,
        funders: vec![b, a, BINANCE.to_owned()],
        deposit: None,
    }
}

/// The wallet pays the same address three times; that address receives
/// payments (from others too) and sweeps each to Binance within the hour,
/// and does nothing else: a deposit address at Binance.
pub fn deposit_address(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:deposit:wallet");
    let deposit = address("hops:deposit:address");
    let someone = address("hops:deposit:someone-else");
    let funder = address("hops:deposit:funder");
    chain.set_balance(&wallet, 2 * SOL);
    send(chain, &funder, &wallet, 10 * SOL, START - DAY, "deposit-funding");
    send(chain, &someone, &deposit, 4 * SOL, START + HOUR, "deposit-other-in");
    send(chain, &deposit, BINANCE, 4 * SOL, START + 2 * HOUR, "deposit-other-sweep");
    for i in 0..3i64 {
        let at = START + DAY * (2 + 4 * i);
        send(chain, &wallet, &deposit, 2 * SOL, at, &format!("deposit-pay-{i}"));
        send(chain, &deposit, BINANCE, 2 * SOL, at + HOUR / 2, &format!("deposit-sweep-{i}"));
    }
    HopScenario { name: "deposit address", wallet, funders: vec![funder], deposit: Some(deposit) }
}

/// Control: the funder's funder is an ordinary wallet, and so is its
/// funder, each passing the money straight on; no exchange within three
/// hops.
pub fn ordinary_intermediary(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:ordinary:wallet");
    let friend = address("hops:ordinary:friend");
    let parent = address("hops:ordinary:parent");
    let grandparent = address("hops:ordinary:grandparent");
    chain.set_balance(&wallet, 4 * SOL);
    send(chain, &grandparent, &parent, 9 * SOL, START - 5 * HOUR, "ordinary-3");
    send(chain, &parent, &friend, 8 * SOL, START - 2 * HOUR, "ordinary-2");
    send(chain, &friend, &wallet, 5 * SOL, START, "ordinary-1");
    everyday_spending(chain, &wallet, START, "ordinary");
    HopScenario {
        name: "ordinary intermediary",
        wallet,
        funders: vec![friend, parent, grandparent],
        deposit: None,
    }
}

/// Control: a payee forwards what it receives soon after, but to an
/// address no label names.
pub fn sweep_to_unlabelled(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:unlabelled:wallet");
    let forwarder = address("hops:unlabelled:forwarder");
    let collector = address("hops:unlabelled:collector");
    let funder = address("hops:unlabelled:funder");
    chain.set_balance(&wallet, 2 * SOL);
    send(chain, &funder, &wallet, 10 * SOL, START - DAY, "unlabelled-funding");
    for i in 0..3i64 {
        let at = START + DAY * (2 + 4 * i);
        send(chain, &wallet, &forwarder, 2 * SOL, at, &format!("unlabelled-pay-{i}"));
        send(chain, &forwarder, &collector, 2 * SOL, at + HOUR / 2, &format!("unlabelled-sweep-{i}"));
    }
    HopScenario {
        name: "sweep to an unlabelled address",
        wallet,
        funders: vec![funder],
        deposit: Some(forwarder),
    }
}

/// Control: the wallet's SOL came out of a program's vault (a
/// program-derived address, paid out by the program's own instruction):
/// not a person, so not a hop, and not looked up.
pub fn program_funder(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:program:wallet");
    let vault = program_address("hops:program:vault");
    let program = address("hops:program:program-id");
    chain.set_balance(&wallet, 5 * SOL);
    let payout = TxBuilder::new(&wallet, START)
        .raw_instruction(&program, &[7, 1])
        .inner(vec![parsed_inner(
            "system",
            programs::SYSTEM,
            json!({"info": {"destination": wallet, "lamports": 5 * SOL, "source": vault}, "type": "transfer"}),
        )])
        .lamports_move(&vault, &wallet, 5 * SOL);
    chain.add(&payout, &[&wallet, &vault]);
    HopScenario { name: "program account as funder", wallet, funders: vec![vault], deposit: None }
}

/// Binance → A5 → A4 → A3 → A2 → A1 → this wallet, each hop within the
/// hour: an exchange six hops away, further than a small budget reaches.
pub fn long_chain(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:long:wallet");
    let hops: Vec<String> = (1..=5).map(|i| address(&format!("hops:long:a{i}"))).collect();
    chain.set_balance(&wallet, SOL);
    let mut from = BINANCE.to_owned();
    let mut lamports = 40 * SOL;
    for (i, to) in hops.iter().rev().chain(std::iter::once(&wallet)).enumerate() {
        send(chain, &from, to, lamports, START + HOUR * i as i64, &format!("long-{i}"));
        from = to.clone();
        lamports -= SOL;
    }
    let mut funders = hops;
    funders.push(BINANCE.to_owned());
    HopScenario { name: "exchange six hops away", wallet, funders, deposit: None }
}

/// Binance tops a payout hub (a game's, an employer's, an airdrop's) up with
/// 60 SOL; over the next day the hub pays 35 wallets 1.5 SOL each, one every
/// half hour, and this wallet is the fifth. Binance knows the hub, not the
/// wallets it pays.
pub fn payout_hub(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:hub:wallet");
    let hub = address("hops:hub:hub");
    chain.set_balance(&wallet, SOL);
    send(chain, BINANCE, &hub, 60 * SOL, START, "hub-top-up");
    for i in 0..35i64 {
        let payee = if i == 4 { wallet.clone() } else { address(&format!("hops:hub:payee:{i}")) };
        send(chain, &hub, &payee, 3 * SOL / 2, START + HOUR + i * HOUR / 2, &format!("hub-pay-{i}"));
    }
    everyday_spending(chain, &wallet, START + 4 * HOUR, "hub");
    HopScenario { name: "payout hub", wallet, funders: vec![hub, BINANCE.to_owned()], deposit: None }
}

/// A friend withdrew 10 SOL from Binance (its very first transaction) and
/// paid this wallet 9.5 SOL three weeks later: nothing passed straight
/// through.
pub fn funded_weeks_before(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:weeks:wallet");
    let friend = address("hops:weeks:friend");
    chain.set_balance(&wallet, 9 * SOL);
    send(chain, BINANCE, &friend, 10 * SOL, START - 21 * DAY, "weeks-withdrawal");
    send(chain, &friend, &wallet, 9 * SOL + SOL / 2, START, "weeks-funding");
    everyday_spending(chain, &wallet, START, "weeks");
    HopScenario {
        name: "friend funded from an exchange three weeks before",
        wallet,
        funders: vec![friend, BINANCE.to_owned()],
        deposit: None,
    }
}

/// A friend with a history of its own received a 100 SOL top-up from
/// Binance and, an hour later, paid this wallet 1 SOL: a hundredth of it,
/// which says nothing about where that 1 SOL came from.
pub fn big_top_up_small_payment(chain: &mut Chain) -> HopScenario {
    let wallet = address("hops:topup:wallet");
    let friend = address("hops:topup:friend");
    let stranger = address("hops:topup:friend-first-funder");
    chain.set_balance(&wallet, SOL / 2);
    send(chain, &stranger, &friend, 3 * SOL, START - 60 * DAY, "topup-first");
    for i in 0..14i64 {
        let shop = address(&format!("hops:topup:shop:{i}"));
        send(chain, &friend, &shop, SOL / 20, START - 50 * DAY + i * DAY, &format!("topup-shop-{i}"));
    }
    send(chain, BINANCE, &friend, 100 * SOL, START, "topup-withdrawal");
    send(chain, &friend, &wallet, SOL, START + HOUR, "topup-funding");
    everyday_spending(chain, &wallet, START + HOUR, "topup");
    HopScenario {
        name: "a 100 SOL top-up, then a 1 SOL payment",
        wallet,
        funders: vec![friend, BINANCE.to_owned()],
        deposit: None,
    }
}

/// Every scenario above on one chain (the benchmark's and the demo's).
pub fn all(chain: &mut Chain) -> Vec<HopScenario> {
    vec![
        exchange_two_hops(chain),
        exchange_three_hops(chain),
        deposit_address(chain),
        ordinary_intermediary(chain),
        sweep_to_unlabelled(chain),
        program_funder(chain),
        payout_hub(chain),
        funded_weeks_before(chain),
        big_top_up_small_payment(chain),
    ]
}
