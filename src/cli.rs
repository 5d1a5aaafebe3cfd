//! `kimiko serve | analyze | jobs | cron`: the command line, sharing every
//! engine with the server.
//!
//! Layer: the top, beside `main`; may import every module.

use std::io::Write as _;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tokio::sync::watch;

use crate::analysis;
use crate::config::settings::Settings;
use crate::domain::{JobPhase, JobStatus, PublishedReport, Severity, WalletOrName};
use crate::jobs::scheduler;
use crate::server::startup::{self, Application, Overrides};
use crate::server::telemetry;
use crate::service::neighbourhood::{Limits, follow_links};
use crate::solana::client::Pace;
use crate::solana::{Progress, fetch_history, sns};
use crate::storage;

#[derive(Parser, Debug)]
#[command(name = "kimiko", version, about = "How exposed is your Solana wallet?")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server, the worker and the scheduler (the default).
    Serve,
    /// Fetch and analyse one wallet now and print the report.
    Analyze {
        /// A wallet address, or a .sol name (resolved on chain first).
        wallet: String,
        /// Print the report as JSON, exactly as `GET /api/reports/{wallet}` serves it.
        #[arg(long)]
        json: bool,
    },
    /// Inspect and re-queue jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// List or run the scheduled housekeeping tasks.
    Cron {
        #[command(subcommand)]
        command: CronCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// List recent jobs, newest first.
    List {
        /// queued, running, succeeded or dead
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Re-queue a dead job (or every dead job with --dead).
    Retry {
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        dead: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CronCommand {
    /// Show each task, its schedule and when it next runs.
    List,
    /// Run one task now.
    Run { task: String },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_json);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Analyze { wallet, json } => analyze(settings, &wallet, json).await,
        Command::Jobs { command } => jobs(settings, command).await,
        Command::Cron { command } => cron(settings, command).await,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested");
        let _ = stop.send(true);
    });
    app.run(stopped, true).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

async fn analyze(settings: Settings, wallet: &str, json: bool) -> anyhow::Result<()> {
    let wallet = WalletOrName::parse(wallet).map_err(|e| anyhow::anyhow!("{e}"))?;
    let labels = startup::load_labels(&settings)?;
    let rpc = settings.rpc_client();
    // A name is resolved on chain first, as the form does (without its cache).
    let (wallet, name) = match wallet {
        WalletOrName::Address(wallet) => (wallet, None),
        WalletOrName::Name(name) => match sns::resolve(&rpc, &name).await {
            Ok(resolved) => {
                eprintln!("{name} → {} ({})", resolved.wallet, resolved.via.describe());
                (resolved.wallet, Some(name))
            }
            Err(error) if error.is_about_the_name() => anyhow::bail!("{error}"),
            Err(error) => return Err(error).context("Failed to look up the .sol name"),
        },
    };
    // The provider's pace says how long the rest takes when it holds us back.
    let progress = |p: Progress| progress_bar(p, rpc.pace(p.total.saturating_sub(p.done)));
    let (history, gaps) = fetch_history(&rpc, &wallet, settings.history_cap, &progress)
        .await
        .context("Failed to fetch the wallet's history")?;
    eprintln!();
    let now = crate::storage::now_ms();
    // No database here: every lookup comes from the network.
    let neighbourhood =
        follow_links(&rpc, None, &labels, &history, Limits::from_settings(&settings), now, &progress).await;
    eprintln!();
    let mut report = analysis::analyze_with(&history, &neighbourhood, &labels, now / 1000);
    report.reached_via = name.map(|name| name.to_string());
    let published = PublishedReport {
        report,
        created_at: now / 1000,
        expires_at: (now + settings.report_ttl.as_millis() as i64) / 1000,
        revision: 0,
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &published)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &published)?;
        if gaps.missing + gaps.unsupported_version > 0 {
            writeln!(
                out,
                "\nNote: {} transaction(s) were no longer available and {} used an unsupported version.",
                gaps.missing, gaps.unsupported_version
            )?;
        }
    }
    Ok(())
}

fn progress_bar(progress: Progress, pace: Pace) {
    const WIDTH: u32 = 30;
    let filled = (progress.done * WIDTH).checked_div(progress.total).unwrap_or(0).min(WIDTH);
    let (phase, unit) = match progress.phase {
        JobPhase::Fetching => ("Fetching", " transactions"),
        JobPhase::FollowingLinks => ("Following links", ""),
    };
    let wait = match pace.eta.filter(|_| pace.waiting) {
        Some(eta) => format!(", provider's rate limit: about {} s left   ", eta.as_secs_f64().ceil()),
        None => String::new(),
    };
    eprint!(
        "\r{phase} [{}{}] {}/{}{unit}{wait}",
        "#".repeat(filled as usize),
        ".".repeat((WIDTH - filled) as usize),
        progress.done,
        progress.total
    );
}

