//! A mock Solana JSON-RPC server serving the demo scenarios, for the
//! end-to-end suite and for trying Kimiko without mainnet:
//!
//!     cargo run --example mock_rpc --features testing -- 127.0.0.1:8899 scenarios.json
//!
//! Writes `{ "exposed": "<wallet>", "careful": …, "empty": … }` to the given
//! file once it is listening, then serves until killed. Requests about the
//! `slow` wallet are answered after 4 s, so its job can be watched live.
//!
//! Options after the file, to try Kimiko against a provider's behaviour:
//! `--limits public[/SCALE]` enforces the public endpoint's documented
//! limits (windows shortened SCALE times), `--no-retry-after` leaves
//! `Retry-After` out of its 429s, `--transactions-for-address` answers
//! `getTransactionsForAddress` as Helius does.
//! The name `kimiko-demo.sol` resolves to the `exposed` wallet.

use std::net::SocketAddr;

use kimiko::solana::client::Limits;
use kimiko::testing::MockRpc;
use kimiko::testing::mock_limits::Enforced;
use kimiko::testing::scenarios::demo_chain;

/// The demo name, owned by the `exposed` wallet.
const DEMO_NAME: &str = "kimiko-demo.sol";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = match args.next().unwrap_or_else(|| "127.0.0.1:8899".into()).parse() {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("mock_rpc: bad listen address: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (mut chain, scenarios) = demo_chain();
    // A .sol name for the exposed wallet, so names can be tried (and the
    // browser tests can type one): `kimiko-demo.sol`.
    if let Some(exposed) = scenarios.iter().find(|s| s.name == "exposed") {
        kimiko::testing::sns::register(&mut chain, DEMO_NAME, &exposed.wallet);
    }
    let rpc = MockRpc::start_on(addr, chain).await;
    // The "slow" wallet's requests take a while, so a job for it can be
    // watched as it runs.
    for scenario in scenarios.iter().filter(|s| s.name == "slow") {
        rpc.slow_for(&scenario.wallet, std::time::Duration::from_secs(4));
    }
    let path = args.next();
    let mut limits = None;
    let mut retry_after = true;
    let options: Vec<String> = args.collect();
    let mut options = options.iter();
    while let Some(option) = options.next() {
        match option.as_str() {
            "--limits" => {
                let scale = match options.next().map(String::as_str) {
                    Some("public") => 1,
                    Some(text) => match text.strip_prefix("public/").and_then(|s| s.parse().ok()) {
                        Some(scale) => scale,
                        None => {
                            eprintln!("mock_rpc: --limits takes public or public/SCALE");
                            return std::process::ExitCode::FAILURE;
                        }
                    },
                    None => 1,
                };
                limits = Some(Limits::PUBLIC_MAINNET.time_scaled(scale));
            }
            "--no-retry-after" => retry_after = false,
            "--transactions-for-address" => rpc.serve_transactions_for_address(true),
            other => {
                eprintln!("mock_rpc: unknown option {other}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    rpc.enforce_limits(limits.map(|limits| Enforced { limits, retry_after }));
    let wallets: serde_json::Map<String, serde_json::Value> =
        scenarios.iter().map(|s| (s.name.to_owned(), s.wallet.clone().into())).collect();
    let json = serde_json::Value::Object(wallets).to_string();
    if let Some(path) = path {
        let path = std::path::PathBuf::from(path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(error) = std::fs::write(&path, &json) {
            eprintln!("mock_rpc: cannot write {}: {error}", path.display());
            return std::process::ExitCode::FAILURE;
        }
    }
    println!("mock Solana RPC on {} serving {json}", rpc.url());
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
