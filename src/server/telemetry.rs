//! Logging: human-readable lines by default, JSON with `KIMIKO_LOG_FORMAT=json`;
//! `RUST_LOG` picks the levels. No log line carries an email address: the
//! type that holds one cannot be formatted.

use tracing_subscriber::EnvFilter;

const DEFAULT_FILTER: &str = "info,tower_http=warn,sqlx=warn,hyper=warn";

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
    // Already initialised (a test harness, a second call): keep the first.
    let _ = result;
}
