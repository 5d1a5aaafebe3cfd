//! Every setting Kimiko reads, in one typed struct, from the environment (and
//! a `.env` file in development). Start-up fails with a message naming the
//! variable when a value is wrong (the checks: [`checks`]); secrets never
//! appear in `Debug` output or in an error.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::client_ip::{ClientIpSource, IpRate};
pub use super::variables::SettingsError;
use super::variables::{parse_or, ranged};
use crate::solana::client::{RpcLimits, SolanaRpc};

mod checks;

pub use checks::redact_url;
use checks::{http_url, validate_mailbox, validate_smtp_url};

/// Most reports kept in memory by default (`KIMIKO_REPORT_CACHE_SIZE`).
pub const DEFAULT_REPORT_CACHE_SIZE: usize = 256;

/// Finalized transactions kept by default (`KIMIKO_TX_CACHE_SIZE`): about
/// 200 wallets of 1,000 transactions, some 320 MB deflated (`cargo bench
/// --bench rpc` measures the mainnet fixtures at about 1.6 KB each).
pub const DEFAULT_TX_CACHE_SIZE: u64 = 200_000;

/// The public mainnet endpoint: rate-limited, but needs no key.
pub const DEFAULT_RPC_URL: &str = "https://api.mainnet-beta.solana.com";

#[derive(Clone)]
pub struct Settings {
    /// `KIMIKO_DATABASE_URL`: a SQLite URL (default `sqlite://data/kimiko.db`)
    /// or a `postgres://` one. A Postgres URL may hold a password: it is a
    /// secret, shown only without it.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where the web server listens.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the built site (WASM, CSS, public files).
    pub site_root: PathBuf,
    /// `KIMIKO_PUBLIC_URL`: base for links in mail and meta tags, no trailing slash.
    pub public_url: Url,
    /// `KIMIKO_RPC_URLS`: Solana JSON-RPC endpoints, comma-separated.
    pub rpc_urls: Vec<Url>,
    /// `KIMIKO_RPC_TIMEOUT_SECS`: per request.
    pub rpc_timeout: Duration,
    /// `KIMIKO_RPC_BATCH_SIZE`: `getTransaction` calls per JSON-RPC batch.
    pub rpc_batch_size: usize,
    /// `KIMIKO_RPC_CONCURRENCY`: requests in flight per job.
    pub rpc_concurrency: usize,
    /// `KIMIKO_RPC_LIMITS`: what each endpoint allows (calls per window
    /// overall and per method, connections); unlisted hosts are paced as the
    /// public endpoint, loopback ones not at all.
    pub rpc_limits: RpcLimits,
    /// `KIMIKO_HISTORY_CAP`: most recent transactions analysed per wallet.
    pub history_cap: usize,
    /// `KIMIKO_HOPS`: how far the funding chain is followed (the wallet's
    /// own funder is hop 1; 1 looks at no other address).
    pub hops: u8,
    /// `KIMIKO_HOP_BUDGET`: JSON-RPC calls one report may spend on other
    /// addresses (0 looks at none).
    pub hop_budget: u32,
    /// `KIMIKO_LOOKUP_TTL_HOURS`: how long a lookup of another address's
    /// history before a given signature (which cannot change) is shared
    /// between reports.
    pub lookup_ttl: Duration,
    /// `KIMIKO_NEWEST_LOOKUP_TTL_MINUTES`: how long a lookup of another
    /// address's newest history (which changes) is shared; 0 shares none.
    pub newest_lookup_ttl: Duration,
    /// `KIMIKO_SMTP_URL`: lettre's URL form; unset = write `.eml` files.
    pub smtp_url: Option<Secret>,
    /// `KIMIKO_OUTBOX_DIR`: where `.eml` files go without SMTP.
    pub outbox_dir: PathBuf,
    /// `KIMIKO_OUTBOX_RETENTION_HOURS`: how long a `.eml` file (which holds
    /// its recipient's address) stays in the outbox before it is deleted.
    pub outbox_retention: Duration,
    /// `KIMIKO_MAIL_FROM`: the sender, e.g. `Kimiko <reports@example.com>`.
    pub mail_from: String,
    /// `KIMIKO_WORKER_BATCH`: jobs claimed at once.
    pub worker_batch: u32,
    /// `KIMIKO_MAX_ATTEMPTS`: attempts before a job is dead.
    pub max_attempts: u32,
    /// `KIMIKO_LEASE_SECS`: how long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// `KIMIKO_REPORT_TTL_HOURS`: how long a report is fresh (reused, cached).
    pub report_ttl: Duration,
    /// `KIMIKO_SHUTDOWN_GRACE_SECS`: how long running jobs may finish on shutdown.
    pub shutdown_grace: Duration,
    /// `KIMIKO_RETRY_BASE_SECS`: the first retry's wait; doubles per attempt.
    pub retry_base: Duration,
    /// `KIMIKO_DEAD_LETTER_HOURS`: how long a dead job keeps its address so an
    /// operator can re-queue it (after an SMTP outage, say); erased after.
    pub dead_letter_window: Duration,
    /// `KIMIKO_LABELS_FILE`: extra address labels on top of the shipped set.
    pub labels_file: Option<PathBuf>,
    /// `KIMIKO_ADMIN_TOKEN`: enables the admin endpoints when set.
    pub admin_token: Option<Secret>,
    /// `KIMIKO_SECRET`: key for the hashes rate limits count on; generated
    /// and kept beside the database when unset.
    pub secret: Option<Secret>,
    /// `KIMIKO_EMAIL_DAILY_LIMIT`: report requests per address per 24 hours.
    pub email_daily_limit: u32,
    /// `KIMIKO_REPORT_CACHE_SIZE`: reports (with their pages and cards) kept
    /// in memory; 0 turns the cache off.
    pub report_cache_size: usize,
    /// `KIMIKO_TX_CACHE_SIZE`: finalized transactions kept in the database
    /// so none is read from the RPC twice (the first stored go first); 0
    /// keeps none there.
    pub tx_cache_size: u64,
    /// `KIMIKO_LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// `KIMIKO_CLIENT_IP_HEADER` and friends: where the client's address comes from.
    pub client_ip: ClientIpSource,
    /// `KIMIKO_IP_RATE_BURST`, `KIMIKO_IP_RATE_PERIOD_MS`: submissions per client.
    pub ip_rate: IpRate,
}

