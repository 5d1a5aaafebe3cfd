//! A private PostgreSQL server for the load benchmark (bench/run.py), the
//! same one the tests start (`kimiko::testing::postgres`):
//!
//!     cargo run --example bench_postgres --features testing -- 2
//!
//! Prints the URLs of that many fresh, empty databases on it, one a line,
//! then waits until its stdin closes. When it ends that way, on SIGTERM or
//! killed, the server stops and its data folder is deleted.

use std::io::Write as _;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let count: usize = match std::env::args().nth(1).map(|n| n.parse()).transpose() {
        Ok(count) => count.unwrap_or(1),
        Err(error) => {
            eprintln!("bench_postgres: the argument is how many databases to make: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    for _ in 0..count {
        // Without a server it panics, saying why.
        let Some(url) = kimiko::testing::postgres::fresh_database().await else {
            eprintln!("bench_postgres: no server ({} is set)", kimiko::testing::postgres::SKIP_VARIABLE);
            return ExitCode::FAILURE;
        };
        let _ = writeln!(stdout, "{url}");
    }
    let _ = stdout.flush();
    // Until the benchmark closes our stdin (or ends, which closes it).
    let _ = tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink())).await;
    ExitCode::SUCCESS
}
