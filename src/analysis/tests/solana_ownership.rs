//! The normaliser resolving who really sent and received, in mainnet's
//! `jsonParsed` shapes (Agave's `parse_token`, `parse_associated_token`,
//! `parse_system`): the wallet's own token accounts, accounts created or
//! merely checked, delegates, Token-2022 fees, memos written by programs.

use serde_json::{Value, json};

use crate::domain::history::{Event, Transaction};
use crate::solana::normalize::transaction;
use crate::solana::wire::EncodedTransaction;

const WALLET: &str = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU";
const FRIEND: &str = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";
const DELEGATE: &str = "DCA265Vj8a9CEuX1eb1LWRnDT7uK6q1xMipnNyatn23M";
const WSOL_MINT: &str = "So11111111111111111111111111111111111111112";
const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
const WSOL_ACCOUNT: &str = "HbJzXRgLTNnFjFBNiiJuByWqnDRpspmQVQqQ4Y3ZQSrq";
const USDC_ACCOUNT: &str = "3emsAVdmGKERbHjmGfQ6oZ1e35dkf5iYcS6U4CPKFVaa";
const FRIEND_ACCOUNT: &str = "Ay8hS1Q6kFzR9vbyjXzxNWz3RMfVTKhnWyuv5PVy4AXg";
const SYSTEM: &str = "11111111111111111111111111111111";
const TOKEN: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const TOKEN_2022: &str = "TokenzQdBNbLqP5VEhdkAS6EPFLuvrWS5eHbW5Bph7rR";
const ATA: &str = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";

fn ix(program: &str, program_id: &str, kind: &str, info: Value) -> Value {
    json!({"program": program, "programId": program_id, "parsed": {"type": kind, "info": info}, "stackHeight": null})
}

fn inner_ix(program: &str, program_id: &str, kind: &str, info: Value) -> Value {
    json!({"program": program, "programId": program_id, "parsed": {"type": kind, "info": info}, "stackHeight": 2})
}

fn create_idempotent(account: &str, owner: &str, mint: &str) -> Value {
    ix(
        "spl-associated-token-account",
        ATA,
        "createIdempotent",
        json!({"account": account, "mint": mint, "source": WALLET, "systemProgram": SYSTEM, "tokenProgram": TOKEN, "wallet": owner}),
    )
}

/// What the associated-token program does when the account is new.
fn creation_inner(account: &str, owner: &str, mint: &str) -> Vec<Value> {
    vec![
        inner_ix(
            "spl-token",
            TOKEN,
            "getAccountDataSize",
            json!({"extensionTypes": ["immutableOwner"], "mint": mint}),
        ),
        inner_ix(
            "system",
            SYSTEM,
            "createAccount",
            json!({"lamports": 2_039_280u64, "newAccount": account, "owner": TOKEN, "source": WALLET, "space": 165}),
        ),
        inner_ix("spl-token", TOKEN, "initializeImmutableOwner", json!({"account": account})),
        inner_ix(
            "spl-token",
            TOKEN,
            "initializeAccount3",
            json!({"account": account, "mint": mint, "owner": owner}),
        ),
    ]
}

/// A transaction the wallet signed: `keys` after the wallet, inner
/// instructions as `(top-level index, instructions)`, token balances as
/// `(key index, owner, mint, amount)` both before and after.
fn signed(
    keys: &[&str],
    instructions: Vec<Value>,
    inner: Vec<(usize, Vec<Value>)>,
    balances: &[(usize, &str, &str, &str)],
) -> Transaction {
    let mut account_keys =
        vec![json!({"pubkey": WALLET, "signer": true, "writable": true, "source": "transaction"})];
    account_keys.extend(
        keys.iter().map(|k| json!({"pubkey": k, "signer": false, "writable": true, "source": "transaction"})),
    );
    let lamports: Vec<u64> =
        (0..account_keys.len()).map(|i| if i == 0 { 5_000_000_000 } else { 0 }).collect();
    let token_balances: Vec<Value> = balances
        .iter()
        .map(|(index, owner, mint, amount)| {
            json!({"accountIndex": index, "mint": mint, "owner": owner, "programId": TOKEN,
                   "uiTokenAmount": {"amount": amount, "decimals": 6, "uiAmount": null, "uiAmountString": amount}})
        })
        .collect();
    let inner: Vec<Value> =
        inner.into_iter().map(|(index, ixs)| json!({"index": index, "instructions": ixs})).collect();
    let encoded: EncodedTransaction = serde_json::from_value(json!({
        "slot": 447_200_000u64,
        "blockTime": 1_790_000_000i64,
        "version": 0,
        "meta": {
            "err": null, "fee": 5000, "preBalances": lamports, "postBalances": lamports,
            "innerInstructions": inner, "logMessages": [], "preTokenBalances": token_balances,
            "postTokenBalances": token_balances, "rewards": [], "status": {"Ok": null}
        },
        "transaction": {"signatures": ["5sig"], "message": {
            "accountKeys": account_keys,
            "recentBlockhash": "GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi",
            "instructions": instructions
        }}
    }))
    .expect("a well-formed transaction");
    transaction(WALLET, &encoded)
}

fn created(tx: &Transaction) -> Vec<&Event> {
    tx.events.iter().filter(|e| matches!(e, Event::TokenAccountCreated { .. })).collect()
}

