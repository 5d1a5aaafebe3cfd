//! The email address as personal data: used to deliver one message, then
//! erased; never in a log line (at `trace`), a page, JSON, a URL or the
//! database file once delivered; kept past a dead job only for the
//! dead-letter window.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kimiko::email::MemoryBehaviour;
use kimiko::service::clock::Clock;
use kimiko::testing::{Chain, MockRpc, scenarios};

use crate::helpers::{Options, SmtpServer, form_body, free_port, spawn_app_with};
use crate::{on_both_backends, peek};

/// Distinctive enough that any trace of it is ours.
const ADDRESS: &str = "Zelda.Quintessa+kimiko@example.com";

/// Every spelling of the address a log, page or URL could carry.
fn spellings() -> Vec<String> {
    let encoded: String = url::form_urlencoded::byte_serialize(ADDRESS.as_bytes()).collect();
    vec![ADDRESS.to_owned(), ADDRESS.to_lowercase(), "quintessa".into(), "Quintessa".into(), encoded]
}

fn assert_no_address(place: &str, text: &str) {
    for spelling in spellings() {
        assert!(!text.to_lowercase().contains(&spelling.to_lowercase()), "{place} contains {spelling:?}");
    }
}

/// What the server logs once an erasure has reached the database files.
const ERASED_ON_DISK: &str = "erased personal data removed from the database files";

/// The real binary at `RUST_LOG=trace`, every line it writes captured.
struct Binary {
    child: std::process::Child,
    base: String,
    database: String,
    log_path: std::path::PathBuf,
    dir: tempfile::TempDir,
    _rpc: MockRpc,
}

const ADMIN_TOKEN: &str = "privacy-test-admin-token";

