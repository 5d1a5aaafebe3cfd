//! The test harness: the real application on port 0 with a fresh database
//! (a SQLite file, or a database on the test process's private Postgres),
//! a mock Solana RPC on loopback, and a mail backend the test can read.
//! [`on_both_backends!`](crate::on_both_backends) runs one test body on each.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kimiko::config::settings::Settings;
use kimiko::domain::WalletAddress;
use kimiko::email::{Mailer, MemoryOutbox, SentEmail};
use kimiko::jobs::Worker;
use kimiko::server::startup::{Application, Overrides};
use kimiko::service::clock::Clock;
use kimiko::service::state::AppState;
use kimiko::testing::{Chain, MockRpc, scenarios};
use reqwest::header::HeaderMap;
use tokio::sync::watch;

pub const TEST_PUBLIC_URL: &str = "http://kimiko.test";

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub state: AppState,
    pub rpc: MockRpc,
    /// Mail sent through the memory backend (empty when using SMTP).
    pub mail: MemoryOutbox,
    /// A client that does not follow redirects, so tests see them.
    pub http: reqwest::Client,
    pub worker: Worker,
    /// Holds the database and outbox; deleted when the app is dropped.
    _dir: tempfile::TempDir,
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// Which database a test app runs on.
#[derive(Clone, Debug, Default)]
pub enum Database {
    /// A fresh SQLite file in the app's temp dir.
    #[default]
    Sqlite,
    /// A URL from [`kimiko::testing::postgres::fresh_database`].
    Postgres(String),
}

impl Database {
    /// Another empty database on the same backend (each SQLite app makes
    /// its own file anyway).
    pub async fn another(&self) -> Database {
        match self {
            Database::Sqlite => Database::Sqlite,
            Database::Postgres(_) => Database::Postgres(
                kimiko::testing::postgres::fresh_database()
                    .await
                    .expect("the server that made the first one"),
            ),
        }
    }
}

/// Runs each `async fn name(db) { … }` as two tests, `name::on_sqlite` and
/// `name::on_postgres`, with `db` the [`Database`] to pass in
/// [`Options::database`]: one body per behaviour, run per backend. The
/// Postgres one fails when no server can start (see
/// `kimiko::testing::postgres`).
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: $crate::helpers::Database) $body

            #[tokio::test]
            async fn on_sqlite() {
                body($crate::helpers::Database::Sqlite).await
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = kimiko::testing::postgres::fresh_database().await else { return };
                body($crate::helpers::Database::Postgres(url)).await
            }
        }
    )*};
}

/// Runs `$body` with `$pool` bound to the app's pool for raw peeks — the
/// SQLite read pool or the Postgres pool — so one statement (with `$1`
/// placeholders, which both accept) serves both backends.
#[macro_export]
macro_rules! peek {
    ($db:expr, |$pool:ident| $body:expr) => {{
        let db: &kimiko::storage::Db = $db;
        if db.is_postgres() {
            let $pool = db.pg_pool();
            $body
        } else {
            let $pool = db.reader();
            $body
        }
    }};
}

/// How to build a test app.
pub struct Options {
    pub chain: Chain,
    pub database: Database,
    /// Extra or overriding environment settings.
    pub env: Vec<(&'static str, String)>,
    /// Run the worker and scheduler in the background like `kimiko serve`
    /// (otherwise tests run jobs by hand with [`TestApp::run_worker`]).
    pub background: bool,
    /// Send mail over SMTP (from `KIMIKO_SMTP_URL` in `env`) instead of memory.
    pub smtp: bool,
    pub clock: Option<Clock>,
    /// The background worker's longest look away from the queue.
    pub worker_max_idle: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            chain: Chain::new(),
            database: Database::Sqlite,
            env: Vec::new(),
            background: false,
            smtp: false,
            clock: None,
            worker_max_idle: None,
        }
    }
}

