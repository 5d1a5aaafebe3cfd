//! `kimiko`: the web server, worker and scheduler in one process, plus the
//! command line. Everything lives in the library; this only starts it.

use clap::Parser as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = kimiko::cli::Cli::parse();
    match kimiko::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kimiko: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
