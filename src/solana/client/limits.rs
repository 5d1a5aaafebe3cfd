//! What each endpoint allows, as configured: calls per window overall and
//! per method, and connections at once. Read from `KIMIKO_RPC_LIMITS`
//! (`HOST=OVERALL/PER_METHOD/WINDOW_SECS[/CONNECTIONS]` or `HOST=off`,
//! comma-separated, `*` for every other host).

use std::fmt;
use std::time::Duration;

/// One endpoint's allowance. Each item of a JSON-RPC batch counts as one
/// call: Helius documents that it bills each, and the public endpoint does
/// not say, so the safe reading is that it counts each too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Calls per window across every method.
    pub overall: u32,
    /// Calls per window of any one method.
    pub per_method: u32,
    pub window: Duration,
    /// Requests in flight to this endpoint at once.
    pub connections: u32,
}

impl Limits {
    /// The public mainnet endpoint's documented figures
    /// (<https://solana.com/docs/references/clusters>, "Mainnet beta rate
    /// limits"): 100 requests per 10 s per IP, 40 per 10 s for a single RPC
    /// method, 40 concurrent connections per IP.
    pub const PUBLIC_MAINNET: Limits =
        Limits { overall: 100, per_method: 40, window: Duration::from_secs(10), connections: 40 };

    /// The same allowance with its window shortened `factor` times (calls
    /// per window unchanged): how tests and the benchmark run a minute of
    /// the public endpoint's pace in seconds.
    pub fn time_scaled(self, factor: u32) -> Limits {
        Limits { window: self.window / factor.max(1), ..self }
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls per {:?}, {} per method, {} connections",
            self.overall, self.window, self.per_method, self.connections
        )
    }
}

/// Limits for every endpoint: per host (with or without its port), then a
/// default for the rest. `None` means "do not pace".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RpcLimits {
    by_host: Vec<(String, Option<Limits>)>,
    /// `None` here: unlisted hosts are paced as the public endpoint, except
    /// loopback ones (a local validator or test mock has no limits).
    default: Option<Option<Limits>>,
}

impl RpcLimits {
    /// The same limits for every endpoint.
    pub fn every(limits: Option<Limits>) -> Self {
        RpcLimits { by_host: Vec::new(), default: Some(limits) }
    }

    /// Parses `KIMIKO_RPC_LIMITS`; the error says what is wrong, for the
    /// settings check to put after the variable's name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut limits = RpcLimits::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (host, value) = entry
                .split_once('=')
                .ok_or_else(|| format!("'{entry}' is not HOST=OVERALL/PER_METHOD/WINDOW_SECS or HOST=off"))?;
            let host = host.trim().to_ascii_lowercase();
            if host.is_empty() || host.contains('/') || host.contains('?') {
                // Not echoed: a URL may carry an API key.
                return Err(
                    "an entry names a URL; give its host name only (the key stays in KIMIKO_RPC_URLS)".into(),
                );
            }
            let value = parse_value(value.trim()).map_err(|e| format!("{host}: {e}"))?;
            if host == "*" {
                limits.default = Some(value);
            } else {
                limits.by_host.push((host, value));
            }
        }
        Ok(limits)
    }

    /// The limits for an endpoint named `host` (`name` or `name:port`).
    pub fn for_host(&self, host: &str) -> Option<Limits> {
        let host = host.to_ascii_lowercase();
        let name = host.rsplit_once(':').map_or(host.as_str(), |(name, _)| name);
        let listed = self
            .by_host
            .iter()
            .find(|(h, _)| *h == host)
            .or_else(|| self.by_host.iter().find(|(h, _)| h == name));
        if let Some((_, limits)) = listed {
            return *limits;
        }
        match self.default {
            Some(limits) => limits,
            None if is_loopback(name) => None,
            None => Some(Limits::PUBLIC_MAINNET),
        }
    }
}

fn parse_value(value: &str) -> Result<Option<Limits>, String> {
    if value.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let parts: Vec<&str> = value.split('/').map(str::trim).collect();
    if !(3..=4).contains(&parts.len()) {
        return Err(format!("'{value}' is not OVERALL/PER_METHOD/WINDOW_SECS[/CONNECTIONS] or off"));
    }
    let number = |text: &str, what: &str| -> Result<u32, String> {
        match text.parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(format!("{what} '{text}' is not a whole number from 1 to 1000000")),
        }
    };
    let overall = number(parts[0], "OVERALL")?;
    let per_method = number(parts[1], "PER_METHOD")?;
    let window = number(parts[2], "WINDOW_SECS")?;
    let connections = match parts.get(3) {
        Some(text) => number(text, "CONNECTIONS")?,
        None => Limits::PUBLIC_MAINNET.connections,
    };
    if per_method > overall {
        return Err(format!("PER_METHOD {per_method} is more than OVERALL {overall}"));
    }
    Ok(Some(Limits { overall, per_method, window: Duration::from_secs(u64::from(window)), connections }))
}

fn is_loopback(name: &str) -> bool {
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_hosts_get_the_public_endpoints_figures_and_loopback_none() {
        let limits = RpcLimits::default();
        assert_eq!(limits.for_host("api.mainnet-beta.solana.com"), Some(Limits::PUBLIC_MAINNET));
        assert_eq!(limits.for_host("127.0.0.1:8899"), None);
        assert_eq!(limits.for_host("localhost"), None);
    }

    #[test]
    fn hosts_match_with_or_without_their_port_and_star_sets_the_rest() {
        let limits =
            RpcLimits::parse("mainnet.helius-rpc.com=500/500/10, 127.0.0.1:9000=10/5/1/2, *=off").unwrap();
        let helius = limits.for_host("mainnet.helius-rpc.com").unwrap();
        assert_eq!((helius.overall, helius.per_method, helius.connections), (500, 500, 40));
        assert_eq!(limits.for_host("127.0.0.1:9000").unwrap().connections, 2);
        assert_eq!(limits.for_host("api.mainnet-beta.solana.com"), None);
    }

    #[test]
    fn bad_entries_say_what_is_wrong() {
        for (bad, says) in [
            ("api.example", "HOST=OVERALL"),
            ("a.example=100/40", "OVERALL/PER_METHOD/WINDOW_SECS"),
            ("a.example=100/x/10", "PER_METHOD 'x'"),
            ("a.example=10/40/10", "more than OVERALL"),
            ("https://a.example/?key=1=1/1/1", "host name only"),
            ("a.example=100/40/0", "WINDOW_SECS '0'"),
        ] {
            let error = RpcLimits::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
