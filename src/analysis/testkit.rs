//! Fixtures for the analysis tests, built so a test reads like the story it
//! tells: `wallet().receives_sol_from(BINANCE, 2.5).memo("hi").build()`.
//!
//! Each `receives…`/`sends…`/`signs` call starts a new transaction; the
//! calls after it (`at`, `memo`, `fee_paid_by`, …) change that transaction.

use super::address::is_program_derived;
use super::{Labels, analyze};
use crate::domain::history::{
    ComputeBudget, Event, SignatureInfo, TokenHolding, Transaction, Transfer, TxVersion, WalletHistory,
};
use crate::domain::programs;
use crate::domain::{Finding, Report};

/// 2026-10-01 00:00:00 UTC: where fixture time starts.
pub const START: i64 = 1_790_812_800;
/// Default spacing between fixture transactions: just over an hour, so a
/// long enough history touches every hour of the day.
pub const STEP: i64 = 3_671;
pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// Labelled in the shipped `labels.json`.
pub const BINANCE: &str = "5tzFkiKscXHK5ZXCGbXZxdw7gTjjD1mBwuoFbhUvuAi9";
pub const WORMHOLE_TOKEN_BRIDGE: &str = "wormDTUJ6AWPNvk59vGQbDvGJmqbDTdgWgAqcLBCgUb";
pub const PRIVACY_CASH: &str = "9fhQBbumKEFuXtMBDw8AaQyAjCorLGJQiS3skWZdQyQD";
pub const JITO_TIP: &str = "96gYZGLnJYVFmbjzopPSU6QiEV5fGqZNyN9nmNhvrZU5";
/// The fee payer of Key App's (P2P.org) gasless fee relayer.
pub const KEY_APP_RELAYER: &str = "HkLNnxTFst1oLrKAJc3w6Pq8uypRnqLMrC68iBP6qUPu";
pub const USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";

/// A distinct wallet address for fixture number `n`: on the ed25519 curve,
/// like every keypair's public key.
pub fn addr(n: u8) -> String {
    fixture_address(n, |a| !is_program_derived(a))
}

/// A distinct program-derived address (off the curve: a pool vault, a
/// bonding curve, an escrow) for fixture number `n`.
pub fn pda(n: u8) -> String {
    fixture_address(n, is_program_derived)
}

/// `[tag, n, n, …, n]` for the first tag from 0xA5 whose address `wanted`
/// accepts; distinct `n` give distinct addresses whatever the tag.
fn fixture_address(n: u8, wanted: impl Fn(&str) -> bool) -> String {
    (0xA5..=0xFF)
        .chain(0..0xA5)
        .map(|tag| {
            let mut bytes = [n; 32];
            bytes[0] = tag;
            bs58::encode(bytes).into_string()
        })
        .find(|address| wanted(address))
        .expect("half of all tags fit")
}

/// The analysed wallet.
pub fn me() -> String {
    addr(1)
}

/// An address that shares the first and last four characters of `real`:
/// what an address-poisoning attacker grinds for.
pub fn lookalike(real: &str) -> String {
    let chars: Vec<char> = real.chars().collect();
    let middle: String =
        chars[4..chars.len() - 4].iter().map(|c| if *c == 'x' { 'y' } else { 'x' }).collect();
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{middle}{tail}")
}

pub fn lamports(sol: f64) -> u64 {
    (sol * 1e9).round() as u64
}

pub fn wallet() -> HistoryBuilder {
    HistoryBuilder { history: WalletHistory { wallet: me(), ..WalletHistory::default() }, txs: Vec::new() }
}

pub struct HistoryBuilder {
    history: WalletHistory,
    /// Oldest first while building.
    txs: Vec<Transaction>,
}