pub async fn spawn_app(chain: Chain) -> TestApp {
    spawn_app_with(Options { chain, ..Options::default() }).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let rpc = MockRpc::start(options.chain).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut env: HashMap<&str, String> = HashMap::from([
        (
            "KIMIKO_DATABASE_URL",
            match &options.database {
                Database::Sqlite => format!("sqlite://{}/kimiko.db", dir.path().display()),
                Database::Postgres(url) => url.clone(),
            },
        ),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("LEPTOS_SITE_ROOT", dir.path().join("site").display().to_string()),
        ("KIMIKO_PUBLIC_URL", TEST_PUBLIC_URL.to_owned()),
        ("KIMIKO_RPC_URLS", rpc.url().to_string()),
        ("KIMIKO_RPC_TIMEOUT_SECS", "2".to_owned()),
        ("KIMIKO_OUTBOX_DIR", dir.path().join("outbox").display().to_string()),
        ("KIMIKO_MAIL_FROM", "Kimiko <reports@kimiko.test>".to_owned()),
        ("KIMIKO_RETRY_BASE_SECS", "0".to_owned()),
        ("KIMIKO_SECRET", "test-secret-test-secret-test-secret-0123".to_owned()),
        // Tests post in quick bursts from one address; the ones about the
        // client rate limit set it back to a real value.
        ("KIMIKO_IP_RATE_BURST", "100000".to_owned()),
    ]);
    env.extend(options.env);
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings are valid");
    let (mailer, mail) = Mailer::memory("Kimiko <reports@kimiko.test>");
    let overrides = Overrides {
        mailer: (!options.smtp).then_some(mailer),
        clock: options.clock,
        worker_max_idle: options.worker_max_idle,
    };
    let app = Application::build_with(settings, overrides).await.expect("application builds");
    let address = format!("http://{}", app.address());
    let state = app.state().clone();
    let (stop, stopped) = watch::channel(false);
    let background = options.background;
    let task = tokio::spawn(async move { app.run(stopped, background).await.expect("app runs") });
    let worker = Worker::new(state.clone());
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp {
        address,
        state,
        rpc,
        mail,
        http,
        worker,
        _dir: dir,
        stop,
        task: std::sync::Mutex::new(Some(task)),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The form as a browser posts it without JavaScript.
    pub async fn post_form(&self, wallet: &str, email: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/request-report"))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(wallet, email))
            .send()
            .await
            .expect("request sent")
    }

    /// The form as the hydrated page submits it (the server function's JSON path).
    pub async fn post_server_fn(&self, wallet: &str, email: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/request-report"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(wallet, email))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request sent")
    }

    /// A page as a browser gets it, asking for gzip or not: its status,
    /// headers and HTML (unzipped).
    pub async fn page(&self, path: &str, gzip: bool) -> (reqwest::StatusCode, HeaderMap, String) {
        let mut request = self.http.get(self.url(path));
        if gzip {
            request = request.header("accept-encoding", "gzip, deflate, br");
        }
        let response = request.send().await.expect("request sent");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.bytes().await.unwrap();
        let mut html = String::new();
        if headers.get("content-encoding").is_some_and(|e| e == "gzip") {
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html)
                .expect("gzip");
        } else {
            html = String::from_utf8(bytes.to_vec()).unwrap();
        }
        (status, headers, html)
    }

    /// Submits without JavaScript and returns the job id from the redirect.
    pub async fn submit(&self, wallet: &str, email: &str) -> String {
        let response = self.post_form(wallet, email).await;
        assert_eq!(response.status(), 303, "submit refused: {}", response.text().await.unwrap_or_default());
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        location.strip_prefix("/jobs/").expect("redirect to the job page").to_owned()
    }

    /// Submits a report page's "Ask for a fresh analysis" form (no JavaScript).
    pub async fn submit_fresh(&self, wallet: &str, email: &str) -> String {
        let body = format!("{}&refresh=1", form_body(wallet, email));
        let response = self
            .http
            .post(self.url("/api/request-report"))
            .header("Accept", "text/html")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 303, "fresh analysis refused");
        let location = response.headers()["location"].to_str().unwrap();
        location.strip_prefix("/jobs/").expect("redirect to the job page").to_owned()
    }

    /// Runs every due job to completion.
    pub async fn run_worker(&self) -> usize {
        self.worker.run_due().await.expect("worker runs")
    }

    pub fn sent_mail(&self) -> Vec<SentEmail> {
        self.mail.sent()
    }

    pub async fn job_json(&self, id: &str) -> serde_json::Value {
        let response = self.get(&format!("/api/jobs/{id}")).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Whether any of the database's files holds `text` (any case): on
    /// SQLite the database, WAL and shared-memory files; on Postgres the
    /// files of every table, index and TOAST table, after flushing every
    /// page to them.
    pub async fn files_hold(&self, text: &str) -> bool {
        let contains = |bytes: &[u8]| {
            bytes.windows(text.len()).any(|window| window.eq_ignore_ascii_case(text.as_bytes()))
        };
        if !self.state.db.is_postgres() {
            return std::fs::read_dir(self._dir.path())
                .unwrap()
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("kimiko.db")))
                .any(|path| contains(&std::fs::read(path).unwrap()));
        }
        let pool = self.state.db.pg_pool();
        sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
        // Every table, index and TOAST table of the database's own schema.
        let files: Vec<String> = sqlx::query_scalar(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')
                OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace)",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(files.len() >= 3, "{files:?}");
        let data_dir = &kimiko::testing::postgres::server().await.unwrap().data_dir;
        files.iter().any(|file| contains(&std::fs::read(data_dir.join(file)).unwrap_or_default()))
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        peek!(&self.state.db, |pool| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap())
    }

    /// Stops the app as SIGTERM would, and waits until it has stopped.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap().take();
        if let Some(task) = task {
            task.await.expect("app stopped cleanly");
        }
    }

    /// Moves the app's clock (only with a manual clock).
    pub fn advance(&self, by: Duration) {
        self.state.clock.advance(by);
    }
}

/// The nonce a response's Content-Security-Policy allows.
pub fn csp_nonce(headers: &reqwest::header::HeaderMap) -> String {
    let csp = headers.get("content-security-policy").expect("a CSP").to_str().unwrap();
    let start = csp.find("'nonce-").expect("the CSP names a nonce") + "'nonce-".len();
    csp[start..].split('\'').next().unwrap().to_owned()
}

