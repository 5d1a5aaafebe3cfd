//! The normaliser fed with transactions in the exact `jsonParsed` shapes
//! mainnet returns. (Kept here, beside the model they produce, because the
//! solana module's own files belong to another area.)

use serde_json::{Value, json};

use crate::domain::history::{Event, TxVersion};
use crate::solana::normalize::transaction;
use crate::solana::wire::EncodedTransaction;

const WALLET: &str = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU";
const OTHER: &str = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";
const MINT: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
const ACCOUNT: &str = "3emsAVdmGKERbHjmGfQ6oZ1e35dkf5iYcS6U4CPKFVaa";

fn parsed(program: &str, program_id: &str, kind: &str, info: Value) -> Value {
    json!({"program": program, "programId": program_id, "parsed": {"type": kind, "info": info}, "stackHeight": 1})
}

/// A `getTransaction` result around `instructions`, signed by the wallet.
fn encoded(version: Value, instructions: Vec<Value>, config: Option<Value>) -> EncodedTransaction {
    let mut message = json!({
        "accountKeys": [
            {"pubkey": WALLET, "signer": true, "writable": true, "source": "transaction"},
            {"pubkey": OTHER, "signer": false, "writable": true, "source": "transaction"}
        ],
        "recentBlockhash": "GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi",
        "instructions": instructions
    });
    if let Some(config) = config {
        message["transactionConfig"] = config;
    }
    serde_json::from_value(json!({
        "slot": 447_200_000u64,
        "blockTime": 1_790_000_000i64,
        "version": version,
        "meta": {
            "err": null, "fee": 5000, "preBalances": [2_000_000_000u64, 0], "postBalances": [1_499_995_000u64, 500_000_000],
            "innerInstructions": [], "logMessages": [], "preTokenBalances": [], "postTokenBalances": [],
            "rewards": [], "status": {"Ok": null}, "computeUnitsConsumed": 450
        },
        "transaction": {"signatures": ["5sig"], "message": message}
    }))
    .expect("a well-formed transaction")
}

fn normalise(instructions: Vec<Value>) -> crate::domain::history::Transaction {
    transaction(WALLET, &encoded(json!(0), instructions, None))
}

#[test]
fn solana_system_transfer_becomes_a_sol_transfer() {
    let tx = normalise(vec![parsed(
        "system",
        "11111111111111111111111111111111",
        "transfer",
        json!({"source": WALLET, "destination": OTHER, "lamports": 500_000_000u64}),
    )]);
    assert_eq!(tx.transfers.len(), 1);
    assert_eq!((tx.transfers[0].amount, tx.transfers[0].is_sol()), (500_000_000, true));
    assert_eq!(tx.wallet_lamport_delta, -500_005_000);
}

#[test]
fn solana_associated_account_creation_names_payer_and_owner() {
    // A plain `create` fails when the account exists, so it always created one.
    let tx = normalise(vec![parsed(
        "spl-associated-token-account",
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL",
        "create",
        json!({"account": ACCOUNT, "mint": MINT, "source": WALLET, "systemProgram": "11111111111111111111111111111111",
               "tokenProgram": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "wallet": OTHER}),
    )]);
    assert_eq!(
        tx.events,
        vec![Event::TokenAccountCreated {
            account: ACCOUNT.into(),
            owner: OTHER.into(),
            mint: Some(MINT.into()),
            payer: WALLET.into()
        }]
    );
}

#[test]
fn solana_plain_token_account_takes_its_payer_from_create_account() {
    let tx = normalise(vec![
        parsed(
            "system",
            "11111111111111111111111111111111",
            "createAccount",
            json!({"source": WALLET, "newAccount": ACCOUNT, "lamports": 2_039_280u64, "space": 165, "owner": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}),
        ),
        parsed(
            "spl-token",
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            "initializeAccount3",
            json!({"account": ACCOUNT, "mint": MINT, "owner": OTHER}),
        ),
    ]);
    assert!(tx.events.contains(&Event::TokenAccountCreated {
        account: ACCOUNT.into(),
        owner: OTHER.into(),
        mint: Some(MINT.into()),
        payer: WALLET.into()
    }));
}

#[test]
fn solana_close_account_records_where_the_rent_went() {
    let tx = normalise(vec![parsed(
        "spl-token",
        "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        "closeAccount",
        json!({"account": ACCOUNT, "destination": OTHER, "owner": WALLET}),
    )]);
    assert_eq!(
        tx.events,
        vec![Event::TokenAccountClosed {
            account: ACCOUNT.into(),
            destination: OTHER.into(),
            owner: WALLET.into()
        }]
    );
}

