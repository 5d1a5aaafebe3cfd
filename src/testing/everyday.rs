//! Everyday wallets: the common case a privacy report must get right before
//! it is clever about rare ones. Built in mainnet's shapes with
//! [`TxBuilder`] and the DeFi builders, with activity spread over the day so
//! that only what these tests are about decides their score.

use serde_json::json;

use super::chain::{
    Chain, SOL, TxBuilder, USDC, address, parsed_inner, program_address, raw_inner, token_account,
};
use super::defi::{JITO_TIP_ACCOUNTS, Pool};
use super::scenarios::{HOUR, START, Scenario};
use crate::domain::programs;

/// Magic Eden's v2 marketplace program.
pub const MAGIC_EDEN_V2: &str = "M2mx93ekt1fmXSVkTrUL9xVFHkmME8HTUi5Cyc5aF7K";

/// Deterministic, uneven numbers: the same wallet on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Times a few hours apart at uneven gaps, over every hour of the day.
struct Clock {
    now: i64,
    rng: Lcg,
}

impl Clock {
    fn tick(&mut self) -> i64 {
        self.now += 3 * HOUR + self.rng.next(9) as i64 * HOUR + self.rng.next(3_600) as i64;
        self.now
    }
}

/// An ordinary DeFi user: 42 SOL→token swaps through Jupiter that wrap into
/// the wallet's own wSOL account and close it, 16 swaps back to SOL,
/// `createIdempotent` on accounts that already exist (its own and a
/// friend's), Jito tips, payments to and from 44 people, and spam from
/// strangers — memos with an email address and a phone number, dust, an
/// unsolicited token account. Nothing here identifies the owner.
pub fn ordinary_defi_user(chain: &mut Chain) -> Scenario {
    let wallet = address("everyday:defi");
    let mut rng = Lcg(11);
    let mut clock = Clock { now: START, rng: Lcg(5) };
    let pools = [
        Pool::new("sol-usdc", USDC, 6),
        Pool::new("sol-bonk", &address("mint:bonk"), 5),
        Pool::new("sol-jup", &address("mint:jup"), 6),
    ];
    let first = address("everyday:defi:own-other-wallet");
    let funding = TxBuilder::new(&first, clock.tick()).sol_transfer(&first, &wallet, 12 * SOL + 318_000_000);
    chain.add(&funding, &[&wallet, &first]);

    for i in 0..42u64 {
        let pool = &pools[(i % 3) as usize];
        // Like many people, often exactly half a SOL.
        let lamports =
            if i % 4 == 0 { SOL / 2 } else { 40_000_000 + rng.next(900) * 1_370_000 + rng.next(1_000) };
        let tokens = 1_000_000 + rng.next(50_000_000_000);
        let mut tx = TxBuilder::new(&wallet, clock.tick())
            .seed(format!("buy-{i}"))
            .compute_budget(200_000 + rng.next(400) as u32 * 1_000, 10_000 + rng.next(90_000))
            .swap_sol_for_tokens(&wallet, pool, lamports, tokens);
        if i % 3 == 0 {
            let tip = JITO_TIP_ACCOUNTS[(i / 3) as usize % JITO_TIP_ACCOUNTS.len()];
            tx = tx.sol_transfer(&wallet, tip, 100_000 + rng.next(900_000));
        }
        if i % 14 == 5 {
            tx = tx.with_leftover(&wallet, pool, 1 + rng.next(40));
        }
        chain.add(&tx, &[&wallet]);
    }
    for i in 0..16u64 {
        let pool = &pools[(i % 3) as usize];
        let tx = TxBuilder::new(&wallet, clock.tick())
            .seed(format!("sell-{i}"))
            .compute_budget(300_000, 20_000 + rng.next(80_000))
            .swap_tokens_for_sol(
                &wallet,
                pool,
                1_000_000 + rng.next(9_000_000_000),
                30_000_000 + rng.next(700_000_000),
            );
        chain.add(&tx, &[&wallet]);
    }
    // 44 people: 24 paid in SOL, 10 in USDC (their token accounts already
    // exist; the wallet app sends `createIdempotent` anyway), 10 who paid it.
    for i in 0..44u64 {
        let friend = address(&format!("everyday:defi:friend:{i}"));
        let at = clock.tick();
        let tx = match i {
            0..24 => TxBuilder::new(&wallet, at).seed(format!("pay-{i}")).sol_transfer(
                &wallet,
                &friend,
                10_000_000 + rng.next(2_000_000_000),
            ),
            24..34 => TxBuilder::new(&wallet, at)
                .seed(format!("usdc-{i}"))
                .create_idempotent(&wallet, &friend, USDC, true)
                .token_transfer(&wallet, &friend, USDC, 1_000_000 + rng.next(400_000_000), 6),
            _ => TxBuilder::new(&friend, at).seed(format!("paid-{i}")).sol_transfer(
                &friend,
                &wallet,
                10_000_000 + rng.next(3_000_000_000),
            ),
        };
        chain.add(&tx, &[&wallet, &friend]);
    }
    // The wallet's own USDC account exists; a wallet app re-sends
    // `createIdempotent` for it before a transfer to itself-owned accounts.
    let own = TxBuilder::new(&wallet, clock.tick())
        .seed("own-idempotent")
        .create_idempotent(&wallet, &wallet, USDC, true)
        .token_transfer(&wallet, &address("everyday:defi:friend:0"), USDC, 12_345_678, 6);
    chain.add(&own, &[&wallet]);
    spam_from_strangers(chain, &wallet, &mut clock);

    chain.set_balance(&wallet, 8 * SOL + 204_551_880);
    chain.add_token_account(&wallet, USDC, 311_402_117, 6);
    Scenario { name: "ordinary-defi", wallet }
}

