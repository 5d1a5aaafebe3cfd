//! Everyday DeFi transactions in mainnet's `jsonParsed` shapes: Jupiter
//! swaps that wrap SOL into the wallet's own wSOL account and close it again,
//! `createIdempotent` on accounts that already exist, Jito tips, and the
//! spam strangers send. Shapes follow Agave's instruction parsers
//! (`parse_associated_token`, `parse_token`, `parse_system`): a creating
//! `createIdempotent` carries the inner `getAccountDataSize`,
//! `createAccount`, `initializeImmutableOwner` and `initializeAccount3`; one
//! on an existing account carries none.

use serde_json::json;

use super::chain::{
    TOKEN_ACCOUNT_RENT, TxBuilder, associated_account_instruction, parsed_inner, program_address, raw_inner,
    token_account,
};
use crate::domain::programs;

/// The wrapped-SOL mint.
pub const WSOL: &str = "So11111111111111111111111111111111111111112";
/// Jupiter's aggregator (v6).
pub const JUPITER: &str = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
/// Jupiter's RFQ order engine (JupiterZ).
pub const JUPITER_Z: &str = programs::JUPITER_Z;
/// The order engine's `fill` discriminator (Anchor: sha256("global:fill")[..8]).
const FILL: [u8; 8] = [0xa8, 0x60, 0xb7, 0xa3, 0x5c, 0x0a, 0x28, 0xa0];
/// Raydium's AMM v4, the pool program Jupiter routes through here.
pub const RAYDIUM_AMM: &str = "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8";
/// Jito's tip accounts, as labelled in the shipped label set.
pub const JITO_TIP_ACCOUNTS: [&str; 4] = [
    "96gYZGLnJYVFmbjzopPSU6QiEV5fGqZNyN9nmNhvrZU5",
    "HFqU5x63VTqvQss8hp11i4wVV8bD44PvwucfZ2bU7gRe",
    "Cw8CFyM9FkoMi7K7Crf6HNQqf4uEMzpKw6QNghXLvLkY",
    "ADaUMid9yfUytqMBgopwjb2DTLSokTSzL1zt6iGPaS49",
];

/// A constant-product pool of SOL and one token: its accounts are all
/// program-derived, as on mainnet.
#[derive(Clone, Debug)]
pub struct Pool {
    pub authority: String,
    pub sol_vault: String,
    pub token_vault: String,
    pub mint: String,
    pub decimals: u8,
}

impl Pool {
    pub fn new(name: &str, mint: &str, decimals: u8) -> Self {
        Self {
            authority: program_address(&format!("pool:{name}:authority")),
            sol_vault: program_address(&format!("pool:{name}:sol-vault")),
            token_vault: program_address(&format!("pool:{name}:token-vault")),
            mint: mint.to_owned(),
            decimals,
        }
    }
}

/// What the vaults hold before a swap: large, so no balance goes negative.
const VAULT: u64 = 50_000_000_000_000;

fn token_ix(kind: &str, info: serde_json::Value) -> serde_json::Value {
    parsed_inner("spl-token", programs::TOKEN, json!({"info": info, "type": kind}))
}

fn transfer_ix(source: &str, destination: &str, authority: &str, amount: u64) -> serde_json::Value {
    token_ix(
        "transfer",
        json!({"amount": amount.to_string(), "authority": authority, "destination": destination, "source": source}),
    )
}

impl TxBuilder {
    /// `createIdempotent` for `owner`'s associated account of `mint`, paid by
    /// `payer`. When `exists`, the program only checks the account: no inner
    /// instructions, no lamports move.
    pub fn create_idempotent(self, payer: &str, owner: &str, mint: &str, exists: bool) -> Self {
        let account = token_account(owner, mint);
        let tx = self.parsed_instruction(
            "spl-associated-token-account",
            programs::ASSOCIATED_TOKEN,
            associated_account_instruction("createIdempotent", payer, owner, mint),
        );
        if exists {
            return tx.touch(&account);
        }
        tx.inner(vec![
            token_ix("getAccountDataSize", json!({"extensionTypes": ["immutableOwner"], "mint": mint})),
            parsed_inner(
                "system",
                programs::SYSTEM,
                json!({"info": {
                    "lamports": TOKEN_ACCOUNT_RENT,
                    "newAccount": account,
                    "owner": programs::TOKEN,
                    "source": payer,
                    "space": 165,
                }, "type": "createAccount"}),
            ),
            token_ix("initializeImmutableOwner", json!({"account": account})),
            token_ix("initializeAccount3", json!({"account": account, "mint": mint, "owner": owner})),
        ])
        .lamports_move(payer, &account, TOKEN_ACCOUNT_RENT)
    }