fn print_report(out: &mut impl std::io::Write, published: &PublishedReport) -> std::io::Result<()> {
    let report = &published.report;
    writeln!(out, "Wallet  {}", report.wallet)?;
    if let Some(name) = &report.reached_via {
        writeln!(out, "Name    {name}")?;
    }
    writeln!(out, "Score   {}/100  (grade {})", report.score, report.grade.as_str())?;
    writeln!(out, "        {}", report.summary)?;
    writeln!(
        out,
        "Window  {} of {}{} transactions analysed",
        report.transactions_analyzed,
        report.transactions_found,
        if report.history_truncated { "+" } else { "" }
    )?;
    for severity in Severity::ALL {
        for finding in report.findings_with(severity) {
            writeln!(
                out,
                "\n[{}] {}  (−{}, {}% confidence)",
                severity.label().to_uppercase(),
                finding.title,
                finding.penalty,
                finding.confidence
            )?;
            writeln!(out, "    id: {}", finding.id)?;
            writeln!(out, "    {}", finding.explanation)?;
            for evidence in &finding.evidence {
                let detail = evidence.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                writeln!(out, "      - {}: {}{detail}", evidence.label, evidence.value)?;
            }
            writeln!(out, "    What to do: {}", finding.recommendation)?;
        }
    }
    Ok(())
}

async fn jobs(settings: Settings, command: JobsCommand) -> anyhow::Result<()> {
    let state = startup::build_state(settings, Overrides::default()).await?;
    let now = state.clock.now_ms();
    match command {
        JobsCommand::List { status, limit } => {
            let status = status
                .map(|s| {
                    JobStatus::parse(&s)
                        .with_context(|| format!("unknown status '{s}' (queued, running, succeeded, dead)"))
                })
                .transpose()?;
            let rows = storage::jobs::list(&state.db, status, limit).await?;
            println!("{:<24} {:<10} {:>8} {:<44} LAST ERROR", "ID", "STATUS", "ATTEMPTS", "WALLET");
            for row in rows {
                println!(
                    "{:<24} {:<10} {:>8} {:<44} {}",
                    row.id,
                    row.status,
                    format!("{}/{}", row.attempts, row.max_attempts),
                    row.wallet,
                    row.last_error.unwrap_or_default()
                );
            }
        }
        JobsCommand::Retry { id: Some(id), .. } => {
            let outcome =
                storage::jobs::requeue_dead(&state.db, &id, state.settings.max_attempts, now).await?;
            match outcome {
                storage::jobs::RequeueOutcome::Requeued => println!("re-queued {id}"),
                storage::jobs::RequeueOutcome::NotFound => anyhow::bail!("no job {id}"),
                storage::jobs::RequeueOutcome::NotDead(status) => {
                    anyhow::bail!("job {id} is {status}, not dead")
                }
                storage::jobs::RequeueOutcome::AddressErased => {
                    anyhow::bail!("job {id} is past the dead-letter window: its address was erased")
                }
            }
        }
        JobsCommand::Retry { id: None, dead: true } => {
            let count = storage::jobs::requeue_all_dead(&state.db, state.settings.max_attempts, now).await?;
            println!("re-queued {count} dead job(s)");
        }
        JobsCommand::Retry { id: None, dead: false } => {
            anyhow::bail!("give a job id, or --dead for every dead job")
        }
    }
    state.db.close().await;
    Ok(())
}

async fn cron(settings: Settings, command: CronCommand) -> anyhow::Result<()> {
    match command {
        CronCommand::List => {
            let now = chrono::Utc::now();
            println!("{:<20} {:<14} {:<22} WHAT", "TASK", "SCHEDULE", "NEXT RUN (UTC)");
            for task in scheduler::TASKS {
                let next = scheduler::next_run(task, now).format("%Y-%m-%d %H:%M");
                println!("{:<20} {:<14} {:<22} {}", task.name, task.schedule, next, task.about);
            }
            Ok(())
        }
        CronCommand::Run { task } => {
            let known: Vec<&str> = scheduler::TASKS.iter().map(|t| t.name).collect();
            let task = scheduler::find(&task)
                .with_context(|| format!("no task '{task}'; tasks: {}", known.join(", ")))?;
            let state = startup::build_state(settings, Overrides::default()).await?;
            let summary = (task.run)(&state).await?;
            println!("{}: {summary}", task.name);
            state.db.close().await;
            Ok(())
        }
    }
}
