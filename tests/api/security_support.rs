//! Helpers for the security tests: a snapshot of every row in the database
//! (to prove bad input changed nothing), raw HTTP for requests a client
//! library would tidy up, and a real nginx in front of Kimiko.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::helpers::{TestApp, free_port};

const TABLES: [&str; 6] = ["jobs", "job_attempts", "reports", "requests", "outbox", "mail_recipients"];

/// Every row of every table, quoted by SQLite itself, in rowid order.
pub async fn db_snapshot(app: &TestApp) -> Vec<String> {
    let db = app.state.db.reader();
    let mut rows = Vec::new();
    for table in TABLES {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(db)
            .await
            .unwrap();
        let quoted = columns.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || ',' || ");
        let sql = format!("SELECT '{table}:' || {quoted} FROM {table} ORDER BY rowid");
        rows.extend(sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).fetch_all(db).await.unwrap());
    }
    rows
}

/// Sends `request` byte for byte (no path normalising, no header tidying)
/// and returns the status code and the whole response.
pub async fn raw_http(address: &str, request: &[u8]) -> (u16, String) {
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, text)
}

/// Debian's nginx on loopback, proxying to a Kimiko. It connects to Kimiko
/// from 127.0.0.2 (`proxy_bind`), so Kimiko can trust that one peer and no
/// other, and sets `X-Forwarded-For` (appending) and `X-Real-IP`.
pub struct Nginx {
    pub address: String,
    child: Child,
    _dir: tempfile::TempDir,
}

/// nginx connects to Kimiko from this address: the only trusted proxy.
pub const PROXY_ADDRESS: &str = "127.0.0.2";

impl Nginx {
    pub fn start(upstream: &str) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let template = include_str!("../support/nginx.conf");
        let conf = template
            .replace("{{DIR}}", &dir.path().display().to_string())
            .replace("{{PORT}}", &port.to_string())
            .replace("{{UPSTREAM}}", upstream.trim_start_matches("http://"))
            .replace("{{PROXY_ADDRESS}}", PROXY_ADDRESS);
        let conf_path: PathBuf = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx is installed (scripts/test.sh installs it)");
        let address = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start; see {}/error.log", dir.path().display());
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { address: format!("http://{address}"), child, _dir: dir }
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client whose connections come from `source` (a loopback address such
/// as 127.0.0.3): a distinct "real client" as nginx sees it.
pub fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(source.parse().unwrap()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
