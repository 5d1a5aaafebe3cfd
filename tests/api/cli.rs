//! The command line, run as the real binary: `analyze`, `cron`, `jobs`, and
//! settings errors that name the variable.

use std::process::{Command, Output};

use kimiko::testing::{Chain, MockRpc, scenarios};

fn kimiko(dir: &std::path::Path, rpc: &MockRpc, args: &[&str], extra: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kimiko"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KIMIKO_RPC_URLS", rpc.url().to_string())
        .env("RUST_LOG", "warn")
        .envs(extra.iter().copied())
        .output()
        .expect("run kimiko")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn analyze_prints_the_report_as_text_and_as_the_apis_json() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    let rpc = MockRpc::start(chain).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, wallet) = (dir.path().to_owned(), scenario.wallet.clone());
    let (text, json) = tokio::task::spawn_blocking(move || {
        (
            kimiko(&path, &rpc, &["analyze", &wallet], &[]),
            kimiko(&path, &rpc, &["analyze", &wallet, "--json"], &[]),
        )
    })
    .await
    .unwrap();
    let wallet = &scenario.wallet;
    assert!(text.status.success(), "{}", stderr(&text));
    let printed = stdout(&text);
    assert!(printed.contains(&format!("Wallet  {wallet}")), "{printed}");
    assert!(printed.contains("[HIGH] Direct transfers with an exchange"), "{printed}");
    assert!(printed.contains("What to do:"));
    assert!(stderr(&text).contains("27/27 transactions"), "progress bar on stderr: {}", stderr(&text));

    assert!(json.status.success(), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("stdout is JSON only");
    assert_eq!(report["wallet"], scenario.wallet);
    assert_eq!(report["transactions_analyzed"], 27);
    for key in ["score", "grade", "findings", "summary", "created_at", "expires_at", "analyzer_version"] {
        assert!(!report[key].is_null(), "missing {key}");
    }
}

#[tokio::test]
async fn analyze_takes_a_sol_name_and_refuses_an_unknown_or_malformed_one() {
    let mut chain = Chain::new();
    let scenario = scenarios::exposed_wallet(&mut chain);
    kimiko::testing::sns::register(&mut chain, "cli-name.sol", &scenario.wallet);
    let rpc = MockRpc::start(chain).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (text, json, unknown, malformed, calls) = tokio::task::spawn_blocking(move || {
        let text = kimiko(&path, &rpc, &["analyze", "cli-name.sol"], &[]);
        let json = kimiko(&path, &rpc, &["analyze", "CLI-Name.sol", "--json"], &[]);
        let unknown = kimiko(&path, &rpc, &["analyze", "nobody-here.sol"], &[]);
        let before = rpc.calls();
        let malformed = kimiko(&path, &rpc, &["analyze", "b\u{0430}d.sol"], &[]);
        (text, json, unknown, malformed, rpc.calls() - before)
    })
    .await
    .unwrap();
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).contains(&format!("Wallet  {}", scenario.wallet)), "{}", stdout(&text));
    assert!(stdout(&text).contains("Name    cli-name.sol"), "{}", stdout(&text));
    assert!(stderr(&text).contains(&format!("cli-name.sol → {} (the name's owner)", scenario.wallet)));
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("stdout is JSON only");
    assert_eq!(
        (&report["wallet"], &report["reached_via"]),
        (&serde_json::json!(scenario.wallet), &serde_json::json!("cli-name.sol"))
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("nobody-here.sol is not a registered .sol name."),
        "{}",
        stderr(&unknown)
    );
    assert!(!malformed.status.success());
    assert!(stderr(&malformed).contains("not a plain ASCII letter"), "{}", stderr(&malformed));
    assert_eq!(calls, 0, "a malformed name is never looked up");
}