impl Binary {
    async fn start(chain: Chain, smtp: &SmtpServer) -> Binary {
        let rpc = MockRpc::start(chain).await;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let database = format!("sqlite://{}/kimiko.db", dir.path().display());
        let log_path = dir.path().join("kimiko.log");
        let child = Command::new(env!("CARGO_BIN_EXE_kimiko"))
            .arg("serve")
            .env("RUST_LOG", "trace")
            .env("KIMIKO_DATABASE_URL", &database)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", dir.path().join("site"))
            .env("KIMIKO_PUBLIC_URL", &base)
            .env("KIMIKO_RPC_URLS", rpc.url().to_string())
            .env("KIMIKO_SMTP_URL", smtp.url())
            .env("KIMIKO_MAIL_FROM", "Kimiko <reports@kimiko.test>")
            .env("KIMIKO_SECRET", "privacy-test-secret-privacy-test-secret-1")
            .env("KIMIKO_ADMIN_TOKEN", ADMIN_TOKEN)
            .stdout(Stdio::from(std::fs::File::create(dir.path().join("stdout.log")).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
            .spawn()
            .expect("start kimiko");
        let binary = Binary { child, base, database, log_path, dir, _rpc: rpc };
        let http = reqwest::Client::new();
        let health = format!("{}/healthz", binary.base);
        wait_until(|| async { http.get(&health).send().await.is_ok_and(|r| r.status() == 200) }).await;
        binary
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Waits (a while at most) until the server says a clean covering
    /// `count` erasures has reached the files (erasures close together
    /// share a clean); the files are what the test then judges.
    async fn wait_for_erasures(&self, count: u64) {
        wait_for(|| async { self.log().lines().filter_map(erasures_cleaned).any(|n| n >= count) }).await;
    }

    /// A graceful stop, so every line is written; returns the log.
    fn stop(&mut self) -> String {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap();
        self.log()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_whole_flow_at_trace_level_never_logs_shows_or_keeps_the_address() {
    let smtp = SmtpServer::start();
    let mut chain = Chain::new();
    let wallets =
        [scenarios::careful_wallet(&mut chain).wallet, scenarios::exposed_wallet(&mut chain).wallet];
    let mut server = Binary::start(chain, &smtp).await;
    let base = server.base.clone();
    let token = ADMIN_TOKEN;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let submit = |wallet: &str, email: &str, accept: &'static str| {
        http.post(format!("{base}/api/request-report"))
            .header("Accept", accept)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(wallet, email))
            .send()
    };
    // Both submit paths, a refused repeat and an invalid wallet: each sees the address.
    let plain = submit(&wallets[0], ADDRESS, "text/html").await.unwrap();
    assert_eq!(plain.status(), 303);
    let location = plain.headers()["location"].to_str().unwrap().to_owned();
    assert_no_address("the redirect", &location);
    let hydrated = submit(&wallets[1], ADDRESS, "application/json").await.unwrap();
    assert_eq!(hydrated.status(), 200);
    assert_no_address("the redirect", hydrated.headers()["location"].to_str().unwrap());
    let second_id: String = hydrated.json().await.unwrap();
    let repeat = submit(&wallets[0], ADDRESS, "text/html").await.unwrap();
    assert_eq!(repeat.status(), 429);
    assert_no_address("the refusal page", &repeat.text().await.unwrap());
    let invalid = submit("not-a-wallet", ADDRESS, "application/json").await.unwrap();
    assert_eq!(invalid.status(), 422);
    assert_no_address("the invalid-input answer", &invalid.text().await.unwrap());

    let ids = [location.trim_start_matches("/jobs/").to_owned(), second_id];
    for id in &ids {
        let url = format!("{base}/api/jobs/{id}");
        wait_until(|| async {
            let job: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
            job["status"] == "succeeded"
        })
        .await;
    }
    let delivered = smtp.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(delivered.iter().all(|m| m.contains(ADDRESS)), "the one place the address belongs");

    let mut pages = Vec::new();
    for id in &ids {
        pages.push(format!("/jobs/{id}"));
        pages.push(format!("/api/jobs/{id}"));
        pages.push(format!("/admin/jobs/{id}"));
    }
    for wallet in &wallets {
        pages.push(format!("/report/{wallet}"));
        pages.push(format!("/api/reports/{wallet}"));
    }
    pages.extend(["/admin/queue", "/admin/jobs", "/", "/metrics"].map(String::from));
    for path in &pages {
        let response = http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_no_address(path, &format!("{:?}", response.headers()));
        assert_no_address(path, &response.text().await.unwrap());
    }

    // Delivered: the database files hold no copy of the address, WAL
    // included, while the server still runs (no checkpoint of ours).
    server.wait_for_erasures(2).await;
    assert_no_address("the database files", &files_text(server.dir.path()));

    let log = server.stop();
    assert!(log.lines().count() > 100 && log.contains("TRACE"), "tracing really ran at trace level");
    assert!(log.contains("report requested"), "the flow really ran");
    assert_no_address("the log", &log);

    let db = kimiko::storage::Db::connect(&server.database).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_recipients").fetch_one(db.reader()).await.unwrap();
    assert_eq!(left, 0);
    db.close().await;
}

/// A Postfix-style refusal repeats the address (`550 5.1.1 <address>:
/// Recipient address rejected: …`): none of it may reach the job's JSON or
/// page, the log or the files; the person is pointed to the report instead.
#[tokio::test]
async fn a_mail_server_refusing_the_address_gets_it_repeated_nowhere_and_the_job_page_links_the_report() {
    let smtp = SmtpServer::start();
    smtp.set_mode("reject-rcpt");
    let mut chain = Chain::new();
    let wallet = scenarios::careful_wallet(&mut chain).wallet;
    let mut server = Binary::start(chain, &smtp).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http
        .post(format!("{}/api/request-report", server.base))
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&wallet, ADDRESS))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let id = response.headers()["location"].to_str().unwrap().trim_start_matches("/jobs/").to_owned();
    let api = format!("{}/api/jobs/{id}", server.base);
    wait_until(|| async {
        let job: serde_json::Value = http.get(&api).send().await.unwrap().json().await.unwrap();
        job["status"] == "dead"
    })
    .await;
    server.wait_for_erasures(1).await;
    assert!(smtp.delivered().is_empty(), "the server really refused");

    let json = http.get(&api).send().await.unwrap().text().await.unwrap();
    assert_no_address("the job JSON", &json);
    let job: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(job["attempts"], 1, "a refused address is not tried again: {job}");
    let error = job["error"].as_str().unwrap();
    assert!(error.contains("refused the address") && error.contains("550 5.1.1"), "{error}");
    assert!(job["report_url"].as_str().is_some_and(|u| u.ends_with(&format!("/report/{wallet}"))), "{job}");
    assert_eq!(job["mail_refused"], true, "{job}");

    let page = http.get(format!("{}/jobs/{id}", server.base)).send().await.unwrap().text().await.unwrap();
    assert_no_address("the job page", &page);
    assert!(page.contains(&format!("href=\"/report/{wallet}\"")), "the page links the report");
    assert!(page.contains("refused the address"), "the page says the address was refused");

    assert_no_address("the database files", &files_text(server.dir.path()));
    let log = server.stop();
    assert!(log.contains("TRACE"));
    assert_no_address("the log", &log);
}

/// From a log line saying erasures reached the files: how many it covers
/// (the `erasures=N` field, maybe coloured).
fn erasures_cleaned(line: &str) -> Option<u64> {
    let (_, fields) = line.split_once(ERASED_ON_DISK)?;
    let mut plain = String::new();
    let mut escape = false;
    for c in fields.chars() {
        match c {
            '\x1b' => escape = true,
            'm' if escape => escape = false,
            _ if !escape => plain.push(c),
            _ => {}
        }
    }
    let value = plain.split_once("erasures=")?.1;
    value.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// Every database file in `dir` as text (lossy), WAL and shared memory included.
fn files_text(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("kimiko.db")))
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect()
}