#[test]
fn sol_wrapped_into_the_wallets_own_wsol_account_goes_to_the_wallet_itself() {
    // A swap's wrap: the wSOL account is opened, funded, synced and closed in
    // one transaction, so no token balance ever names its owner.
    let tx = signed(
        &[WSOL_ACCOUNT],
        vec![
            create_idempotent(WSOL_ACCOUNT, WALLET, WSOL_MINT),
            ix(
                "system",
                SYSTEM,
                "transfer",
                json!({"destination": WSOL_ACCOUNT, "lamports": 250_000_000u64, "source": WALLET}),
            ),
            ix("spl-token", TOKEN, "syncNative", json!({"account": WSOL_ACCOUNT})),
            ix(
                "spl-token",
                TOKEN,
                "closeAccount",
                json!({"account": WSOL_ACCOUNT, "destination": WALLET, "owner": WALLET}),
            ),
        ],
        vec![(0, creation_inner(WSOL_ACCOUNT, WALLET, WSOL_MINT))],
        &[],
    );
    assert_eq!(tx.transfers.len(), 1);
    assert_eq!((tx.transfers[0].from.as_str(), tx.transfers[0].to.as_str()), (WALLET, WALLET));
}

#[test]
fn create_idempotent_on_an_account_that_exists_creates_nothing() {
    let tx = signed(
        &[FRIEND_ACCOUNT],
        vec![create_idempotent(FRIEND_ACCOUNT, FRIEND, USDC)],
        vec![],
        &[(1, FRIEND, USDC, "5000000")],
    );
    assert!(created(&tx).is_empty(), "{:?}", tx.events);
}

#[test]
fn a_real_creation_is_one_event_not_two() {
    let tx = signed(
        &[FRIEND_ACCOUNT],
        vec![create_idempotent(FRIEND_ACCOUNT, FRIEND, USDC)],
        vec![(0, creation_inner(FRIEND_ACCOUNT, FRIEND, USDC))],
        &[],
    );
    assert_eq!(
        created(&tx),
        vec![&Event::TokenAccountCreated {
            account: FRIEND_ACCOUNT.into(),
            owner: FRIEND.into(),
            mint: Some(USDC.into()),
            payer: WALLET.into()
        }]
    );
}

#[test]
fn tokens_a_delegate_moves_leave_the_owner_of_the_source_account() {
    // A DCA program (or a drainer) holding a delegation signs the transfer;
    // the tokens are still the wallet's.
    let tx = signed(
        &[USDC_ACCOUNT, FRIEND_ACCOUNT],
        vec![ix(
            "spl-token",
            TOKEN,
            "transferChecked",
            json!({"authority": DELEGATE, "destination": FRIEND_ACCOUNT, "mint": USDC, "source": USDC_ACCOUNT,
                   "tokenAmount": {"amount": "40000000", "decimals": 6, "uiAmount": 40.0, "uiAmountString": "40"}}),
        )],
        vec![],
        &[(1, WALLET, USDC, "90000000"), (2, FRIEND, USDC, "0")],
    );
    assert_eq!((tx.transfers[0].from.as_str(), tx.transfers[0].to.as_str()), (WALLET, FRIEND));
}

#[test]
fn token_2022_transfer_checked_with_fee_is_a_transfer() {
    let tx = signed(
        &[USDC_ACCOUNT, FRIEND_ACCOUNT],
        vec![ix(
            "spl-token-2022",
            TOKEN_2022,
            "transferCheckedWithFee",
            json!({"authority": WALLET, "destination": FRIEND_ACCOUNT, "mint": USDC, "source": USDC_ACCOUNT,
                   "tokenAmount": {"amount": "55", "decimals": 2, "uiAmount": 0.55, "uiAmountString": "0.55"},
                   "feeAmount": {"amount": "5", "decimals": 2, "uiAmount": 0.05, "uiAmountString": "0.05"}}),
        )],
        vec![],
        &[(1, WALLET, USDC, "100"), (2, FRIEND, USDC, "0")],
    );
    assert_eq!(tx.transfers.len(), 1);
    let transfer = &tx.transfers[0];
    assert_eq!(
        (transfer.from.as_str(), transfer.to.as_str(), transfer.amount, transfer.decimals),
        (WALLET, FRIEND, 55, 2)
    );
}

#[test]
fn a_memo_a_program_writes_is_not_the_signers_memo() {
    let tx = signed(
        &[],
        vec![
            json!({"programId": "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4", "accounts": [], "data": "3Bxs4Bc3VYuGVB19", "stackHeight": null}),
            json!({"program": "spl-memo", "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "parsed": "mine", "stackHeight": null}),
        ],
        vec![(
            0,
            vec![
                json!({"program": "spl-memo", "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "parsed": "route 7 via pool@example.com", "stackHeight": 2}),
            ],
        )],
        &[],
    );
    assert_eq!(tx.memos, vec!["mine".to_owned()]);
}

#[test]
fn a_transaction_without_meta_is_not_counted_as_executed() {
    let encoded: EncodedTransaction = serde_json::from_value(json!({
        "slot": 1u64, "blockTime": null, "meta": null,
        "transaction": {"signatures": ["5sig"], "message": {
            "accountKeys": [{"pubkey": WALLET, "signer": true, "writable": true}],
            "recentBlockhash": "GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi",
            "instructions": [ix("system", SYSTEM, "transfer", json!({"destination": FRIEND, "lamports": 7u64, "source": WALLET}))]
        }}
    }))
    .expect("a transaction without meta");
    assert!(transaction(WALLET, &encoded).failed);
}