/// What strangers put in any active wallet's history: dust with memos that
/// advertise (an email address, a phone number), and an airdrop of a spam
/// token into an account they open for the wallet.
fn spam_from_strangers(chain: &mut Chain, wallet: &str, clock: &mut Clock) {
    let memos = [
        "Claim your 2,000 SOL reward: write to airdrop.desk@claim-rewards.io",
        "Your wallet qualifies! WhatsApp +1 415 555 0199 to verify",
        "paid 15.01.2024 12:30 - unclaimed bonus, visit sol-bonus.app",
    ];
    for (i, memo) in memos.iter().enumerate() {
        let stranger = address(&format!("everyday:spammer:{i}"));
        let tx =
            TxBuilder::new(&stranger, clock.tick()).sol_transfer(&stranger, wallet, 1 + i as u64).memo(memo);
        chain.add(&tx, &[wallet, &stranger]);
    }
    let stranger = address("everyday:spammer:airdrop");
    let spam_mint = address("mint:spam");
    let airdrop = TxBuilder::new(&stranger, clock.tick())
        .create_idempotent(&stranger, wallet, &spam_mint, false)
        .token_transfer(&stranger, wallet, &spam_mint, 1_000_000, 6)
        .memo("Visit https://claim-drop.app for 5,000 USDC");
    chain.add(&airdrop, &[wallet, &stranger]);
}

/// An NFT collector: mints from Candy Machine drops (where the buyer is the
/// new mint's authority for a moment, until the candy machine hands it to the
/// collection's edition account), buys on Magic Eden, and is paid by a few
/// people. It created nothing and nothing identifies it.
pub fn nft_collector(chain: &mut Chain) -> Scenario {
    let wallet = address("everyday:nft");
    let mut rng = Lcg(23);
    let mut clock = Clock { now: START, rng: Lcg(29) };
    let first = address("everyday:nft:own-other-wallet");
    let funding = TxBuilder::new(&first, clock.tick()).sol_transfer(&first, &wallet, 25 * SOL + 71_000_000);
    chain.add(&funding, &[&wallet, &first]);
    for i in 0..6u64 {
        let tx = candy_machine_mint(
            &wallet,
            &format!("drop-{}", i % 2),
            i,
            clock.tick(),
            500_000_000 + rng.next(900_000_000),
        );
        chain.add(&tx, &[&wallet]);
    }
    for i in 0..12u64 {
        let seller = address(&format!("everyday:nft:seller:{i}"));
        let tx = magic_eden_buy(&wallet, &seller, i, clock.tick(), 200_000_000 + rng.next(3_000_000_000));
        chain.add(&tx, &[&wallet, &seller]);
    }
    for i in 0..30u64 {
        let other = address(&format!("everyday:nft:peer:{i}"));
        let tx = if i % 2 == 0 {
            TxBuilder::new(&wallet, clock.tick()).seed(format!("pay-{i}")).sol_transfer(
                &wallet,
                &other,
                20_000_000 + rng.next(900_000_000),
            )
        } else {
            TxBuilder::new(&other, clock.tick()).seed(format!("paid-{i}")).sol_transfer(
                &other,
                &wallet,
                20_000_000 + rng.next(900_000_000),
            )
        };
        chain.add(&tx, &[&wallet, &other]);
    }
    chain.set_balance(&wallet, 6 * SOL + 93_120_000);
    Scenario { name: "nft-collector", wallet }
}