#[test]
fn solana_mint_initialisation_and_minting_are_events() {
    let tx = normalise(vec![
        parsed(
            "spl-token",
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            "initializeMint2",
            json!({"decimals": 0, "mint": MINT, "mintAuthority": WALLET, "freezeAuthority": WALLET}),
        ),
        parsed(
            "spl-token",
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            "mintToChecked",
            json!({"account": ACCOUNT, "mint": MINT, "mintAuthority": WALLET,
                   "tokenAmount": {"amount": "1", "decimals": 0, "uiAmount": 1.0, "uiAmountString": "1"}}),
        ),
        parsed(
            "spl-token",
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
            "mintTo",
            json!({"account": ACCOUNT, "mint": MINT, "mintAuthority": WALLET, "amount": "5"}),
        ),
    ]);
    assert_eq!(
        tx.events,
        vec![
            Event::MintInitialized { mint: MINT.into(), mint_authority: Some(WALLET.into()), decimals: 0 },
            Event::TokensMinted {
                mint: MINT.into(),
                account: ACCOUNT.into(),
                authority: WALLET.into(),
                amount: 1
            },
            Event::TokensMinted {
                mint: MINT.into(),
                account: ACCOUNT.into(),
                authority: WALLET.into(),
                amount: 5
            },
        ]
    );
}

#[test]
fn solana_stake_delegation_names_the_validator() {
    let tx = normalise(vec![parsed(
        "stake",
        "Stake11111111111111111111111111111111111111",
        "delegate",
        json!({"stakeAccount": ACCOUNT, "voteAccount": OTHER, "stakeAuthority": WALLET,
               "clockSysvar": "SysvarC1ock11111111111111111111111111111111",
               "stakeHistorySysvar": "SysvarStakeHistory1111111111111111111111111",
               "stakeConfigAccount": "StakeConfig11111111111111111111111111111111"}),
    )]);
    assert_eq!(
        tx.events,
        vec![Event::StakeDelegated {
            stake_account: ACCOUNT.into(),
            vote_account: OTHER.into(),
            authority: WALLET.into()
        }]
    );
}

#[test]
fn solana_memo_parses_to_its_text_and_raw_name_service_calls_are_kept_as_programs() {
    let tx = normalise(vec![
        json!({"program": "spl-memo", "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "parsed": "gm frens", "stackHeight": 1}),
        json!({"programId": "namesLPneVptA9Z5rqUDD9tMTWEJwofgaYwp8cawRkX", "accounts": [WALLET, ACCOUNT], "data": "3Bxs4Bc3VYuGVB19", "stackHeight": 1}),
    ]);
    assert_eq!(tx.memos, vec!["gm frens".to_owned()]);
    assert!(tx.programs.iter().any(|p| p == "namesLPneVptA9Z5rqUDD9tMTWEJwofgaYwp8cawRkX"));
    assert!(tx.instruction_kinds.contains(&"name-service:raw".to_owned()));
}

#[test]
fn solana_v1_priority_fee_is_a_lamport_total_and_v0_is_derived_from_price_and_limit() {
    let v1 = transaction(
        WALLET,
        &encoded(json!(1), vec![], Some(json!({"priorityFee": 50_000, "computeUnitLimit": 200_000}))),
    );
    assert_eq!(v1.version, TxVersion::V1);
    assert_eq!(
        (v1.compute.priority_fee_lamports, v1.compute.unit_price_micro_lamports),
        (Some(50_000), None)
    );

    // SetComputeUnitLimit(200_000) and SetComputeUnitPrice(250_000), base58.
    let limit = bs58::encode([2u8, 0x40, 0x0d, 0x03, 0x00]).into_string();
    let price = bs58::encode([3u8, 0x90, 0xd0, 0x03, 0, 0, 0, 0, 0]).into_string();
    let budget = |data: String| json!({"programId": "ComputeBudget111111111111111111111111111111", "accounts": [], "data": data, "stackHeight": 1});
    let v0 = normalise(vec![budget(limit), budget(price)]);
    assert_eq!(v0.compute.unit_limit, Some(200_000));
    assert_eq!(v0.compute.unit_price_micro_lamports, Some(250_000));
    assert_eq!(v0.compute.priority_fee_lamports, Some(50_000), "same fee, compared like with like");
}
