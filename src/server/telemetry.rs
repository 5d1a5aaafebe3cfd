//! Logging: human-readable lines by default, JSON with `KIMIKO_LOG_FORMAT=json`;
//! `RUST_LOG` picks the levels. No log line carries an email address: the
//! type that holds one cannot be formatted.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt as _;

const DEFAULT_FILTER: &str = "info,tower_http=warn,sqlx=warn,hyper=warn";

/// Installs the process's logger on stderr.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Already initialised (a test harness, a second call): keep the first.
    let _ = subscriber(json, filter, std::io::stderr).try_init();
}

/// The logger [`init`] installs, writing to `writer`, so tests can read
/// exactly the lines an operator would.
pub fn subscriber<W>(json: bool, filter: EnvFilter, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    if json { Box::new(builder.json().flatten_event(true).finish()) } else { Box::new(builder.finish()) }
}
