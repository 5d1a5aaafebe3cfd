//! The checks settings must pass before Kimiko starts, each failing with a
//! message that names the variable and never echoes a secret: URLs, the
//! sender, the SMTP relay, what a production site must have, and the
//! `.env` file's syntax.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use url::Url;

use super::SettingsError;

/// `KIMIKO_DATABASE_URL`: a `sqlite:` file or a `postgres://` database
/// (also spelled `postgresql://`). Returns whether it is Postgres. The
/// message never repeats a password.
pub(super) fn database_url(text: &str) -> Result<bool, SettingsError> {
    let error = |message: String| SettingsError { variable: "KIMIKO_DATABASE_URL", message };
    if text.starts_with("sqlite:") {
        return Ok(false);
    }
    if !text.starts_with("postgres://") && !text.starts_with("postgresql://") {
        return Err(error(format!("'{}' is neither a sqlite: nor a postgres:// URL", redact_url(text))));
    }
    let url = Url::parse(text).map_err(|e| error(format!("'{}' is not a URL: {e}", redact_url(text))))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error(format!("'{}' names no host", redact_url(text))));
    }
    Ok(true)
}

/// An absolute http(s) URL with a host.
pub(super) fn http_url(name: &'static str, text: &str) -> Result<Url, SettingsError> {
    let url = Url::parse(text).map_err(|e| SettingsError {
        variable: name,
        message: format!("'{}' is not a URL: {e}", redact_url(text)),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(SettingsError {
            variable: name,
            message: format!("'{}' is not an http(s) URL", redact_url(text)),
        });
    }
    Ok(url)
}

/// `KIMIKO_SMTP_URL` in lettre's form. A user name or password is refused
/// on a connection that may be unencrypted (`smtp://` without
/// `tls=required`): AUTH would send it in clear, or to whoever strips the
/// STARTTLS offer. A relay on this machine (loopback) is exempt: nothing
/// leaves the host.
pub(super) fn validate_smtp_url(text: &str) -> Result<(), SettingsError> {
    let error = |message: String| SettingsError { variable: "KIMIKO_SMTP_URL", message };
    let url = Url::parse(text).map_err(|e| error(format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(error(format!("scheme '{}' is neither smtp nor smtps", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("no host".into()));
    }
    // lettre authenticates exactly when the URL has a password.
    let credentials = url.password().is_some();
    let tls_required =
        url.scheme() == "smtps" || url.query_pairs().any(|(k, v)| k == "tls" && v == "required");
    if credentials && !tls_required && !is_loopback_host(&url) {
        return Err(error(format!(
            "'{}' would send its credentials without TLS; use smtps://…:465 or add ?tls=required",
            redact_url(text)
        )));
    }
    Ok(())
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        // smtp: is not a scheme the URL standard knows, so an IPv4 host
        // stays text.
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub(super) fn validate_mailbox(text: &str) -> Result<(), SettingsError> {
    text.parse::<lettre::message::Mailbox>().map(|_| ()).map_err(|e| SettingsError {
        variable: "KIMIKO_MAIL_FROM",
        message: format!("'{text}' is not a mailbox: {e}"),
    })
}

/// Without `KIMIKO_PUBLIC_URL`, links in mail point at the listen address:
/// right on this machine, wrong (and silently so) for anyone else.
pub(super) fn default_public_url(site_addr: SocketAddr) -> Result<Url, SettingsError> {
    if !site_addr.ip().is_loopback() {
        return Err(SettingsError {
            variable: "KIMIKO_PUBLIC_URL",
            message: format!(
                "required when LEPTOS_SITE_ADDR ({site_addr}) is reachable from other machines: \
                 mail would link to http://{site_addr}; set the address people open, e.g. https://kimiko.example"
            ),
        });
    }
    http_url("KIMIKO_PUBLIC_URL", &format!("http://{site_addr}"))
}

/// An https public URL makes a production site, which must mail through
/// SMTP: the `.eml` outbox keeps every address in a file until someone
/// deletes it.
pub(super) fn production_mail(production: bool, smtp_configured: bool) -> Result<(), SettingsError> {
    if production && !smtp_configured {
        return Err(SettingsError {
            variable: "KIMIKO_SMTP_URL",
            message: "required when KIMIKO_PUBLIC_URL is https (production): without it mail is only \
                      written to .eml files in KIMIKO_OUTBOX_DIR, which keep each address on disk"
                .into(),
        });
    }
    Ok(())
}

/// A URL with any password and query removed, for error messages.
pub fn redact_url(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) => {
            let _ = url.set_password(None);
            url.set_query(None);
            url.to_string()
        }
        Err(_) => "<unparsable>".to_owned(),
    }
}

/// The `.env` file in the working directory or the nearest folder above it
/// (where `dotenvy` looks).
pub(super) fn find_dotenv() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().map(|dir| dir.join(".env")).find(|path| path.is_file())
}

/// Loads `path` into the environment (variables already set win), after
/// checking every line: a malformed file loads nothing, and the error names
/// the line and, when it has one, the variable — never the line itself,
/// which may hold a password.
pub(super) fn load_dotenv(path: &Path) -> Result<(), SettingsError> {
    let error = |message: String| SettingsError { variable: ".env", message };
    let text =
        std::fs::read_to_string(path).map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
    let parsed = dotenvy::from_read_iter(text.as_bytes()).collect::<Result<Vec<_>, _>>();
    match parsed {
        Ok(_) => dotenvy::from_path(path)
            .map_err(|e| error(format!("cannot load {}: {}", path.display(), io_only(&e)))),
        Err(dotenvy::Error::LineParse(line, _)) => Err(error(describe_bad_line(path, &text, &line))),
        Err(other) => Err(error(format!("cannot load {}: {}", path.display(), io_only(&other)))),
    }
}

/// Where the bad line is and which variable it sets, if that can be told.
fn describe_bad_line(path: &Path, text: &str, bad: &str) -> String {
    let first = bad.lines().next().unwrap_or_default();
    let number =
        text.lines().position(|line| !first.is_empty() && line.trim() == first.trim()).map(|i| i + 1);
    let name = first.trim().trim_start_matches("export ").split('=').next().unwrap_or_default().trim();
    let named = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let at = match number {
        Some(n) => format!("line {n}"),
        None => "a line".to_owned(),
    };
    let what = if named { format!(" (setting {name})") } else { String::new() };
    format!("{} is malformed at {at}{what}; the value is not shown", path.display())
}

/// An error's text when it cannot carry file contents (I/O, not parsing).
fn io_only(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(..) => "a line is malformed".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_env_line_is_named_by_number_and_variable_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            "# settings\nKIMIKO_EDGE_TEST_FIRST=1\nKIMIKO_SMTP_URL='smtps://user:hunter2@mail.example:465\n",
        )
        .unwrap();
        let error = load_dotenv(&path).unwrap_err();
        let text = error.to_string();
        assert_eq!(error.variable, ".env");
        assert!(text.contains("line 3") && text.contains("KIMIKO_SMTP_URL"), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("smtps"), "the value is shown: {text}");
        assert!(std::env::var("KIMIKO_EDGE_TEST_FIRST").is_err(), "a malformed file loads nothing");
    }

    #[test]
    fn a_line_without_a_name_is_named_by_number_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "KIMIKO_EDGE_TEST_OK=1\nhunter2 secret words\n").unwrap();
        let text = load_dotenv(&path).unwrap_err().to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn a_good_env_file_loads_without_overriding_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "KIMIKO_EDGE_TEST_LOADED=from-file\nexport KIMIKO_EDGE_TEST_EXPORTED=yes\n")
            .unwrap();
        load_dotenv(&path).unwrap();
        assert_eq!(std::env::var("KIMIKO_EDGE_TEST_LOADED").unwrap(), "from-file");
        assert_eq!(std::env::var("KIMIKO_EDGE_TEST_EXPORTED").unwrap(), "yes");
    }
}