/// A value that must never be printed (passwords in URLs, tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

impl Settings {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, SettingsError> {
        if let Some(path) = checks::find_dotenv() {
            checks::load_dotenv(&path)?;
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass their own values
    /// through exactly the same parsing and validation.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let var = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let site_addr: SocketAddr = parse_or(&var, "LEPTOS_SITE_ADDR", "127.0.0.1:3000")?;
        let public_url = match var("KIMIKO_PUBLIC_URL") {
            Some(text) => http_url("KIMIKO_PUBLIC_URL", &text)?,
            None => checks::default_public_url(site_addr)?,
        };
        let rpc_urls = var("KIMIKO_RPC_URLS")
            .unwrap_or_else(|| DEFAULT_RPC_URL.to_owned())
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| http_url("KIMIKO_RPC_URLS", u))
            .collect::<Result<Vec<_>, _>>()?;
        if rpc_urls.is_empty() {
            return Err(SettingsError {
                variable: "KIMIKO_RPC_URLS",
                message: "give at least one endpoint".into(),
            });
        }
        let smtp_url = var("KIMIKO_SMTP_URL").map(Secret::new);
        if let Some(url) = &smtp_url {
            validate_smtp_url(url.expose())?;
        }
        let database_url = var("KIMIKO_DATABASE_URL").unwrap_or_else(|| "sqlite://data/kimiko.db".to_owned());
        let postgres = checks::database_url(&database_url)?;
        // An https public URL is a production site: it must not run on a
        // secret it made up itself (lost with the data folder, or copied with it).
        let production = public_url.scheme() == "https";
        let host = public_url.host_str().unwrap_or("localhost").to_owned();
        let mail_from = var("KIMIKO_MAIL_FROM").unwrap_or_else(|| format!("Kimiko <kimiko@{host}>"));
        validate_mailbox(&mail_from)?;

