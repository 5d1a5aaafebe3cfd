//! Ready-made wallets for tests, the end-to-end suite and demos: each is a
//! recognisable kind of user, built with [`TxBuilder`] so its data has
//! mainnet's shape.

use super::chain::{Chain, SOL, TxBuilder, USDC, Version, address};

/// Binance's labelled hot wallet ("Binance 2" on Solscan).
pub const BINANCE: &str = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";

/// 2026-10-01 00:00:00 UTC: the scenarios' clock starts here.
pub const START: i64 = 1_790_812_800;
pub const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// A named wallet in a chain.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub wallet: String,
}

/// A careless user: withdrew from an exchange, pays one friend again and
/// again, posted contact details in a memo, and is only ever active between
/// 07:00 and 22:00 UTC+1. Expect a low score.
pub fn exposed_wallet(chain: &mut Chain) -> Scenario {
    let wallet = address("scenario:exposed");
    let friend = address("scenario:exposed:friend");
    chain.set_balance(&wallet, 42 * SOL);
    chain.add(&TxBuilder::new(BINANCE, START).sol_transfer(BINANCE, &wallet, 25 * SOL), &[&wallet, BINANCE]);
    for day in 0..24 {
        // Active 06:00–21:00 UTC only: asleep around 00:00–05:00 local at UTC+1.
        let at = START + DAY * (day + 1) + HOUR * (6 + (day * 5) % 15);
        let tx = TxBuilder::new(&wallet, at)
            .seed(format!("friend-{day}"))
            .version(if day % 3 == 0 { Version::V0 } else { Version::Legacy })
            .sol_transfer(&wallet, &friend, SOL / 10 * (1 + (day as u64 % 4)));
        chain.add(&tx, &[&wallet, &friend]);
    }
    let memo = TxBuilder::new(&wallet, START + DAY * 26 + HOUR * 12)
        .sol_transfer(&wallet, &friend, SOL)
        .memo("rent for october - call me on +44 20 7946 0958 or mail jo.bloggs@example.com");
    chain.add(&memo, &[&wallet, &friend]);
    chain.add(
        &TxBuilder::new(&wallet, START + DAY * 27 + HOUR * 9).sol_transfer(&wallet, BINANCE, 5 * SOL),
        &[&wallet, BINANCE],
    );
    chain.add_token_account(&wallet, USDC, 120_000_000, 6);
    Scenario { name: "exposed", wallet }
}

/// A careful user: many different counterparties, uneven amounts, active at
/// all hours, pays its own fees. Expect a high score.
pub fn careful_wallet(chain: &mut Chain) -> Scenario {
    let wallet = address("scenario:careful");
    chain.set_balance(&wallet, 3 * SOL + 141_592_653);
    for i in 0..30i64 {
        let other = address(&format!("scenario:careful:peer:{i}"));
        let at = START + DAY * (i / 2) + HOUR * ((i * 7) % 24) + 60 * ((i * 13) % 60);
        let lamports = 13_370_000 + (i as u64 * 7_919_317) % 900_000_000;
        let tx = if i % 2 == 0 {
            TxBuilder::new(&wallet, at).seed(format!("out-{i}")).sol_transfer(&wallet, &other, lamports)
        } else {
            TxBuilder::new(&other, at).seed(format!("in-{i}")).sol_transfer(&other, &wallet, lamports)
        };
        chain.add(&tx, &[&wallet, &other]);
    }
    Scenario { name: "careful", wallet }
}

/// A wallet whose memos hold markup and quotes, as anyone can write on
/// chain: every page, mail and card must show them as text.
pub fn hostile_memo_wallet(chain: &mut Chain) -> Scenario {
    let wallet = address("scenario:hostile-memo");
    let other = address("scenario:hostile-memo:peer");
    chain.set_balance(&wallet, SOL);
    for day in 0..3 {
        let tx = TxBuilder::new(&wallet, START + day * DAY)
            .seed(format!("hostile-{day}"))
            .sol_transfer(&wallet, &other, SOL / 100)
            .memo(crate::domain::sample::HOSTILE);
        chain.add(&tx, &[&wallet, &other]);
    }
    Scenario { name: "hostile", wallet }
}

