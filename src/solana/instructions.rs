//! Reads one transaction's parsed instructions (top-level, then inner) into
//! the analysis model: transfers between owners, memos, typed events and
//! compute-budget settings.
//!
//! Token accounts are resolved to their owners from everything the
//! transaction says about them — the node's token balances, and the
//! instructions that open, initialise or close them — because an account
//! opened and closed in one transaction (the wSOL account of a swap) appears
//! in no token balance at all.

use std::collections::HashMap;

use serde_json::Value;

use super::wire::{Instruction, RawInstruction};
use crate::domain::history::{ComputeBudget, Event, Transfer};
use crate::domain::programs;

/// Token account → (owner, mint, decimals) as far as the transaction tells.
#[derive(Default)]
pub struct TokenAccounts<'a> {
    owners: HashMap<&'a str, &'a str>,
    mints: HashMap<&'a str, (&'a str, u8)>,
}

impl<'a> TokenAccounts<'a> {
    /// From the node's pre/post token balances (already resolved to keys).
    pub fn record_balance(&mut self, account: &'a str, owner: Option<&'a str>, mint: &'a str, decimals: u8) {
        if let Some(owner) = owner {
            self.owners.insert(account, owner);
        }
        self.mints.insert(account, (mint, decimals));
    }

    /// From instructions that name an account's owner: associated-account
    /// creation, `initializeAccount*`, `closeAccount`. Balances win: they
    /// are the node's own record.
    pub fn learn_from(&mut self, ix: &'a Instruction) {
        let Instruction::Parsed(parsed) = ix else { return };
        let Some(info) = parsed.parsed.get("info") else { return };
        let kind = parsed.parsed.get("type").and_then(Value::as_str).unwrap_or_default();
        // A stake account's lamports are its withdraw authority's: what is
        // withdrawn from it comes from that person, not from an account.
        if parsed.program == "stake"
            && let Some(stake) = info.get("stakeAccount").and_then(Value::as_str)
        {
            let owner = match kind {
                "initialize" => info.get("authorized").and_then(|a| a.get("withdrawer")),
                "initializeChecked" => info.get("withdrawer"),
                "withdraw" => info.get("withdrawAuthority"),
                _ => None,
            };
            if let Some(owner) = owner.and_then(Value::as_str) {
                self.owners.entry(stake).or_insert(owner);
            }
            return;
        }
        let (account, owner) = match (parsed.program.as_str(), kind) {
            ("spl-associated-token-account", "create" | "createIdempotent") => ("account", "wallet"),
            (
                "spl-token" | "spl-token-2022",
                "initializeAccount" | "initializeAccount2" | "initializeAccount3" | "closeAccount",
            ) => ("account", "owner"),
            _ => return,
        };
        if let (Some(account), Some(owner)) =
            (info.get(account).and_then(Value::as_str), info.get(owner).and_then(Value::as_str))
        {
            self.owners.entry(account).or_insert(owner);
        }
    }

    /// The owner of `account` when it is a token account the transaction
    /// told us about; otherwise `account` itself (a wallet, or unknown).
    pub fn owner_of<'s>(&'s self, account: &'s str) -> &'s str {
        self.owners.get(account).copied().unwrap_or(account)
    }

    fn is_known(&self, account: &str) -> bool {
        self.owners.contains_key(account)
    }

    fn mint_of(&self, account: &str) -> Option<(&'a str, u8)> {
        self.mints.get(account).copied()
    }
}

/// An associated-token-account instruction, held back until the whole
/// transaction is read: whether it created anything shows only in its inner
/// instructions.
struct AssociatedCreate {
    account: String,
    owner: String,
    mint: Option<String>,
    payer: String,
    idempotent: bool,
}

/// A token account initialised in this transaction, with whoever funded
/// its `createAccount` when that was seen.
struct Initialised {
    account: String,
    owner: String,
    mint: Option<String>,
    payer: Option<String>,
}

pub struct InstructionReader<'a> {
    pub token_accounts: &'a TokenAccounts<'a>,
    pub programs: Vec<String>,
    pub instruction_kinds: Vec<String>,
    pub memos: Vec<String>,
    pub transfers: Vec<Transfer>,
    pub events: Vec<Event>,
    pub compute: ComputeBudget,
    associated: Vec<AssociatedCreate>,
    initialised: Vec<Initialised>,
}

impl<'a> InstructionReader<'a> {
    pub fn new(token_accounts: &'a TokenAccounts<'a>) -> Self {
        Self {
            token_accounts,
            programs: Vec::new(),
            instruction_kinds: Vec::new(),
            memos: Vec::new(),
            transfers: Vec::new(),
            events: Vec::new(),
            compute: ComputeBudget::default(),
            associated: Vec::new(),
            initialised: Vec::new(),
        }
    }

