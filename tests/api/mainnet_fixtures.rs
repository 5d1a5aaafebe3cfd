//! Real mainnet `getTransaction` results (jsonParsed), quoted from public
//! repositories and kept as published (see `tests/fixtures/mainnet/SOURCES.md`):
//! each parses through the wire types and normalises for the wallet that
//! signed it, with the amounts a user would read off an explorer.

use std::path::PathBuf;

use kimiko::domain::history::{Event, Transaction, TxVersion};
use kimiko::domain::programs;
use kimiko::solana::normalize;
use kimiko::solana::wire::{EncodedTransaction, Envelope};
use kimiko::testing::chain::recorded_status;
use serde_json::Value;

pub const DIR: &str = "tests/fixtures/mainnet";

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DIR).join(format!("{name}.json"))
}

/// The JSON-RPC envelope of a recorded response, as the node sent it.
pub fn recorded(name: &str) -> Value {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// The `getTransaction` result through the same wire types the client uses.
pub fn wire(name: &str) -> EncodedTransaction {
    let envelope: Envelope = serde_json::from_value(recorded(name)).expect("a JSON-RPC envelope");
    assert_eq!(envelope.jsonrpc, "2.0");
    assert!(envelope.error.is_none(), "{name} is an error response");
    let result = envelope.result.unwrap_or_else(|| panic!("{name} has no result"));
    serde_json::from_value(result).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

/// Normalised for its fee payer, the wallet that signed and paid for it.
pub fn for_fee_payer(name: &str) -> Transaction {
    let tx = wire(name);
    let payer = tx.transaction.message.account_keys[0].pubkey.clone();
    normalize::transaction(&payer, &tx)
}

fn all_fixtures() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the mainnet fixture directory")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn received(tx: &Transaction, wallet: &str, mint: Option<&str>) -> u64 {
    tx.transfers.iter().filter(|t| t.to == wallet && t.mint.as_deref() == mint).map(|t| t.amount).sum()
}

fn sent_to(tx: &Transaction, wallet: &str, to: &str, mint: Option<&str>) -> u64 {
    tx.transfers
        .iter()
        .filter(|t| t.from == wallet && t.to == to && t.mint.as_deref() == mint)
        .map(|t| t.amount)
        .sum()
}

#[test]
fn every_recorded_transaction_parses_normalises_and_names_its_source() {
    let names = all_fixtures();
    assert!(names.len() >= 11, "the recorded set shrank to {}", names.len());
    let sources =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DIR).join("SOURCES.md"))
            .expect("SOURCES.md beside the fixtures");
    for name in &names {
        let tx = for_fee_payer(name);
        let raw = recorded(name);
        let signature = raw["result"]["transaction"]["signatures"][0].as_str().unwrap();
        assert_eq!(tx.signature, signature, "{name}");
        assert_eq!(tx.slot, raw["result"]["slot"].as_u64().unwrap(), "{name}");
        assert_eq!(tx.fee_lamports, raw["result"]["meta"]["fee"].as_u64().unwrap(), "{name}");
        assert_eq!(tx.signers.first(), Some(&tx.fee_payer), "{name}: the fee payer signs first");
        assert!(sources.contains(&format!("{name}.json")), "{name}.json is not listed in SOURCES.md");
        assert!(sources.contains(signature), "{name}: its signature is not in SOURCES.md");
        let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("fuzz/seeds/rpc_analysis/mainnet_{name}.json"));
        let seed = std::fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
        assert!(
            seed == std::fs::read(fixture_path(name)).unwrap(),
            "the fuzz seed for {name} differs from the fixture"
        );
    }
}

