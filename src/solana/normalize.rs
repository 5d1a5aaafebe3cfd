//! Turns wire transactions into the analysis model: one shape for legacy, v0
//! and v1, owners instead of token accounts where the node told us, and the
//! instructions a privacy analysis cares about as typed events.
//!
//! Pure and total: any well-typed wire value produces a model value; parsed
//! instructions with unexpected fields are skipped, never a panic.

use std::collections::HashMap;

use serde_json::Value;

use crate::analysis::model::{
    ComputeBudget, Event, SignatureInfo, TokenHolding, Transaction, Transfer, TxVersion,
};

use super::programs;
use super::wire::{
    EncodedTransaction, Instruction, KeyedTokenAccount, RawInstruction, SignatureStatus, WireVersion,
};

pub fn signature_info(status: &SignatureStatus) -> SignatureInfo {
    SignatureInfo {
        signature: status.signature.clone(),
        slot: status.slot,
        block_time: status.block_time,
        failed: status.err.is_some(),
    }
}

/// Normalises one fetched transaction for `wallet`.
pub fn transaction(wallet: &str, tx: &EncodedTransaction) -> Transaction {
    let message = &tx.transaction.message;
    let accounts: Vec<String> = message.account_keys.iter().map(|k| k.pubkey.clone()).collect();
    let signers: Vec<String> =
        message.account_keys.iter().filter(|k| k.signer).map(|k| k.pubkey.clone()).collect();
    let fee_payer = accounts.first().cloned().unwrap_or_default();
    let meta = tx.meta.as_ref();

    let version = match tx.version {
        None | Some(WireVersion::Legacy) => TxVersion::Legacy,
        Some(WireVersion::Number(0)) => TxVersion::V0,
        Some(WireVersion::Number(_)) => TxVersion::V1,
    };

    // Token account → owner, from the balances the node recorded.
    let mut token_owner: HashMap<&str, (&str, &str, u8)> = HashMap::new();
    if let Some(meta) = meta {
        let balances = meta.pre_token_balances.iter().chain(meta.post_token_balances.iter());
        for balance in balances.flatten() {
            if let (Some(account), Some(owner)) =
                (accounts.get(balance.account_index as usize), balance.owner.as_deref())
            {
                token_owner.insert(
                    account.as_str(),
                    (owner, balance.mint.as_str(), balance.ui_token_amount.decimals),
                );
            }
        }
    }

    let mut reader = InstructionReader {
        token_owner: &token_owner,
        programs: Vec::new(),
        instruction_kinds: Vec::new(),
        memos: Vec::new(),
        transfers: Vec::new(),
        events: Vec::new(),
        compute: ComputeBudget::default(),
    };
    for ix in &message.instructions {
        reader.read(ix, true);
    }
    if let Some(inner) = meta.and_then(|m| m.inner_instructions.as_ref()) {
        for group in inner {
            for ix in &group.instructions {
                reader.read(ix, false);
            }
        }
    }

    if let Some(config) = &message.transaction_config {
        // v1: the message carries the budget; the fee is a lamport total.
        reader.compute.unit_limit = config.compute_unit_limit.or(reader.compute.unit_limit);
        reader.compute.priority_fee_lamports = config.priority_fee;
    } else if let (Some(price), Some(limit)) =
        (reader.compute.unit_price_micro_lamports, reader.compute.unit_limit)
    {
        let lamports = (u128::from(price) * u128::from(limit)).div_ceil(1_000_000);
        reader.compute.priority_fee_lamports = u64::try_from(lamports).ok();
    }

    let wallet_lamport_delta = meta
        .and_then(|m| {
            let index = accounts.iter().position(|a| a == wallet)?;
            let pre = *m.pre_balances.get(index)? as i128;
            let post = *m.post_balances.get(index)? as i128;
            i64::try_from(post - pre).ok()
        })
        .unwrap_or(0);

    let InstructionReader { programs, instruction_kinds, memos, transfers, events, compute, .. } = reader;
    Transaction {
        signature: tx.transaction.signatures.first().cloned().unwrap_or_default(),
        slot: tx.slot,
        block_time: tx.block_time,
        version,
        failed: meta.is_some_and(|m| m.err.is_some()),
        fee_lamports: meta.map_or(0, |m| m.fee),
        fee_payer,
        signers,
        accounts,
        programs,
        instruction_kinds,
        memos,
        transfers,
        events,
        compute,
        wallet_lamport_delta,
    }
}