    pub fn read(&mut self, ix: &Instruction, top_level: bool) {
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
                    // spl-memo parses to the memo text itself. Only a
                    // top-level memo is the signers' own text; one a program
                    // writes from inside another instruction is not.
                    if top_level {
                        self.memos.push(memo.clone());
                    }
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

    /// Settles what could only be decided once every instruction was read:
    /// one "token account created" event per account really created.
    /// `inner_known` says whether the node sent inner instructions at all;
    /// `was_empty` whether an account held no lamports before.
    pub fn finish(&mut self, inner_known: bool, was_empty: impl Fn(&str) -> bool) {
        let mut created: Vec<Event> = Vec::new();
        for create in &self.associated {
            let initialised = self.initialised.iter().any(|i| i.account == create.account);
            // A plain `create` fails on an existing account, so it created
            // one; `createIdempotent` did only if the account was initialised
            // here (or, with no inner instructions to tell, was empty before).
            let really = !create.idempotent || initialised || (!inner_known && was_empty(&create.account));
            if really {
                created.push(Event::TokenAccountCreated {
                    account: create.account.clone(),
                    owner: create.owner.clone(),
                    mint: create.mint.clone(),
                    payer: create.payer.clone(),
                });
            }
        }
        for init in &self.initialised {
            if self.associated.iter().any(|a| a.account == init.account) {
                continue;
            }
            if let Some(payer) = &init.payer {
                created.push(Event::TokenAccountCreated {
                    account: init.account.clone(),
                    owner: init.owner.clone(),
                    mint: init.mint.clone(),
                    payer: payer.clone(),
                });
            }
        }
        self.events.extend(created);
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

    fn read_parsed(&mut self, program: &str, kind: &str, info: &Value, top_level: bool) {
        match (program, kind) {
            ("system", "transfer" | "transferWithSeed") => {
                if let (Some(from), Some(to), Some(lamports)) = (
                    str_field(info, "source"),
                    str_field(info, "destination"),
                    info.get("lamports").and_then(Value::as_u64),
                ) {
                    // SOL sent into a token account (wrapping SOL) goes to
                    // that account's owner: into the wallet's own wSOL
                    // account it is no payment at all.
                    self.transfers.push(Transfer {
                        from: self.token_accounts.owner_of(&from).to_owned(),
                        to: self.token_accounts.owner_of(&to).to_owned(),
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
            ("spl-token" | "spl-token-2022", "transfer" | "transferChecked" | "transferCheckedWithFee") => {
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
                let (Some(account), Some(owner)) = (str_field(info, "account"), str_field(info, "owner"))
                else {
                    return;
                };
                // Its rent was paid by whoever funded the `createAccount`
                // just before it.
                let payer = self.events.iter().rev().find_map(|event| match event {
                    Event::AccountCreated { source, new_account, .. } if *new_account == account => {
                        Some(source.clone())
                    }
                    _ => None,
                });
                self.initialised.push(Initialised { account, owner, mint: str_field(info, "mint"), payer });
            }
            ("spl-associated-token-account", "create" | "createIdempotent") => {
                if let (Some(account), Some(owner), Some(payer)) =
                    (str_field(info, "account"), str_field(info, "wallet"), str_field(info, "source"))
                {
                    self.associated.push(AssociatedCreate {
                        account,
                        owner,
                        mint: str_field(info, "mint"),
                        payer,
                        idempotent: kind == "createIdempotent",
                    });
                }
            }
            ("stake", "initialize" | "initializeChecked") => {
                let authorized = info.get("authorized").unwrap_or(info);
                if let (Some(stake_account), Some(staker), Some(withdrawer)) = (
                    str_field(info, "stakeAccount"),
                    str_field(authorized, "staker"),
                    str_field(authorized, "withdrawer"),
                ) {
                    self.events.push(Event::StakeAccountInitialized { stake_account, staker, withdrawer });
                }
            }
            ("stake", "withdraw") => {
                if let (Some(stake), Some(to), Some(lamports)) = (
                    str_field(info, "stakeAccount"),
                    str_field(info, "destination"),
                    info.get("lamports").and_then(Value::as_u64),
                ) {
                    self.transfers.push(Transfer {
                        from: self.token_accounts.owner_of(&stake).to_owned(),
                        to: self.token_accounts.owner_of(&to).to_owned(),
                        amount: lamports,
                        mint: None,
                        decimals: 9,
                        top_level,
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
        // transferChecked (and transferCheckedWithFee, whose tokenAmount is
        // what left the source) carries the amount and mint; plain transfer
        // only a raw amount string, so the mint comes from the token balances.
        let (amount, mint, decimals) = match info.get("tokenAmount") {
            Some(token_amount) => (
                token_amount.get("amount").and_then(Value::as_str).and_then(|a| a.parse().ok()),
                str_field(info, "mint"),
                token_amount.get("decimals").and_then(Value::as_u64).and_then(|d| u8::try_from(d).ok()),
            ),
            None => (info.get("amount").and_then(Value::as_str).and_then(|a| a.parse().ok()), None, None),
        };
        let Some(amount) = amount else { return };
        let known =
            self.token_accounts.mint_of(&source).or_else(|| self.token_accounts.mint_of(&destination));
        let mint = mint.or_else(|| known.map(|(mint, _)| mint.to_owned()));
        let decimals = decimals.or_else(|| known.map(|(_, d)| d)).unwrap_or(0);
        // The funds leave the source account's owner, whoever signed: a
        // delegate (a DCA program, a drainer) moves the owner's tokens.
        let from = if self.token_accounts.is_known(&source) {
            self.token_accounts.owner_of(&source).to_owned()
        } else {
            str_field(info, "authority").or_else(|| str_field(info, "multisigAuthority")).unwrap_or(source)
        };
        let to = self.token_accounts.owner_of(&destination).to_owned();
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