/// Every `<script …>` opening tag in `html`.
pub fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script").map(|(i, _)| &html[i..i + html[i..].find('>').unwrap() + 1]).collect()
}

pub fn form_body(wallet: &str, email: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("wallet", wallet)
        .append_pair("email", email)
        .finish()
}

/// The path of the report link in a mail body.
pub fn report_link(text: &str) -> String {
    let start = text.find(TEST_PUBLIC_URL).expect("the mail links to the site");
    let link: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect();
    link.trim_start_matches(TEST_PUBLIC_URL).to_owned()
}

/// A real SMTP server (aiosmtpd) on loopback, controlled through a file:
/// `accept`, `tempfail` (451) or `reject` (550) at the end of the message,
/// or `reject-rcpt` (550 5.1.1) and `tempfail-rcpt` (450 4.2.0) refusing
/// the recipient with its address in the reply, as Postfix does. Accepted
/// messages land as files in `maildir`.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    control: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let maildir = dir.path().join("mail");
        let control = dir.path().join("mode");
        let mut server = SmtpServer { port, maildir, control, child: None, _dir: dir };
        server.up();
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn set_mode(&self, mode: &str) {
        std::fs::write(&self.control, mode).unwrap();
    }

    /// Starts (again) on the same port.
    pub fn up(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut child = Command::new("python3")
            .args([script, "--port", &self.port.to_string()])
            .arg("--maildir")
            .arg(&self.maildir)
            .arg("--control")
            .arg(&self.control)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd is installed (scripts/setup-tests.sh)");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        assert_eq!(line.trim(), "ready", "SMTP server did not start");
        self.child = Some(child);
    }

    /// Stops the server: connections are refused until [`SmtpServer::up`].
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// How many copies of each job's report mail arrived, by job id (read
    /// from the Message-ID every report mail carries: `<report.{job}@…>`).
    pub fn deliveries_per_job(&self) -> std::collections::HashMap<String, usize> {
        let mut per_job = std::collections::HashMap::new();
        for message in self.delivered() {
            let id = message
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: <report."))
                .and_then(|rest| rest.split('@').next())
                .expect("every report mail has its job's Message-ID")
                .to_owned();
            *per_job.entry(id).or_default() += 1;
        }
        per_job
    }

    /// Every delivered message, oldest first.
    pub fn delivered(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.maildir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.down();
    }
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().map(|a: SocketAddr| a.port()).unwrap()
}

/// Makes every write of `event` (`"UPDATE OF status ON jobs"`, `"INSERT ON
/// job_attempts"`) fail where `condition` (on `NEW`) holds, as a full disk
/// or a write timeout would, until [`lift_refusal`]: a trigger, in each
/// backend's dialect.
pub async fn refuse_writes(app: &TestApp, name: &str, event: &str, condition: Option<&str>) {
    let db = &app.state.db;
    if db.is_postgres() {
        let function = format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'injected: {name}'; END $$"
        );
        let when = condition.map(|c| format!("WHEN ({c})")).unwrap_or_default();
        let trigger =
            format!("CREATE TRIGGER {name} BEFORE {event} FOR EACH ROW {when} EXECUTE FUNCTION {name}()");
        for sql in [function, trigger] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(db.pg_pool()).await.unwrap();
        }
    } else {
        let when = condition.map(|c| format!("WHEN {c}")).unwrap_or_default();
        let trigger = format!(
            "CREATE TRIGGER {name} BEFORE {event} {when} BEGIN SELECT RAISE(ABORT, 'injected: {name}'); END"
        );
        sqlx::query(sqlx::AssertSqlSafe(trigger)).execute(db.writer()).await.unwrap();
    }
}

/// Lifts [`refuse_writes`]' refusal `name` on `table`.
pub async fn lift_refusal(app: &TestApp, name: &str, table: &str) {
    let db = &app.state.db;
    if db.is_postgres() {
        for sql in [format!("DROP TRIGGER {name} ON {table}"), format!("DROP FUNCTION {name}()")] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(db.pg_pool()).await.unwrap();
        }
    } else {
        let sql = format!("DROP TRIGGER {name}");
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(db.writer()).await.unwrap();
    }
}

/// Makes every write that marks a mail sent fail, as a full disk or a
/// write timeout would, until [`allow_marking_mail_sent`].
pub async fn refuse_to_mark_mail_sent(app: &TestApp) {
    refuse_writes(app, "refuse_sent", "UPDATE OF status ON outbox", Some("NEW.status = 'sent'")).await;
}

/// Lifts [`refuse_to_mark_mail_sent`].
pub async fn allow_marking_mail_sent(app: &TestApp) {
    lift_refusal(app, "refuse_sent", "outbox").await;
}

/// A chain holding one ordinary wallet with `transactions` transactions.
pub fn one_wallet(transactions: usize) -> (Chain, WalletAddress) {
    let mut chain = Chain::new();
    let wallet = scenarios::many_wallets(&mut chain, 1, transactions).remove(0);
    (chain, WalletAddress::parse(&wallet).expect("a scenario wallet"))
}