/// A wallet that exists but has never transacted.
pub fn empty_wallet(chain: &mut Chain) -> Scenario {
    let wallet = address("scenario:empty");
    chain.set_balance(&wallet, 0);
    Scenario { name: "empty", wallet }
}

/// `count` ordinary wallets with `transactions` each, for load and crash tests.
pub fn many_wallets(chain: &mut Chain, count: usize, transactions: usize) -> Vec<String> {
    (0..count)
        .map(|w| {
            let wallet = address(&format!("scenario:many:{w}"));
            chain.set_balance(&wallet, SOL + w as u64);
            for t in 0..transactions {
                let other = address(&format!("scenario:many:{w}:peer:{}", t % 7));
                let at = START + HOUR * (t as i64 * 5 + w as i64);
                let tx = TxBuilder::new(&wallet, at).seed(format!("many-{w}-{t}")).sol_transfer(
                    &wallet,
                    &other,
                    1_000_000 + (t as u64 * 104_729) % 50_000_000,
                );
                chain.add(&tx, &[&wallet, &other]);
            }
            wallet
        })
        .collect()
}

/// An ordinary wallet (funded from Binance, paying one friend) that the
/// demo mock RPC answers slowly for (see [`super::MockRpc::slow_for`]), so
/// the end-to-end suite can watch a job's progress arrive live.
pub fn slow_wallet(chain: &mut Chain) -> Scenario {
    let wallet = address("scenario:slow");
    let friend = address("scenario:slow:friend");
    chain.set_balance(&wallet, SOL);
    // Seeded: unseeded, it would share its signature with the exposed
    // wallet's funding (same payer, same time) and replace it.
    let funding = TxBuilder::new(BINANCE, START).seed("slow-funding").sol_transfer(BINANCE, &wallet, 2 * SOL);
    chain.add(&funding, &[&wallet, BINANCE]);
    for day in 1..6u64 {
        let tx = TxBuilder::new(&wallet, START + DAY * day as i64).seed(format!("slow-{day}")).sol_transfer(
            &wallet,
            &friend,
            SOL / 10 + day * 1_234_567,
        );
        chain.add(&tx, &[&wallet, &friend]);
    }
    Scenario { name: "slow", wallet }
}

/// The chain the demo mock RPC serves: every scenario above.
pub fn demo_chain() -> (Chain, Vec<Scenario>) {
    let mut chain = Chain::new();
    let scenarios = vec![
        exposed_wallet(&mut chain),
        careful_wallet(&mut chain),
        empty_wallet(&mut chain),
        hostile_memo_wallet(&mut chain),
        slow_wallet(&mut chain),
    ];
    (chain, scenarios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_chain_serves_each_wallet_the_history_it_has_on_its_own() {
        let (demo, scenarios) = demo_chain();
        let builders: [fn(&mut Chain) -> Scenario; 5] =
            [exposed_wallet, careful_wallet, empty_wallet, hostile_memo_wallet, slow_wallet];
        assert_eq!(scenarios.len(), builders.len());
        for build in builders {
            let mut alone = Chain::new();
            let scenario = build(&mut alone);
            // Slots differ (the demo chain numbers them across scenarios).
            let moves = |chain: &Chain| -> Vec<_> {
                let history = chain.history(&scenario.wallet);
                history.transactions.into_iter().map(|tx| (tx.signature, tx.transfers, tx.memos)).collect()
            };
            assert_eq!(
                moves(&demo),
                moves(&alone),
                "{}: another scenario's transaction took the place of one of its own",
                scenario.name
            );
        }
    }
}