/// The wallet's SPL token accounts from `getTokenAccountsByOwner` (jsonParsed).
pub fn token_holdings(accounts: &[KeyedTokenAccount]) -> Vec<TokenHolding> {
    accounts
        .iter()
        .filter_map(|keyed| {
            let info = keyed.account.data.get("parsed")?.get("info")?;
            let amount = info.get("tokenAmount")?;
            Some(TokenHolding {
                account: keyed.pubkey.clone(),
                mint: str_field(info, "mint")?,
                amount: amount.get("amount")?.as_str()?.parse().ok()?,
                decimals: u8::try_from(amount.get("decimals")?.as_u64()?).ok()?,
            })
        })
        .collect()
}

struct InstructionReader<'a> {
    token_owner: &'a HashMap<&'a str, (&'a str, &'a str, u8)>,
    programs: Vec<String>,
    instruction_kinds: Vec<String>,
    memos: Vec<String>,
    transfers: Vec<Transfer>,
    events: Vec<Event>,
    compute: ComputeBudget,
}

impl InstructionReader<'_> {
    fn read(&mut self, ix: &Instruction, top_level: bool) {
        let program_id = ix.program_id();
        if !self.programs.iter().any(|p| p == program_id) {
            self.programs.push(program_id.to_owned());
        }
        match ix {
            Instruction::Raw(raw) => {
                if raw.program_id == programs::COMPUTE_BUDGET {
                    self.read_compute_budget(raw);
                }
                self.instruction_kinds.push(format!("{}:raw", programs::short_name(program_id)));
            }
            Instruction::Parsed(parsed) => {
                if let Value::String(memo) = &parsed.parsed {
                    // spl-memo parses to the memo text itself.
                    self.memos.push(memo.clone());
                    self.instruction_kinds.push(format!("{}:memo", parsed.program));
                    return;
                }
                let kind = parsed.parsed.get("type").and_then(Value::as_str).unwrap_or("unknown");
                self.instruction_kinds.push(format!("{}:{kind}", parsed.program));
                if let Some(info) = parsed.parsed.get("info") {
                    self.read_parsed(&parsed.program, kind, info, top_level);
                }
            }
        }
    }

    fn read_compute_budget(&mut self, raw: &RawInstruction) {
        let Ok(data) = bs58::decode(&raw.data).into_vec() else {
            return;
        };
        match data.as_slice() {
            [2, rest @ ..] if rest.len() >= 4 => {
                let limit = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
                self.compute.unit_limit = Some(limit);
            }
            [3, rest @ ..] if rest.len() >= 8 => {
                let price = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes"));
                self.compute.unit_price_micro_lamports = Some(price);
            }
            _ => {}
        }
    }

    fn owner_of_token_account<'s>(&'s self, account: &'s str) -> &'s str {
        self.token_owner.get(account).map_or(account, |(owner, _, _)| owner)
    }

    fn read_parsed(&mut self, program: &str, kind: &str, info: &Value, top_level: bool) {
        match (program, kind) {
            ("system", "transfer" | "transferWithSeed") => {
                if let (Some(from), Some(to), Some(lamports)) = (
                    str_field(info, "source"),
                    str_field(info, "destination"),
                    info.get("lamports").and_then(Value::as_u64),
                ) {
                    self.transfers.push(Transfer {
                        from,
                        to,
                        amount: lamports,
                        mint: None,
                        decimals: 9,
                        top_level,
                    });
                }
            }
            ("system", "createAccount" | "createAccountWithSeed") => {
                if let (Some(source), Some(new_account), Some(lamports), Some(owner_program)) = (
                    str_field(info, "source"),
                    str_field(info, "newAccount"),
                    info.get("lamports").and_then(Value::as_u64),
                    str_field(info, "owner"),
                ) {
                    self.events.push(Event::AccountCreated { source, new_account, lamports, owner_program });
                }
            }
            ("spl-token" | "spl-token-2022", "transfer" | "transferChecked") => {
                self.read_token_transfer(info, top_level);
            }
            ("spl-token" | "spl-token-2022", "closeAccount") => {
                if let (Some(account), Some(destination)) =
                    (str_field(info, "account"), str_field(info, "destination"))
                {
                    let owner = str_field(info, "owner")
                        .or_else(|| str_field(info, "multisigOwner"))
                        .unwrap_or_default();
                    self.events.push(Event::TokenAccountClosed { account, destination, owner });
                }
            }
            ("spl-token" | "spl-token-2022", "initializeMint" | "initializeMint2") => {
                if let Some(mint) = str_field(info, "mint") {
                    self.events.push(Event::MintInitialized {
                        mint,
                        mint_authority: str_field(info, "mintAuthority"),
                        decimals: info
                            .get("decimals")
                            .and_then(Value::as_u64)
                            .and_then(|d| u8::try_from(d).ok())
                            .unwrap_or(0),
                    });
                }
            }
            ("spl-token" | "spl-token-2022", "mintTo" | "mintToChecked") => {
                let amount = info
                    .get("tokenAmount")
                    .and_then(|t| t.get("amount"))
                    .or_else(|| info.get("amount"))
                    .and_then(Value::as_str)
                    .and_then(|a| a.parse().ok());
                let authority =
                    str_field(info, "mintAuthority").or_else(|| str_field(info, "multisigMintAuthority"));
                if let (Some(mint), Some(account), Some(authority), Some(amount)) =
                    (str_field(info, "mint"), str_field(info, "account"), authority, amount)
                {
                    self.events.push(Event::TokensMinted { mint, account, authority, amount });
                }
            }
            (
                "spl-token" | "spl-token-2022",
                "initializeAccount" | "initializeAccount2" | "initializeAccount3",
            ) => {
                // A plain (non-associated) token account: its rent was paid by
                // whoever funded the `createAccount` just before it.
                let (Some(account), Some(owner)) = (str_field(info, "account"), str_field(info, "owner"))
                else {
                    return;
                };
                let payer = self.events.iter().rev().find_map(|event| match event {
                    Event::AccountCreated { source, new_account, .. } if *new_account == account => {
                        Some(source.clone())
                    }
                    _ => None,
                });
                if let Some(payer) = payer {
                    self.events.push(Event::TokenAccountCreated {
                        account,
                        owner,
                        mint: str_field(info, "mint"),
                        payer,
                    });
                }
            }
            ("spl-associated-token-account", "create" | "createIdempotent") => {
                if let (Some(account), Some(owner), Some(payer)) =
                    (str_field(info, "account"), str_field(info, "wallet"), str_field(info, "source"))
                {
                    self.events.push(Event::TokenAccountCreated {
                        account,
                        owner,
                        mint: str_field(info, "mint"),
                        payer,
                    });
                }
            }
            ("stake", "delegate") => {
                if let (Some(stake_account), Some(vote_account)) =
                    (str_field(info, "stakeAccount"), str_field(info, "voteAccount"))
                {
                    self.events.push(Event::StakeDelegated {
                        stake_account,
                        vote_account,
                        authority: str_field(info, "stakeAuthority").unwrap_or_default(),
                    });
                }
            }
            _ => {}
        }
    }

    fn read_token_transfer(&mut self, info: &Value, top_level: bool) {
        let (Some(source), Some(destination)) = (str_field(info, "source"), str_field(info, "destination"))
        else {
            return;
        };
        // transferChecked carries the amount and mint; plain transfer only a
        // raw amount string, so the mint comes from the token balances.
        let (amount, mint, decimals) = match info.get("tokenAmount") {
            Some(token_amount) => (
                token_amount.get("amount").and_then(Value::as_str).and_then(|a| a.parse().ok()),
                str_field(info, "mint"),
                token_amount.get("decimals").and_then(Value::as_u64).map(|d| d as u8),
            ),
            None => (info.get("amount").and_then(Value::as_str).and_then(|a| a.parse().ok()), None, None),
        };
        let Some(amount) = amount else { return };
        let known = self.token_owner.get(source.as_str()).or(self.token_owner.get(destination.as_str()));
        let mint = mint.or_else(|| known.map(|(_, mint, _)| (*mint).to_owned()));
        let decimals = decimals.or_else(|| known.map(|(_, _, d)| *d)).unwrap_or(0);
        let from = str_field(info, "authority")
            .or_else(|| str_field(info, "multisigAuthority"))
            .unwrap_or_else(|| self.owner_of_token_account(&source).to_owned());
        let to = self.owner_of_token_account(&destination).to_owned();
        self.transfers.push(Transfer {
            from,
            to,
            amount,
            mint: Some(mint.unwrap_or_else(|| "unknown".to_owned())),
            decimals,
            top_level,
        });
    }
}

fn str_field(info: &Value, key: &str) -> Option<String> {
    info.get(key).and_then(Value::as_str).map(str::to_owned)
}