#[test]
fn a_jupiter_swap_wraps_sol_into_the_wallets_own_account_and_unwraps_it() {
    const WALLET: &str = "2N9io9YyWirVHGddTSos7a5Z2Fa9hWcnngVXctZ8Gedo";
    const KNEK: &str = "KnekM3v5WsqvJ6NdZLPvEBeueBMH8iNfWBcHi8r1KGA";
    const WSOL_ACCOUNT: &str = "JAFY1yzEBRtznuGoomffBYux4zfq1EwWkh8wP5WRHQK6";
    let tx = for_fee_payer("jupiter_swap_sol_to_knek_wrap_unwrap_bot_fee");
    assert_eq!((tx.fee_payer.as_str(), tx.signers.len()), (WALLET, 1));
    assert_eq!(tx.version, TxVersion::V0);
    assert!(!tx.failed);
    assert_eq!(tx.fee_lamports, 755_000);
    assert_eq!(tx.wallet_lamport_delta, -10_755_000, "0.01 SOL swapped plus the fee");
    assert!(
        tx.accounts.iter().any(|a| a == "5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1"),
        "lookup-table accounts"
    );
    // 0.01 SOL goes by a top-level transfer into the wrapped-SOL account…
    assert!(
        tx.transfers.iter().any(|t| t.from == WALLET && t.is_sol() && t.amount == 10_000_000 && t.top_level)
    );
    // …which the same transaction closes, its rent back to the wallet.
    assert!(tx.events.iter().any(|e| matches!(e,
        Event::TokenAccountClosed { account, destination, .. } if account == WSOL_ACCOUNT && destination == WALLET)));
    assert!(tx.events.iter().any(|e| matches!(e,
        Event::TokenAccountCreated { account, payer, .. } if account == WSOL_ACCOUNT && payer == WALLET)));
    assert_eq!(received(&tx, WALLET, Some(KNEK)), 1_449_869_193, "KNEK out of the Raydium pool");
    assert_eq!(sent_to(&tx, WALLET, "ZG98FUCjb8mJ824Gbs6RsgVmr1FhXb2oNiJHa2dwmPd", Some(KNEK)), 14_504_576);
    assert!(tx.memos.is_empty());
}

#[test]
fn a_pump_fun_buy_creates_the_wallets_token_account_and_tips_jito() {
    const WALLET: &str = "4SrXdKFYoiUfYzWN7YV8kdJ2TkZieDmjVCEJg4mTAun6";
    const MINT: &str = "FstBRGMkNKf4wNvfieYUPS9YsbNoQJMCh6v89zajpump";
    const BONDING_CURVE: &str = "BtMzrjEpmLTk4ZGdaS9VVp1jfneoyc1AWsU8ko7ffnug";
    let tx = for_fee_payer("pumpfun_buy_creates_token_account_bot_fee");
    assert_eq!((tx.fee_payer.as_str(), tx.signers.len(), tx.fee_lamports), (WALLET, 1, 47_000));
    assert_eq!(tx.wallet_lamport_delta, -85_528_082);
    assert_eq!(received(&tx, WALLET, Some(MINT)), 724_879_458_841);
    assert_eq!(sent_to(&tx, WALLET, BONDING_CURVE, None), 79_645_349, "the price, inside pump.fun");
    assert_eq!(
        sent_to(&tx, WALLET, "ADuUkR4vqLUMWXxW9gh6D6L8pMSawimctcNZ5pGwDcEt", None),
        3_000_000,
        "a Jito tip"
    );
    assert!(tx.programs.iter().any(|p| p == "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P"));
    assert!(tx.events.iter().any(|e| matches!(e,
        Event::TokenAccountCreated { owner, payer, .. } if owner == WALLET && payer == WALLET)));
}

#[test]
fn a_pump_fun_sell_pays_the_wallet_for_its_tokens() {
    const WALLET: &str = "3P2pmfQAFTwcC1xWtYbVYoRn3hngya8Kd9jMaF5GfnUa";
    const MINT: &str = "FstBRGMkNKf4wNvfieYUPS9YsbNoQJMCh6v89zajpump";
    let tx = for_fee_payer("pumpfun_sell_with_bot_fee");
    assert_eq!((tx.fee_payer.as_str(), tx.signers.len(), tx.fee_lamports), (WALLET, 1, 37_127));
    assert_eq!(tx.wallet_lamport_delta, 483_582, "proceeds less a 0.003 SOL tip and the fee");
    assert_eq!(
        sent_to(&tx, WALLET, "BtMzrjEpmLTk4ZGdaS9VVp1jfneoyc1AWsU8ko7ffnug", Some(MINT)),
        94_443_000_000
    );
    assert_eq!(sent_to(&tx, WALLET, "HWEoBxYs7ssKuudEjzjmpfJVX7Dvi7wescFsVx2L5yoY", None), 3_000_000);
}

