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
    install_panic_hook();
}

/// Routes panics through the logger with their message scrubbed of
/// anything address-like. Rust's default hook prints the raw message to
/// stderr, past every rule the log lines keep; a panic inside a library
/// that was handed an address would print it there.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let location = info.location().map(|at| format!("{}:{}", at.file(), at.line())).unwrap_or_default();
        tracing::error!(location, panic = %panic_text(&message), "panicked");
    }));
}

/// What a panic's message may say in the log: address-like words removed.
fn panic_text(message: &str) -> std::borrow::Cow<'_, str> {
    crate::storage::jobs::scrub(message)
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

#[cfg(test)]
mod tests {
    use super::panic_text;

    #[test]
    fn a_panic_message_holding_an_address_is_logged_without_it() {
        let text =
            panic_text("called `Result::unwrap()` on an `Err` value: rejected <leaky.person@example.com>");
        assert!(!text.contains("leaky.person"), "{text}");
        assert!(text.contains("called `Result::unwrap()`"), "the rest of the message stays: {text}");
    }
}