/// A Candy Machine v2 mint as the buyer's wallet app builds it: the buyer
/// creates the mint with itself as authority, mints the one token, and the
/// candy machine takes the price and moves the authority to the edition.
fn candy_machine_mint(wallet: &str, drop: &str, n: u64, at: i64, price: u64) -> TxBuilder {
    let mint = address(&format!("everyday:nft:{drop}:mint:{n}"));
    let account = token_account(wallet, &mint);
    let treasury = address(&format!("everyday:nft:{drop}:treasury"));
    let edition = program_address(&format!("everyday:nft:{drop}:edition:{n}"));
    let token = |kind: &str, info: serde_json::Value| json!({"info": info, "type": kind});
    TxBuilder::new(wallet, at)
        .seed(format!("mint-{n}"))
        .co_signer(&mint)
        .parsed_instruction(
            "system",
            programs::SYSTEM,
            json!({"info": {"lamports": 1_461_600, "newAccount": mint, "owner": programs::TOKEN, "source": wallet, "space": 82}, "type": "createAccount"}),
        )
        .lamports_move(wallet, &mint, 1_461_600)
        .parsed_instruction(
            "spl-token",
            programs::TOKEN,
            token("initializeMint", json!({"decimals": 0, "freezeAuthority": wallet, "mint": mint, "mintAuthority": wallet, "rentSysvar": "SysvarRent111111111111111111111111111111111"})),
        )
        .parsed_instruction(
            "spl-associated-token-account",
            programs::ASSOCIATED_TOKEN,
            json!({"info": {"account": account, "mint": mint, "source": wallet, "systemProgram": programs::SYSTEM, "tokenProgram": programs::TOKEN, "wallet": wallet}, "type": "create"}),
        )
        .lamports_move(wallet, &account, super::chain::TOKEN_ACCOUNT_RENT)
        .parsed_instruction(
            "spl-token",
            programs::TOKEN,
            token("mintTo", json!({"account": account, "amount": "1", "mint": mint, "mintAuthority": wallet})),
        )
        .raw_instruction(programs::CANDY_MACHINE_V2, &[0xd3, 0x39, 0xee, 0x1e, 0x3c, 0x2a, 0x1d, 0x0b])
        .inner(vec![
            parsed_inner("system", programs::SYSTEM, json!({"info": {"destination": treasury, "lamports": price, "source": wallet}, "type": "transfer"})),
            raw_inner(programs::METAPLEX_METADATA, &[33]),
            raw_inner(programs::METAPLEX_METADATA, &[17]),
            parsed_inner(
                "spl-token",
                programs::TOKEN,
                token("setAuthority", json!({"authority": wallet, "authorityType": "mintTokens", "mint": mint, "newAuthority": edition})),
            ),
        ])
        .lamports_move(wallet, &treasury, price)
        .token_balance(&account, wallet, &mint, 0, (0, 1))
}

/// A Magic Eden v2 purchase: the price goes into the buyer's escrow (a
/// program-derived account) and from there to the seller; the NFT arrives
/// in the buyer's token account, which the program opens if needed.
fn magic_eden_buy(wallet: &str, seller: &str, n: u64, at: i64, price: u64) -> TxBuilder {
    let mint = address(&format!("everyday:nft:bought:{n}"));
    let escrow = program_address(&format!("everyday:nft:escrow:{wallet}"));
    let seller_account = token_account(seller, &mint);
    let account = token_account(wallet, &mint);
    let authority = program_address("everyday:nft:magic-eden-authority");
    TxBuilder::new(wallet, at)
        .seed(format!("buy-{n}"))
        .raw_instruction(MAGIC_EDEN_V2, &[0xb8, 0x17, 0x5c, 0x59, 0x2a, 0x9f, 0x13, 0x0e])
        .inner(vec![parsed_inner("system", programs::SYSTEM, json!({"info": {"destination": escrow, "lamports": price, "source": wallet}, "type": "transfer"}))])
        .lamports_move(wallet, &escrow, price)
        .raw_instruction(MAGIC_EDEN_V2, &[0x5b, 0x3a, 0x0c, 0x2d, 0x47, 0x6e, 0x01, 0x99])
        .inner(vec![
            parsed_inner(
                "spl-associated-token-account",
                programs::ASSOCIATED_TOKEN,
                json!({"info": {"account": account, "mint": mint, "source": wallet, "systemProgram": programs::SYSTEM, "tokenProgram": programs::TOKEN, "wallet": wallet}, "type": "create"}),
            ),
            parsed_inner(
                "spl-token",
                programs::TOKEN,
                json!({"info": {"authority": authority, "destination": account, "mint": mint, "source": seller_account, "tokenAmount": {"amount": "1", "decimals": 0, "uiAmount": 1.0, "uiAmountString": "1"}}, "type": "transferChecked"}),
            ),
        ])
        .lamports_move(wallet, &account, super::chain::TOKEN_ACCOUNT_RENT)
        .lamports_move(&escrow, seller, price)
        .token_balance(&seller_account, seller, &mint, 0, (1, 0))
        .token_balance(&account, wallet, &mint, 0, (0, 1))
}