impl HistoryBuilder {
    fn start(mut self, signer: &str) -> Self {
        let index = self.txs.len();
        let time = self.txs.last().and_then(|t| t.block_time).map_or(START, |t| t + STEP);
        self.txs.push(Transaction {
            signature: format!("sig{index:05}"),
            slot: 400_000_000 + index as u64,
            block_time: Some(time),
            version: TxVersion::V0,
            failed: false,
            fee_lamports: 5_000,
            fee_payer: signer.to_owned(),
            signers: vec![signer.to_owned()],
            accounts: vec![signer.to_owned()],
            programs: Vec::new(),
            instruction_kinds: Vec::new(),
            memos: Vec::new(),
            transfers: Vec::new(),
            events: Vec::new(),
            compute: ComputeBudget::default(),
            wallet_lamport_delta: 0,
            wallet_lamports_before: None,
        });
        self
    }

    fn last(&mut self) -> &mut Transaction {
        self.txs.last_mut().expect("start a transaction first (receives…, sends…, signs)")
    }

    fn transfer(mut self, from: &str, to: &str, amount: u64, mint: Option<&str>, decimals: u8) -> Self {
        let tx = self.last();
        let program = if mint.is_some() { programs::TOKEN } else { programs::SYSTEM };
        add_program(tx, program);
        for account in [from, to] {
            if !tx.accounts.iter().any(|a| a == account) {
                tx.accounts.push(account.to_owned());
            }
        }
        tx.transfers.push(Transfer {
            from: from.to_owned(),
            to: to.to_owned(),
            amount,
            mint: mint.map(str::to_owned),
            decimals,
            top_level: true,
        });
        self
    }

    pub fn receives_sol_from(self, from: &str, sol: f64) -> Self {
        let me = me();
        self.start(from).transfer(from, &me, lamports(sol), None, 9)
    }

    pub fn receives_lamports_from(self, from: &str, lamports: u64) -> Self {
        let me = me();
        self.start(from).transfer(from, &me, lamports, None, 9)
    }

    pub fn sends_sol_to(self, to: &str, sol: f64) -> Self {
        let me = me();
        self.start(&me).transfer(&me, to, lamports(sol), None, 9)
    }

    pub fn receives_tokens_from(self, from: &str, mint: &str, amount: u64, decimals: u8) -> Self {
        let me = me();
        self.start(from).transfer(from, &me, amount, Some(mint), decimals)
    }

    pub fn sends_tokens_to(self, to: &str, mint: &str, amount: u64, decimals: u8) -> Self {
        let me = me();
        self.start(&me).transfer(&me, to, amount, Some(mint), decimals)
    }

    /// A transaction the wallet signs and pays for, moving nothing by itself.
    pub fn signs(self) -> Self {
        let me = me();
        self.start(&me)
    }

    /// A transaction someone else signs that touches the wallet.
    pub fn touched_by(self, signer: &str) -> Self {
        let me = me();
        let mut builder = self.start(signer);
        builder.last().accounts.push(me);
        builder
    }

    /// Also sends SOL from the wallet within the same transaction.
    pub fn and_sends_sol_to(self, to: &str, sol: f64) -> Self {
        let me = me();
        self.transfer(&me, to, lamports(sol), None, 9)
    }

    /// Also receives lamports within the same transaction (a leg of a swap,
    /// a refund).
    pub fn and_receives_lamports_from(self, from: &str, lamports: u64) -> Self {
        let me = me();
        self.transfer(from, &me, lamports, None, 9)
    }

    pub fn at(mut self, unix: i64) -> Self {
        self.last().block_time = Some(unix);
        self
    }

    pub fn memo(mut self, text: &str) -> Self {
        let tx = self.last();
        add_program(tx, programs::MEMO);
        tx.memos.push(text.to_owned());
        self
    }

    /// Someone else signs first and pays the fee.
    pub fn fee_paid_by(mut self, payer: &str) -> Self {
        let tx = self.last();
        tx.fee_payer = payer.to_owned();
        tx.signers.retain(|s| s != payer);
        tx.signers.insert(0, payer.to_owned());
        tx.accounts.insert(0, payer.to_owned());
        self
    }

