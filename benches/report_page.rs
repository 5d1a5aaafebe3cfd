//! How long the report page takes to serve, cold (cache miss: database read,
//! JSON parse, server render) against cached (cache hit: server render) and
//! revalidated (`304`, no render), over HTTP on loopback against the real
//! application; then the page weights (HTML + CSS, gzipped) and the size of
//! the browser bundle.
//!
//! `cargo bench --features testing --bench report_page`. Prints figures; it
//! is not a timed test and fails nothing. The WASM figure needs a release
//! site build first (`scripts/build-site.sh release`).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use kimiko::config::settings::Settings;
use kimiko::email::Mailer;
use kimiko::jobs::Worker;
use kimiko::server::startup::{Application, Overrides};
use kimiko::testing::{Chain, MockRpc, scenarios};

const WARMUP: usize = 10;
const RUNS: usize = 200;

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip to memory");
    encoder.finish().expect("gzip to memory").len()
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Median and 90th percentile in milliseconds.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.9))
}

struct Bench {
    http: reqwest::Client,
    base: String,
    app: kimiko::service::state::AppState,
}

impl Bench {
    async fn get(&self, path: &str, etag: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
        (status, etag, response.bytes().await.expect("body").to_vec())
    }

    /// `RUNS` timed requests after `WARMUP` untimed ones; `before` runs
    /// untimed before each.
    async fn time(&self, path: &str, etag: Option<&str>, expect: u16, before: impl Fn()) -> (f64, f64) {
        let mut samples = Vec::with_capacity(RUNS);
        for i in 0..WARMUP + RUNS {
            before();
            let start = Instant::now();
            let (status, _, _) = self.get(path, etag).await;
            let took = start.elapsed();
            assert_eq!(status, expect, "{path}");
            if i >= WARMUP {
                samples.push(took);
            }
        }
        percentiles(samples)
    }

    async fn report_page(&self, name: &str, wallet: &str) {
        let path = format!("/report/{wallet}");
        let cold = self.time(&path, None, 200, || self.app.reports.clear()).await;
        let cached = self.time(&path, None, 200, || {}).await;
        let (_, etag, _) = self.get(&path, None).await;
        let revalidated = self.time(&path, etag.as_deref(), 304, || {}).await;
        println!("report page, {name} ({RUNS} requests each, median / p90):");
        println!("  cold (cache miss: DB read + SSR)  {:>7.2} ms / {:>7.2} ms", cold.0, cold.1);
        println!("  cached (cache hit + SSR)          {:>7.2} ms / {:>7.2} ms", cached.0, cached.1);
        println!("  revalidated (304, no render)      {:>7.2} ms / {:>7.2} ms", revalidated.0, revalidated.1);
        println!(
            "  cold / cached: {:.2}×   cached / 304: {:.2}×",
            cold.0 / cached.0,
            cached.0 / revalidated.0
        );
    }
}

async fn start() -> (Bench, Vec<(&'static str, String)>, MockRpc, tempfile::TempDir) {
    let mut chain = Chain::new();
    let exposed = scenarios::exposed_wallet(&mut chain).wallet;
    let busy = scenarios::many_wallets(&mut chain, 1, 1000).remove(0);
    let rpc = MockRpc::start(chain).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let env: HashMap<&str, String> = HashMap::from([
        ("KIMIKO_DATABASE_URL", format!("sqlite://{}/kimiko.db", dir.path().display())),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("KIMIKO_PUBLIC_URL", "https://kimiko.example".to_owned()),
        ("KIMIKO_RPC_URLS", rpc.url().to_string()),
        ("KIMIKO_SECRET", "bench-secret-bench-secret-bench-secret-01".to_owned()),
        ("KIMIKO_EMAIL_DAILY_LIMIT", "100".to_owned()),
    ]);
    let settings = Settings::from_lookup(|name| env.get(name).cloned()).expect("settings");
    let (mailer, _) = Mailer::memory("Kimiko <reports@kimiko.example>");
    let overrides = Overrides { mailer: Some(mailer), ..Overrides::default() };
    let app = Application::build_with(settings, overrides).await.expect("app builds");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _stop = _stop;
        app.run(stopped, false).await
    });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let wallets =
        vec![("exposed wallet, 27 transactions", exposed), ("busy wallet, 1,000 transactions", busy)];
    for (i, (_, wallet)) in wallets.iter().enumerate() {
        let form = format!("wallet={wallet}&email=bench{i}%40example.com");
        let response = http
            .post(format!("{base}/api/request-report"))
            .header("Accept", "text/html")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("submit");
        assert_eq!(response.status(), 303);
    }
    Worker::new(state.clone()).run_due().await.expect("the worker runs");
    (Bench { http, base, app: state }, wallets, rpc, dir)
}

fn weights(home: &[u8], report: &[u8]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let css = std::fs::read(root.join("style/main.css")).expect("style/main.css");
    println!("page weight (HTML + CSS, gzip level 6; JS and WASM excluded):");
    for (name, html) in [("home", home), ("report (exposed wallet)", report)] {
        println!(
            "  {name:<24} HTML {} → {} gz, CSS {} → {} gz, total {} gz",
            kb(html.len()),
            kb(gzip(html)),
            kb(css.len()),
            kb(gzip(&css)),
            kb(gzip(html) + gzip(&css))
        );
    }
    let site =
        std::env::var("LEPTOS_SITE_ROOT").map(PathBuf::from).unwrap_or_else(|_| root.join("target/site"));
    let wasm = site.join("pkg/kimiko_bg.wasm");
    match std::fs::read(&wasm) {
        Ok(bytes) => {
            println!("WASM bundle {}: {} ({} gz)", wasm.display(), kb(bytes.len()), kb(gzip(&bytes)))
        }
        Err(_) => {
            println!("WASM bundle: not built at {} (run scripts/build-site.sh release)", wasm.display())
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    runtime.block_on(async {
        let (bench, wallets, _rpc, _dir) = start().await;
        for (name, wallet) in &wallets {
            bench.report_page(name, wallet).await;
        }
        let (_, _, home) = bench.get("/", None).await;
        let (_, _, report) = bench.get(&format!("/report/{}", wallets[0].1), None).await;
        weights(&home, &report);
    });
}