async fn wait_until<F, Fut>(ready: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    assert!(wait_for(ready).await, "timed out");
}

/// Polls `ready` for up to a minute; whether it became true.
async fn wait_for<F, Fut>(mut ready: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready().await {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

on_both_backends! {
    async fn a_dead_job_keeps_its_address_for_the_dead_letter_window_only_then_it_is_erased_everywhere(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::careful_wallet(&mut chain);
        let app = spawn_app_with(Options {
            chain,
            database,
            clock: Some(Clock::manual(1_795_000_000_000)),
            env: vec![("KIMIKO_DEAD_LETTER_HOURS", "72".into())],
            ..Options::default()
        })
        .await;
        // The mail server stays unavailable past the last attempt: the job dies
        // with its mail stored. (A server refusing the address itself gets it
        // erased at once: nothing could ever be delivered to it.)
        app.mail.set_behaviour(MemoryBehaviour::Transient);
        let id = app.submit(&scenario.wallet, ADDRESS).await;
        app.run_worker().await;
        assert_eq!(app.job_json(&id).await["status"], "dead");
        let kept = || async {
            peek!(&app.state.db, |pool| sqlx::query_scalar::<_, String>(
                "SELECT email FROM mail_recipients WHERE job_id = $1",
            )
            .bind(&id)
            .fetch_optional(pool)
            .await
            .unwrap())
        };
        let erase = kimiko::jobs::scheduler::find("erase-dead-letters").unwrap();
        app.advance(Duration::from_secs(72 * 3600 - 60));
        (erase.run)(&app.state).await.unwrap();
        assert_eq!(kept().await, Some(ADDRESS.into()), "kept so an operator can re-queue");
        app.advance(Duration::from_secs(120));
        (erase.run)(&app.state).await.unwrap();
        assert_eq!(kept().await, None, "erased");
    }
}

on_both_backends! {
    async fn a_delivered_job_erases_its_address_at_once(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::careful_wallet(&mut chain);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
        let id = app.submit(&scenario.wallet, ADDRESS).await;
        app.run_worker().await;
        assert_eq!(app.sent_mail().len(), 1);
        let left: i64 = peek!(&app.state.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_recipients WHERE job_id = $1",
        )
        .bind(&id)
        .fetch_one(pool)
        .await
        .unwrap());
        assert_eq!(left, 0, "the address is erased");
        assert_eq!(app.count("outbox").await, 1, "the job and its mail stay, without it");
    }
}

#[tokio::test]
async fn the_privacy_page_says_how_long_the_address_is_kept_in_both_cases() {
    let app = spawn_app_with(Options::default()).await;
    let html = app.get("/privacy").await.text().await.unwrap();
    assert!(html.contains("erased the moment our mail server"), "after delivery");
    assert!(html.contains("up to three days"), "after a dead job");
    assert!(html.contains("keyed hash"), "what rate limits keep");
}

on_both_backends! {
    async fn a_burst_of_deliveries_shares_one_clean_and_every_address_still_leaves_the_files(database) {
        let mut chain = Chain::new();
        let wallets = scenarios::many_wallets(&mut chain, 4, 2);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;
        // Held back, so the burst is over before the clean starts however
        // slowly the jobs run.
        app.state.db.set_erasure_clean_delay(Duration::from_secs(3600));
        let addresses: Vec<String> = (0..wallets.len()).map(|n| format!("Burst{n}.Quintessa@example.com")).collect();
        for (wallet, address) in wallets.iter().zip(&addresses) {
            app.submit(wallet, address).await;
        }
        app.run_worker().await;
        assert_eq!(app.sent_mail().len(), 4, "four deliveries, four erasures");
        assert_eq!(app.state.db.erasure_cleans(), 0, "no clean yet: each erasure only marked one due");

        app.state.db.hurry_erasure_clean();
        app.state.db.erasures_cleaned().await;
        assert_eq!(app.state.db.erasure_cleans(), 1, "one clean for the four erasures");
        for address in &addresses {
            assert!(!app.files_hold(address).await, "{address} is still in the database files");
        }
    }
}