        let settings = Settings {
            database_url,
            site_addr,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()).into(),
            public_url,
            rpc_urls,
            rpc_timeout: Duration::from_secs(ranged(&var, "KIMIKO_RPC_TIMEOUT_SECS", 20, 1..=300)?),
            rpc_batch_size: ranged(&var, "KIMIKO_RPC_BATCH_SIZE", 50, 1..=1000)? as usize,
            rpc_concurrency: ranged(&var, "KIMIKO_RPC_CONCURRENCY", 4, 1..=64)? as usize,
            rpc_limits: match var("KIMIKO_RPC_LIMITS") {
                None => RpcLimits::default(),
                Some(text) => RpcLimits::parse(&text)
                    .map_err(|message| SettingsError { variable: "KIMIKO_RPC_LIMITS", message })?,
            },
            history_cap: ranged(&var, "KIMIKO_HISTORY_CAP", 1000, 1..=100_000)? as usize,
            hops: ranged(&var, "KIMIKO_HOPS", 3, 1..=6)? as u8,
            hop_budget: ranged(&var, "KIMIKO_HOP_BUDGET", 25, 0..=1000)? as u32,
            lookup_ttl: Duration::from_secs(ranged(&var, "KIMIKO_LOOKUP_TTL_HOURS", 24, 1..=24 * 30)? * 3600),
            newest_lookup_ttl: Duration::from_secs(
                ranged(&var, "KIMIKO_NEWEST_LOOKUP_TTL_MINUTES", 10, 0..=24 * 60)? * 60,
            ),
            smtp_url,
            outbox_dir: var("KIMIKO_OUTBOX_DIR").unwrap_or_else(|| "data/outbox".into()).into(),
            outbox_retention: Duration::from_secs(
                ranged(&var, "KIMIKO_OUTBOX_RETENTION_HOURS", 24, 1..=24 * 30)? * 3600,
            ),
            mail_from,
            worker_batch: ranged(&var, "KIMIKO_WORKER_BATCH", 10, 1..=1000)? as u32,
            max_attempts: ranged(&var, "KIMIKO_MAX_ATTEMPTS", 3, 1..=100)? as u32,
            lease: Duration::from_secs(ranged(&var, "KIMIKO_LEASE_SECS", 60, 2..=3600)?),
            report_ttl: Duration::from_secs(
                ranged(&var, "KIMIKO_REPORT_TTL_HOURS", 24, 1..=24 * 365)? * 3600,
            ),
            shutdown_grace: Duration::from_secs(ranged(&var, "KIMIKO_SHUTDOWN_GRACE_SECS", 20, 0..=3600)?),
            retry_base: Duration::from_secs(ranged(&var, "KIMIKO_RETRY_BASE_SECS", 10, 0..=3600)?),
            dead_letter_window: Duration::from_secs(
                ranged(&var, "KIMIKO_DEAD_LETTER_HOURS", 72, 0..=24 * 30)? * 3600,
            ),
            labels_file: var("KIMIKO_LABELS_FILE").map(PathBuf::from),
            admin_token: match var("KIMIKO_ADMIN_TOKEN") {
                // The admin endpoints have no rate limit: the token must be unguessable.
                Some(token) if token.len() < 16 => {
                    return Err(SettingsError {
                        variable: "KIMIKO_ADMIN_TOKEN",
                        message: "use at least 16 characters (e.g. `openssl rand -hex 32`)".into(),
                    });
                }
                other => other.map(Secret::new),
            },
            secret: match var("KIMIKO_SECRET") {
                Some(secret) if secret.len() < 32 => {
                    return Err(SettingsError {
                        variable: "KIMIKO_SECRET",
                        message: "use at least 32 characters (e.g. `openssl rand -hex 32`)".into(),
                    });
                }
                None if production => {
                    return Err(SettingsError {
                        variable: "KIMIKO_SECRET",
                        message: "required when KIMIKO_PUBLIC_URL is https (production); generate one with `openssl rand -hex 32`".into(),
                    });
                }
                // Every process must hash an address alike, or the per-address
                // limits count each process's requests apart.
                None if postgres => {
                    return Err(SettingsError {
                        variable: "KIMIKO_SECRET",
                        message: "required with a postgres:// database (every process needs the same one); generate one with `openssl rand -hex 32`".into(),
                    });
                }
                other => other.map(Secret::new),
            },
            email_daily_limit: ranged(&var, "KIMIKO_EMAIL_DAILY_LIMIT", 3, 1..=10_000)? as u32,
            report_cache_size: ranged(
                &var,
                "KIMIKO_REPORT_CACHE_SIZE",
                DEFAULT_REPORT_CACHE_SIZE as u64,
                0..=100_000,
            )? as usize,
            tx_cache_size: ranged(&var, "KIMIKO_TX_CACHE_SIZE", DEFAULT_TX_CACHE_SIZE, 0..=100_000_000)?,
            log_json: match var("KIMIKO_LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(other) => {
                    return Err(SettingsError {
                        variable: "KIMIKO_LOG_FORMAT",
                        message: format!("'{other}' is neither 'text' nor 'json'"),
                    });
                }
            },
            client_ip: ClientIpSource::from_lookup(&var)?,
            ip_rate: IpRate::from_lookup(&var)?,
        };
        checks::production_mail(production, settings.smtp_url.is_some())?;
        Ok(settings)
    }

    /// The Solana RPC client these settings describe (endpoints, timeout,
    /// batching, concurrency and each endpoint's limits).
    pub fn rpc_client(&self) -> SolanaRpc {
        SolanaRpc::with_limits(
            &self.rpc_urls,
            self.rpc_timeout,
            self.rpc_batch_size,
            self.rpc_concurrency,
            &self.rpc_limits,
        )
    }

    /// An absolute link to a path on this site (`path` starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_str().trim_end_matches('/'))
    }

    /// The folder of the SQLite file, created on first run (`None` on
    /// Postgres).
    pub fn database_dir(&self) -> Option<PathBuf> {
        if !self.database_url.starts_with("sqlite:") {
            return None;
        }
        let path = self.database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        PathBuf::from(path).parent().map(PathBuf::from).filter(|p| !p.as_os_str().is_empty())
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Endpoints can carry API keys in their paths or queries: show hosts only.
        let rpc_hosts: Vec<&str> = self.rpc_urls.iter().filter_map(|u| u.host_str()).collect();
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url.as_str())
            .field("rpc_hosts", &rpc_hosts)
            .field("smtp", &self.smtp_url.as_ref().map(|_| "<configured>"))
            .field("outbox_dir", &self.outbox_dir)
            .field("history_cap", &self.history_cap)
            .field("hops", &self.hops)
            .field("hop_budget", &self.hop_budget)
            .field("worker_batch", &self.worker_batch)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