    /// A Jupiter swap of `lamports` SOL for `tokens` of the pool's token:
    /// open the wallet's wSOL account, move the SOL into it, sync, swap
    /// through the pool, close the wSOL account back to the wallet.
    pub fn swap_sol_for_tokens(self, wallet: &str, pool: &Pool, lamports: u64, tokens: u64) -> Self {
        let wsol = token_account(wallet, WSOL);
        let out = token_account(wallet, &pool.mint);
        self.create_idempotent(wallet, wallet, WSOL, false)
            .sol_transfer(wallet, &wsol, lamports)
            .parsed_instruction("spl-token", programs::TOKEN, json!({"info": {"account": wsol}, "type": "syncNative"}))
            .create_idempotent(wallet, wallet, &pool.mint, true)
            .raw_instruction(JUPITER, &[0xe5, 0x17, 0xcb, 0x97, 0x7a, 0xe3, 0xad, 0x2a])
            .inner(vec![
                raw_inner(RAYDIUM_AMM, &[9]),
                transfer_ix(&wsol, &pool.sol_vault, wallet, lamports),
                transfer_ix(&pool.token_vault, &out, &pool.authority, tokens),
            ])
            .lamports_move(&wsol, &pool.sol_vault, lamports)
            .parsed_instruction(
                "spl-token",
                programs::TOKEN,
                json!({"info": {"account": wsol, "destination": wallet, "owner": wallet}, "type": "closeAccount"}),
            )
            .lamports_move(&wsol, wallet, TOKEN_ACCOUNT_RENT)
            .token_balance(&pool.sol_vault, &pool.authority, WSOL, 9, (VAULT, VAULT + lamports))
            .token_balance(&pool.token_vault, &pool.authority, &pool.mint, pool.decimals, (VAULT, VAULT - tokens))
            .token_balance(&out, wallet, &pool.mint, pool.decimals, (VAULT, VAULT + tokens))
            .touch(&wsol)
    }

    /// A Jupiter swap of `tokens` back to `lamports` SOL, unwrapped through
    /// the wallet's wSOL account.
    pub fn swap_tokens_for_sol(self, wallet: &str, pool: &Pool, tokens: u64, lamports: u64) -> Self {
        let wsol = token_account(wallet, WSOL);
        let input = token_account(wallet, &pool.mint);
        self.create_idempotent(wallet, wallet, WSOL, false)
            .raw_instruction(JUPITER, &[0xe5, 0x17, 0xcb, 0x97, 0x7a, 0xe3, 0xad, 0x2a])
            .inner(vec![
                raw_inner(RAYDIUM_AMM, &[9]),
                transfer_ix(&input, &pool.token_vault, wallet, tokens),
                transfer_ix(&pool.sol_vault, &wsol, &pool.authority, lamports),
            ])
            .lamports_move(&pool.sol_vault, &wsol, lamports)
            .parsed_instruction(
                "spl-token",
                programs::TOKEN,
                json!({"info": {"account": wsol, "destination": wallet, "owner": wallet}, "type": "closeAccount"}),
            )
            .lamports_move(&wsol, wallet, TOKEN_ACCOUNT_RENT + lamports)
            .token_balance(&input, wallet, &pool.mint, pool.decimals, (VAULT, VAULT - tokens))
            .token_balance(&pool.token_vault, &pool.authority, &pool.mint, pool.decimals, (VAULT, VAULT + tokens))
            .token_balance(&pool.sol_vault, &pool.authority, WSOL, 9, (VAULT, VAULT - lamports))
            .touch(&wsol)
    }

    /// A JupiterZ (RFQ) fill, as Jupiter builds it for a winning market
    /// maker's quote: the maker signs first and pays the fee, the wallet
    /// co-signs; the order engine moves the wallet's `tokens` of `mint` to
    /// the maker and the maker's `lamports` to the wallet. Start the
    /// builder with `TxBuilder::new(maker, …)`.
    pub fn rfq_fill(
        self,
        wallet: &str,
        maker: &str,
        mint: &str,
        decimals: u8,
        tokens: u64,
        lamports: u64,
    ) -> Self {
        let taker_account = token_account(wallet, mint);
        let maker_account = token_account(maker, mint);
        self.co_signer(wallet)
            .raw_instruction(JUPITER_Z, &FILL)
            .inner(vec![
                transfer_ix(&taker_account, &maker_account, wallet, tokens),
                parsed_inner(
                    "system",
                    programs::SYSTEM,
                    json!({"info": {"destination": wallet, "lamports": lamports, "source": maker}, "type": "transfer"}),
                ),
            ])
            .lamports_move(maker, wallet, lamports)
            .token_balance(&taker_account, wallet, mint, decimals, (VAULT, VAULT - tokens))
            .token_balance(&maker_account, maker, mint, decimals, (VAULT, VAULT + tokens))
    }

    /// A second hop that leaves a few base units of `pool`'s token in the
    /// wallet's account: dust inside the wallet's own swap.
    pub fn with_leftover(self, wallet: &str, pool: &Pool, units: u64) -> Self {
        let account = token_account(wallet, &pool.mint);
        self.inner(vec![transfer_ix(&pool.token_vault, &account, &pool.authority, units)])
    }
}
