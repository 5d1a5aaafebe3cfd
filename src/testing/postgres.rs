//! A private PostgreSQL server for the tests: one per test process, started
//! on first use from Debian's `postgresql` binaries (`initdb`, `postgres`)
//! on a free loopback port, its data in a fresh folder under the system's
//! temp dir; every caller gets a database of its own on it.
//!
//! initdb refuses to run as root, so as root the server runs as the
//! `postgres` system user the package creates. A small shell holds the
//! server and the read end of a pipe whose write end only this process
//! holds: when the process ends — tests passed, failed or the process was
//! killed — the pipe closes, and the shell stops the server and deletes its
//! folder.
//!
//! No server, no silent pass: [`fresh_database`] panics saying why, unless
//! `KIMIKO_TEST_SKIP_POSTGRES=1` asks to skip the Postgres tests (it then
//! returns `None` and the test returns early, saying so).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use sqlx::Connection as _;
use tokio::sync::OnceCell;

/// Set to `1` to skip (pass) the Postgres tests where no server can start.
pub const SKIP_VARIABLE: &str = "KIMIKO_TEST_SKIP_POSTGRES";
/// Set to a folder holding `initdb` and `postgres` to use other binaries.
pub const BIN_VARIABLE: &str = "KIMIKO_TEST_PG_BIN";

/// How long the server may take to accept connections after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The running server: where it listens and where its files are.
#[derive(Debug)]
pub struct Server {
    pub port: u16,
    /// The data folder (`PGDATA`): tests read table files from it.
    pub data_dir: PathBuf,
    /// Closing this ends the server (see the module doc); never written.
    _lifeline: Mutex<ChildStdin>,
    /// The shell holding the server; it ends with this process.
    _shell: Mutex<Child>,
}

impl Server {
    /// The URL of `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

static SERVER: OnceCell<Result<Server, String>> = OnceCell::const_new();

/// The test process's server, started on first call. `Err` says why it
/// could not start.
pub async fn server() -> Result<&'static Server, String> {
    SERVER.get_or_init(|| async { start().await }).await.as_ref().map_err(Clone::clone)
}

/// A new, empty database on the test process's server, as a URL; `None`
/// when there is no server and `KIMIKO_TEST_SKIP_POSTGRES=1` says to skip.
/// Panics, saying why, when there is no server and no leave to skip.
pub async fn fresh_database() -> Option<String> {
    let server = match server().await {
        Ok(server) => server,
        Err(why) if std::env::var(SKIP_VARIABLE).is_ok_and(|v| v == "1") => {
            eprintln!("skipping a Postgres test ({SKIP_VARIABLE}=1): {why}");
            return None;
        }
        Err(why) => panic!(
            "no PostgreSQL server for the Postgres tests: {why}\n\
             Install Debian's `postgresql` package (scripts/test.sh does), or set {SKIP_VARIABLE}=1 to skip them."
        ),
    };
    let name = format!("test_{:016x}", rand::random::<u64>());
    let mut admin =
        sqlx::PgConnection::connect(&server.url("postgres")).await.expect("connect to the test server");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.ok();
    Some(server.url(&name))
}

async fn start() -> Result<Server, String> {
    let bin = binaries()?;
    let root =
        std::env::temp_dir().join(format!("kimiko-pg-{}-{:08x}", std::process::id(), rand::random::<u32>()));
    let data_dir = root.join("data");
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let as_root = is_root()?;
    if as_root {
        // The server runs as `postgres`, which must own its folder.
        run(Command::new("chown").args(["postgres:postgres"]).arg(&root))?;
    }
    let mut initdb = Command::new(bin.join("initdb"));
    initdb.arg("-D").arg(&data_dir).args([
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    run(&mut as_user(initdb, as_root))?;

    let port = free_port()?;
    let mut postgres = Command::new(bin.join("postgres"));
    postgres.arg("-D").arg(&data_dir).arg("-p").arg(port.to_string()).args([
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
    ]);
    postgres.arg(format!("unix_socket_directories={}", root.display()));
    // Test databases are thrown away: no need to survive a power cut. Many
    // test apps run at once, each with its pool.
    for setting in ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=400"] {
        postgres.args(["-c", setting]);
    }
    let postgres = as_user(postgres, as_root);
    // `exec 3<&0`: the pipe from this process. The server runs in the
    // background; when `read` sees the pipe close, the server gets a fast
    // shutdown (SIGINT) and its folder goes.
    let mut command = vec![postgres.get_program().to_owned()];
    command.extend(postgres.get_args().map(ToOwned::to_owned));
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(r#"root="$1"; shift; "$@" </dev/null >"$root/server.log" 2>&1 & pid=$!; read _; kill -INT "$pid"; wait "$pid"; rm -rf "$root""#)
        .arg("kimiko-test-postgres")
        .arg(&root)
        .args(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child: Child = shell.spawn().map_err(|e| format!("cannot start the server: {e}"))?;
    let lifeline = child.stdin.take().expect("piped stdin");
    let server = Server { port, data_dir, _lifeline: Mutex::new(lifeline), _shell: Mutex::new(child) };
    wait_until_ready(&server, &root).await?;
    Ok(server)
}

/// `initdb` and `postgres`: from `KIMIKO_TEST_PG_BIN`, or the newest
/// version under Debian's `/usr/lib/postgresql`.
fn binaries() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var(BIN_VARIABLE) {
        return Ok(PathBuf::from(dir));
    }
    let versions = std::fs::read_dir("/usr/lib/postgresql").map_err(|e| {
        format!("/usr/lib/postgresql is not readable ({e}): is the `postgresql` package installed?")
    })?;
    let mut found: Vec<(u32, PathBuf)> = versions
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| "no /usr/lib/postgresql/*/bin/initdb".to_owned())
}

fn is_root() -> Result<bool, String> {
    let output = Command::new("id").arg("-u").output().map_err(|e| format!("cannot run `id -u`: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// `command` as the `postgres` user when this process is root.
fn as_user(command: Command, as_root: bool) -> Command {
    if !as_root {
        return command;
    }
    let mut wrapped = Command::new("setpriv");
    wrapped
        .args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--reset-env", "--"])
        .arg(command.get_program())
        .args(command.get_args());
    wrapped
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{:?} failed ({}): {}",
        command.get_program(),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

async fn wait_until_ready(server: &Server, root: &Path) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    let mut last = String::new();
    while tokio::time::Instant::now() < deadline {
        match sqlx::PgConnection::connect(&server.url("postgres")).await {
            Ok(connection) => {
                connection.close().await.ok();
                return Ok(());
            }
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
    Err(format!("the server did not accept connections within {START_TIMEOUT:?} ({last}); its log:\n{log}"))
}