#[tokio::test]
async fn analyze_refuses_an_invalid_wallet_and_a_dead_rpc_with_clear_errors() {
    let rpc = MockRpc::start(Chain::new()).await;
    rpc.fail_always(kimiko::testing::Fault::Unavailable);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (bad, down) = tokio::task::spawn_blocking(move || {
        let bad = kimiko(&path, &rpc, &["analyze", "0OIl-not-a-wallet"], &[]);
        let wallet = kimiko::testing::chain::address("cli-down");
        let down = kimiko(&path, &rpc, &["analyze", &wallet], &[("KIMIKO_RPC_TIMEOUT_SECS", "1")]);
        (bad, down)
    })
    .await
    .unwrap();
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("can't appear in a Solana address"), "{}", stderr(&bad));
    assert!(!down.status.success());
    assert!(stderr(&down).contains("HTTP 503"), "{}", stderr(&down));
}

/// The file outbox keeps each mail's recipient in its `To:` line, so the
/// scheduled task must really delete what is past its retention (24 hours by
/// default), as the privacy page promises, and leave newer mail alone.
#[tokio::test]
async fn the_outbox_task_deletes_mail_files_past_their_retention_and_keeps_newer_ones() {
    let rpc = MockRpc::start(Chain::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    let day_old = std::time::SystemTime::now() - std::time::Duration::from_secs(25 * 3600);
    for (name, written) in [("old.eml", Some(day_old)), ("new.eml", None), ("notes.txt", Some(day_old))] {
        let file = std::fs::File::create(outbox.join(name)).unwrap();
        std::io::Write::write_all(&mut &file, b"To: someone@example.com\r\n\r\nYour report").unwrap();
        if let Some(written) = written {
            file.set_modified(written).unwrap();
        }
    }
    let (path, outbox_setting) = (dir.path().to_owned(), outbox.display().to_string());
    let run = tokio::task::spawn_blocking(move || {
        kimiko(
            &path,
            &rpc,
            &["cron", "run", "expire-outbox-files"],
            &[("KIMIKO_OUTBOX_DIR", &outbox_setting)],
        )
    })
    .await
    .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("1 outbox file(s) past their retention deleted"), "{}", stdout(&run));
    assert!(!outbox.join("old.eml").exists(), "a mail older than a day is gone");
    assert!(outbox.join("new.eml").exists(), "a mail written just now is kept for its reader");
    assert!(outbox.join("notes.txt").exists(), "only mail files are the outbox's to delete");
}

#[tokio::test]
async fn cron_lists_and_runs_tasks_and_jobs_lists_the_queue() {
    let rpc = MockRpc::start(Chain::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let (list, run, unknown, jobs, retry) = tokio::task::spawn_blocking(move || {
        (
            kimiko(&path, &rpc, &["cron", "list"], &[]),
            kimiko(&path, &rpc, &["cron", "run", "expire-reports"], &[]),
            kimiko(&path, &rpc, &["cron", "run", "nope"], &[]),
            kimiko(&path, &rpc, &["jobs", "list", "--status", "dead"], &[]),
            kimiko(&path, &rpc, &["jobs", "retry", "--dead"], &[]),
        )
    })
    .await
    .unwrap();
    let listed = stdout(&list);
    for task in
        ["expire-reports", "0 */6 * * *", "purge-rate-limits", "0 0 * * *", "prune-jobs", "checkpoint-wal"]
    {
        assert!(listed.contains(task), "{listed}");
    }
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("expired report(s) deleted"));
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no task 'nope'"));
    assert!(jobs.status.success() && stdout(&jobs).starts_with("ID"));
    assert!(stdout(&retry).contains("re-queued 0 dead job(s)"));
    assert!(dir.path().join("data/kimiko.db").exists(), "the data folder is created on first run");
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_the_variables_name() {
    let rpc = MockRpc::start(Chain::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        kimiko(&path, &rpc, &["serve"], &[("KIMIKO_HISTORY_CAP", "lots")])
    })
    .await
    .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("KIMIKO_HISTORY_CAP"), "{}", stderr(&output));
}
