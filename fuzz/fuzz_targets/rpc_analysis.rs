//! Arbitrary JSON as the Solana RPC might send it — one JSON-RPC envelope
//! or a batch — decoded into the wire types the client uses, normalised and
//! analysed, then rendered into the report mail. Nothing may panic, the
//! score stays in 0..=100, and no on-chain text reaches the mail's HTML
//! unescaped.
#![no_main]

use std::sync::OnceLock;

use kimiko::domain::history::WalletHistory;
use kimiko::analysis::{Labels, analyze};
use kimiko::email::templates;
use kimiko::solana::normalize;
use kimiko::solana::wire::{EncodedTransaction, Envelope, KeyedTokenAccount, SignatureStatus, WithContext};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The wallet the fixtures in `seeds/rpc_analysis` are about.
const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";

fn labels() -> &'static Labels {
    static LABELS: OnceLock<Labels> = OnceLock::new();
    LABELS.get_or_init(Labels::shipped)
}

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
    serde_json::from_value(value.clone()).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let mut history = WalletHistory {
        wallet: WALLET.to_owned(),
        signatures: Vec::new(),
        transactions: Vec::new(),
        history_truncated: false,
        balance_lamports: None,
        token_accounts: Vec::new(),
        token_account_reads: Default::default(),
    };
    for item in items {
        let Ok(envelope) = serde_json::from_value::<Envelope>(item) else {
            continue;
        };
        let Some(result) = envelope.result else {
            continue;
        };
        if let Some(statuses) = decode::<Vec<SignatureStatus>>(&result) {
            history.signatures.extend(statuses.iter().map(normalize::signature_info));
        } else if let Some(tx) = decode::<EncodedTransaction>(&result) {
            history.transactions.push(normalize::transaction(WALLET, &tx));
        } else if let Some(balance) = decode::<WithContext<u64>>(&result) {
            history.balance_lamports = Some(balance.value);
        } else if let Some(tokens) = decode::<WithContext<Vec<KeyedTokenAccount>>>(&result) {
            history.token_accounts = normalize::token_holdings(&tokens.value);
        }
    }
    let report = analyze(&history, labels(), 1_790_812_800);
    assert!(report.score <= 100);
    serde_json::to_string(&report).expect("a report serialises");
    let mail = templates::report_ready(&report, "https://kimiko.example/report/x", 1_790_899_200, "https://kimiko.example");
    assert!(!mail.html.contains("<script"), "markup from the chain reached the mail");
});