#[test]
fn a_token_2022_burn_carries_the_signers_own_memo() {
    const WALLET: &str = "E3dQM443fE4qfF7seeSjkXSkfghbpzCkY2pJqVPnEm26";
    const MEMO: &str = "bc1p830q5uwpaxpmzaam2t93jgcq55nrs0x2n6xhl70arkzu3gy9w00qwa7pug";
    let tx = for_fee_payer("token2022_burn_with_memo_bridge_redeem");
    assert_eq!((tx.fee_payer.as_str(), tx.signers.len(), tx.fee_lamports), (WALLET, 1, 25_000));
    assert_eq!(tx.version, TxVersion::Legacy, "recorded without a version field");
    assert_eq!(tx.memos, vec![MEMO.to_owned()]);
    assert_eq!(tx.wallet_lamport_delta, -14_405_000);
    assert_eq!(sent_to(&tx, WALLET, "3gghk7mHWtFsJcg6EZGK7sbHj3qW6ExUdZLs9q8GRjia", None), 14_380_000);
    assert!(tx.instruction_kinds.iter().any(|k| k == "spl-token:burn"));
    // The node lists the top-level memo in the signature list as "[len] text".
    let status = recorded_status(&recorded("token2022_burn_with_memo_bridge_redeem")["result"]);
    assert_eq!(status["memo"], format!("[62] {MEMO}"));
}

