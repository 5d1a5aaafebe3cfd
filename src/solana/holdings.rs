//! What a wallet holds now: its SOL balance and its token accounts under both
//! token programs, read in one batch. Both ways of reading a history (the
//! standard methods and `getTransactionsForAddress`) end with it.

use serde_json::{Value, json};

use super::client::{Call, RpcError, SolanaRpc};
use super::normalize;
use super::wire::{KeyedTokenAccount, WithContext};
use crate::domain::WalletAddress;
use crate::domain::history::TokenHolding;
use crate::domain::programs;

/// The wallet's balance in lamports and its token holdings.
pub async fn balance_and_holdings(
    rpc: &SolanaRpc,
    wallet: &WalletAddress,
) -> Result<(u64, Vec<TokenHolding>), RpcError> {
    // The node lists token accounts one token program at a time: ask for
    // the classic program's and Token-2022's.
    let tokens_of = |program: &str| {
        (
            "getTokenAccountsByOwner",
            json!([wallet.as_str(), {"programId": program}, {"encoding": "jsonParsed", "commitment": "finalized"}]),
        )
    };
    let balance_and_tokens: Vec<Call> = vec![
        ("getBalance", json!([wallet.as_str(), {"commitment": "finalized"}])),
        tokens_of(programs::TOKEN),
        tokens_of(programs::TOKEN_2022),
    ];
    let mut answers = rpc.call_many::<Value>(balance_and_tokens).await?.into_iter();
    let balance: WithContext<u64> = decode(answers.next())?;
    let mut tokens: WithContext<Vec<KeyedTokenAccount>> = decode(answers.next())?;
    let tokens_2022: WithContext<Vec<KeyedTokenAccount>> = decode(answers.next())?;
    tokens.value.extend(tokens_2022.value);
    Ok((balance.value, normalize::token_holdings(&tokens.value)))
}

fn decode<T: serde::de::DeserializeOwned>(answer: Option<Result<Value, RpcError>>) -> Result<T, RpcError> {
    let value = answer.unwrap_or_else(|| {
        Err(RpcError::Malformed { host: String::new(), message: "answer missing".into() })
    })?;
    serde_json::from_value(value)
        .map_err(|e| RpcError::Malformed { host: String::new(), message: e.to_string() })
}