    pub fn cosigned_by(mut self, signer: &str) -> Self {
        let tx = self.last();
        tx.signers.push(signer.to_owned());
        tx.accounts.push(signer.to_owned());
        self
    }

    pub fn invoking(mut self, program: &str) -> Self {
        add_program(self.last(), program);
        self
    }

    pub fn event(mut self, event: Event) -> Self {
        self.last().events.push(event);
        self
    }

    pub fn failed(mut self) -> Self {
        self.last().failed = true;
        self
    }

    /// Marks the transaction's transfers as legs inside a program (a swap).
    pub fn inside_a_program(mut self) -> Self {
        for transfer in &mut self.last().transfers {
            transfer.top_level = false;
        }
        self
    }

    pub fn v1_priority_fee(mut self, lamports: u64) -> Self {
        let tx = self.last();
        tx.version = TxVersion::V1;
        tx.compute = ComputeBudget {
            unit_limit: Some(200_000),
            unit_price_micro_lamports: None,
            priority_fee_lamports: Some(lamports),
        };
        self
    }

    pub fn v0_compute_price(mut self, micro_lamports: u64, limit: u32) -> Self {
        let tx = self.last();
        tx.version = TxVersion::V0;
        add_program(tx, programs::COMPUTE_BUDGET);
        tx.compute = ComputeBudget {
            unit_limit: Some(limit),
            unit_price_micro_lamports: Some(micro_lamports),
            priority_fee_lamports: Some((u64::from(limit) * micro_lamports).div_ceil(1_000_000)),
        };
        self
    }

    /// Calls `step(builder, i)` for `i` in `0..times`.
    pub fn repeat(mut self, times: usize, mut step: impl FnMut(Self, usize) -> Self) -> Self {
        for i in 0..times {
            self = step(self, i);
        }
        self
    }

    pub fn balance_sol(mut self, sol: f64) -> Self {
        self.history.balance_lamports = Some(lamports(sol));
        self
    }

    pub fn holding(mut self, mint: &str, amount: u64, decimals: u8) -> Self {
        let account = addr(200 - self.history.token_accounts.len() as u8);
        self.history.token_accounts.push(TokenHolding { account, mint: mint.to_owned(), amount, decimals });
        self
    }

    /// The wallet had more history than the cap let us read.
    pub fn truncated(mut self) -> Self {
        self.history.history_truncated = true;
        self
    }

    pub fn build(mut self) -> WalletHistory {
        let mut txs = self.txs;
        txs.sort_by_key(|tx| (tx.block_time, tx.slot));
        txs.reverse();
        self.history.signatures = txs.iter().map(SignatureInfo::of).collect();
        self.history.transactions = txs;
        self.history
    }

    /// Builds and analyses with the shipped labels.
    pub fn analyze(self) -> Report {
        report(&self.build())
    }
}

fn add_program(tx: &mut Transaction, program: &str) {
    if !tx.programs.iter().any(|p| p == program) {
        tx.programs.push(program.to_owned());
    }
}

/// A fixed analysis time, so reports are comparable.
pub const ANALYZED_AT: i64 = 1_800_000_000;

pub fn report(history: &WalletHistory) -> Report {
    analyze(history, &Labels::shipped(), ANALYZED_AT)
}

/// The finding `id`, or a panic listing what was found instead.
pub fn expect_finding<'r>(report: &'r Report, id: &str) -> &'r Finding {
    report.finding(id).unwrap_or_else(|| {
        let found: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        panic!("expected {id}, found {found:?}")
    })
}

pub fn expect_no_finding(report: &Report, id: &str) {
    if let Some(finding) = report.finding(id) {
        panic!("{id} fired: {finding:#?}");
    }
}

/// True when some evidence of the finding has `value` (or `detail`) containing `text`.
pub fn has_evidence(finding: &Finding, text: &str) -> bool {
    finding
        .evidence
        .iter()
        .any(|e| e.value.contains(text) || e.detail.as_deref().is_some_and(|d| d.contains(text)))
}