#[test]
fn the_token_2022_program_in_real_transactions_is_known_by_name() {
    let tx = wire("token2022_burn_with_memo_bridge_redeem");
    let burn = &tx.transaction.message.instructions[3];
    assert_eq!(burn.program_id(), "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "as mainnet names it");
    assert_eq!(programs::short_name(burn.program_id()), "spl-token-2022");
    assert_eq!(programs::TOKEN_2022, burn.program_id());
}

#[test]
fn a_durable_nonce_usdc_transfer_has_two_signers_and_reaches_the_owner() {
    const WALLET: &str = "3V9bd3EN5aNuhE4RiHGbZ1eZakJ1F9cDb8V4YLjCG8cg";
    const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    let tx = for_fee_payer("usdc_transfer_checked_durable_nonce");
    assert_eq!(
        tx.signers,
        vec![WALLET.to_owned(), "EbsUZEFAU23Z2SgAymFtU2hADLiyNLzaPLKiJfvpKnE7".to_owned()]
    );
    assert_eq!(tx.fee_lamports, 48_370);
    assert_eq!(tx.wallet_lamport_delta, -48_370, "only the fee in SOL");
    assert_eq!(sent_to(&tx, WALLET, "B2v68t8MXb9zUms1VQKuCcvjrjKDK6fLd8ZngqmBGy1M", Some(USDC)), 3_800_000);
    assert!(tx.instruction_kinds.iter().any(|k| k == "system:advanceNonce"));
}

#[test]
fn plain_sol_transfers_move_exactly_what_the_explorer_shows() {
    let single = for_fee_payer("sol_transfer_single");
    let wallet = "4Y5YjAPB4hMdCsiFy7BaBSscyiAvB7cuAbhxnBZ5xmgy";
    assert_eq!(single.version, TxVersion::Legacy);
    assert_eq!(sent_to(&single, wallet, "3eF3iBQqi2DmDLS7o9y8gG7necF5VBbwYy5gqF7sh899", None), 24_922_118);
    assert_eq!(single.wallet_lamport_delta, -24_927_118);

    // Two withdrawals in one durable-nonce transaction from a Binance hot wallet.
    let batch = for_fee_payer("sol_transfers_durable_nonce");
    let binance = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";
    assert_eq!((batch.fee_payer.as_str(), batch.signers.len(), batch.fee_lamports), (binance, 1, 11_000));
    assert_eq!(sent_to(&batch, binance, "9AcRtqNTy4wUD9KKuB2mKrP5n6U3i2dMqeJchrsQU4ke", None), 105_673_070);
    assert_eq!(
        sent_to(&batch, binance, "Ah6ubKzHJMDStLD1i6P51bugRMggARUhDCc8Gxfsg4sU", None),
        30_923_508_650
    );
    assert_eq!(batch.wallet_lamport_delta, -31_029_192_720);
}

#[test]
fn a_hyperlane_bridge_transfer_sends_usdc_to_the_warp_route_and_a_fee_to_a_third_party() {
    const WALLET: &str = "EPvHL5ZBdqFqx7E3LJEjkApzbhHXaXjgsPs6X2PGqC4v";
    const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    let tx = for_fee_payer("hyperlane_usdc_bridge_transfer_two_signers");
    assert_eq!(
        tx.signers,
        vec![WALLET.to_owned(), "4NdU7cVfGD8rwyCf1qAqm7GTmoz7QJCWtkCyZbW6nfme".to_owned()]
    );
    assert_eq!((tx.fee_lamports, tx.wallet_lamport_delta), (60_000, -7_280_698));
    let escrow = tx.transfers.iter().find(|t| t.amount == 138_551_462).expect("the bridged amount");
    assert_eq!(
        (escrow.from.as_str(), escrow.to.as_str(), escrow.top_level),
        (WALLET, "CcquFeCYNZM48kLPyG3HWxdwgigmyxPBi6iHwve9Myhj", false)
    );
    assert_eq!(escrow.mint.as_deref(), Some(USDC));
    assert_eq!(sent_to(&tx, WALLET, "6KFjWcLbGE6cRafEfzRAQJNpncTCYGoty8rPZnqAQ4uu", Some(USDC)), 696_238);
    assert_eq!(
        sent_to(&tx, WALLET, "JAvHW21tYXE9dtdG83DReqU2b4LUexFuCbtJT5tF8X6M", None),
        3_107_338,
        "interchain gas"
    );
}

#[test]
fn a_gasless_send_is_signed_by_the_user_and_paid_for_by_the_apps_relayer() {
    const RELAYER: &str = "FG4Y3yX4AAchp1HvNZ7LfzFTewF2f6nDoMDCohTFrdpT";
    const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    let usdc = wire("gasless_usdc_send_via_link_with_memo");
    let user = "8fusVwhgo4oS1fGpZKeRaXrJXQk9auKnAgcj9A97wR3t";
    let tx = normalize::transaction(user, &usdc);
    assert_eq!(tx.signers, vec![RELAYER.to_owned(), user.to_owned()]);
    assert_eq!((tx.fee_payer.as_str(), tx.fee_lamports), (RELAYER, 10_000));
    assert_eq!(tx.wallet_lamport_delta, 0, "the user pays no SOL at all");
    assert_eq!(sent_to(&tx, user, "3i476kTBBTy7pBGx4CXwJpJ6phuwLQgcwLTdHhU3c7ui", Some(USDC)), 1_000);
    assert_eq!(tx.memos, vec!["transfer".to_owned()]);
    assert!(tx.events.iter().any(|e| matches!(e,
        Event::TokenAccountCreated { owner, payer, .. } if owner == "3i476kTBBTy7pBGx4CXwJpJ6phuwLQgcwLTdHhU3c7ui" && payer == RELAYER)));

    let sol = wire("gasless_sol_send_via_link_with_memo");
    let user = "DT1mBDFsNBc1UXa25RdxNvnjL5Lro7su7gX1zpLyCmWe";
    let tx = normalize::transaction(user, &sol);
    assert_eq!((tx.fee_payer.as_str(), tx.signers.len()), (RELAYER, 2));
    assert_eq!(sent_to(&tx, user, "2b7iQq3PbWwWTotRSDFNXT9DauU418aCHK4jcAzETUem", None), 1_000_000);
    assert_eq!(tx.wallet_lamport_delta, -1_000_000, "the relayer paid the fee");
    assert_eq!(tx.memos, vec!["transfer".to_owned()]);
}

#[test]
fn a_failed_swap_still_costs_its_fee_and_shows_its_signers() {
    const WALLET: &str = "G8PrkEwmVx3kt3rXBin5o1bdDC1cvz7oBnXbHksNg7R4";
    let name = "failed_orca_swap_slippage_wrapped_sol";
    let tx = for_fee_payer(name);
    assert!(tx.failed, "meta.err is set: the Orca swap instruction returned Custom(16)");
    assert_eq!(tx.version, TxVersion::Legacy, "recorded in 2021, before versioned transactions");
    assert_eq!((tx.fee_payer.as_str(), tx.fee_lamports), (WALLET, 15_000));
    assert_eq!(
        tx.signers,
        vec![
            WALLET.to_owned(),
            "5tDsFnGDNvosPizMhtmGkhhjFheiCmUBM7rLZdcNkz2b".to_owned(),
            "GWXjUYzXU6VVjuHz1JZhcHavGaoM6BVGn5pvm4GHw8t7".to_owned(),
        ],
        "the wallet, its temporary wSOL account and a one-off transfer authority"
    );
    assert_eq!(tx.wallet_lamport_delta, -15_000, "nothing moved but the fee");
    let status = recorded_status(&recorded(name)["result"]);
    assert_eq!(status["err"], serde_json::json!({"InstructionError": [3, {"Custom": 16}]}));
    assert!(tx.transfers.is_empty(), "{:?}", tx.transfers);
}
