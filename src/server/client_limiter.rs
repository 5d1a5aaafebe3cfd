//! The per-client submissions limiter itself: `tower_governor`'s
//! configuration, keyed by [`ClientKey`] on the trusted-proxy rules, and the
//! housekeeping that forgets clients who stopped asking. Applying it to
//! requests is [`super::rate_limit`]'s; this file needs no server state, so
//! the state can hold the limiter without a circle of imports.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tokio::sync::watch;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder, SharedRateLimiter};
use tower_governor::key_extractor::KeyExtractor;

use crate::config::client_ip::{ClientIpSource, limit_key};
use crate::config::settings::Settings;

/// How often keys whose bucket has refilled are dropped, so the table holds
/// only clients seen in the last few seconds.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The limiter's key: the client address under the trusted-proxy rules
/// (`KIMIKO_CLIENT_IP_HEADER`, `KIMIKO_TRUSTED_PROXIES`), an IPv6 client
/// counted per /64 ([`limit_key`]).
#[derive(Clone, Debug)]
pub struct ClientKey(Arc<ClientIpSource>);

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        self.0
            .for_request(request.extensions(), request.headers())
            .map(limit_key)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The key extractor for `settings`' client-address rules.
pub fn client_key(settings: &Settings) -> ClientKey {
    ClientKey(Arc::new(settings.client_ip.clone()))
}

/// The submissions limiter, shared by every request of one server.
pub type ClientLimiter = Arc<GovernorConfig<ClientKey, NoOpMiddleware<QuantaInstant>>>;

/// The limiter for `settings`: the seam the tests read the configuration
/// through.
pub fn client_limiter(settings: &Settings) -> ClientLimiter {
    let rate = settings.ip_rate;
    let config = GovernorConfigBuilder::default()
        .period(rate.period)
        .burst_size(rate.burst)
        .key_extractor(client_key(settings))
        .finish()
        .expect("settings keep the burst and the period above zero");
    Arc::new(config)
}

/// Drops, every minute until shutdown, the keys whose bucket is full again.
pub async fn prune_stale_keys(limiter: ClientLimiter, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {
                prune(limiter.limiter());
            }
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Forgets clients whose limit state is the same as a newcomer's.
pub fn prune(limiter: &SharedRateLimiter<IpAddr, NoOpMiddleware<QuantaInstant>>) -> usize {
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::components::request_form::REQUEST_REPORT_PATH;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    fn settings(burst: u32, period: Duration, env: &[(&str, &str)]) -> Settings {
        let env: std::collections::HashMap<String, String> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut settings = Settings::from_lookup(|name| env.get(name).cloned()).unwrap();
        settings.ip_rate = crate::config::client_ip::IpRate { burst, period };
        settings
    }

    fn request_from(peer: &str, forwarded_for: Option<&str>) -> axum::http::Request<()> {
        let mut request = axum::http::Request::post(REQUEST_REPORT_PATH).body(()).unwrap();
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(value) = forwarded_for {
            request.headers_mut().insert("x-forwarded-for", value.parse().unwrap());
        }
        request
    }

    #[test]
    fn the_layer_is_configured_from_the_settings() {
        let limiter = client_limiter(&settings(2, Duration::from_secs(600), &[]));
        let ip = IpAddr::from([203, 0, 113, 9]);
        let limiter = limiter.limiter();
        assert!(limiter.check_key(&ip).is_ok() && limiter.check_key(&ip).is_ok(), "a burst of two");
        let refused = limiter.check_key(&ip).expect_err("the third at once is refused");
        let wait = refused.wait_time_from(governor::clock::Clock::now(limiter.clock()));
        // A whole period, less however long this test took to get here.
        assert!(wait <= Duration::from_secs(600) && wait > Duration::from_secs(540), "{wait:?}");
        assert!(limiter.check_key(&IpAddr::from([203, 0, 113, 10])).is_ok(), "another client has its own");
    }

    #[test]
    fn the_key_follows_the_trusted_proxy_rules() {
        let direct = settings(1, Duration::from_secs(1), &[]);
        let key = |settings: &Settings, request| client_key(settings).extract(&request).unwrap();
        let forged = request_from("198.51.100.7:5000", Some("203.0.113.1"));
        assert_eq!(key(&direct, forged), IpAddr::from([198, 51, 100, 7]), "no header believed by default");

        let proxied = settings(
            1,
            Duration::from_secs(1),
            &[("KIMIKO_CLIENT_IP_HEADER", "X-Forwarded-For"), ("KIMIKO_TRUSTED_PROXIES", "10.0.0.2")],
        );
        let through_proxy = request_from("10.0.0.2:5000", Some("203.0.113.1, 10.0.0.9"));
        assert_eq!(key(&proxied, through_proxy), IpAddr::from([10, 0, 0, 9]), "the entry the proxy appended");
        let not_the_proxy = request_from("198.51.100.7:5000", Some("203.0.113.1"));
        assert_eq!(key(&proxied, not_the_proxy), IpAddr::from([198, 51, 100, 7]), "an untrusted peer");
        let ipv6 = request_from("[2001:db8:1:2:3:4:5:6]:5000", None);
        assert_eq!(key(&proxied, ipv6), "2001:db8:1:2::".parse::<IpAddr>().unwrap(), "IPv6 per /64");
        let mut bare = request_from("10.0.0.2:5000", None);
        bare.extensions_mut().clear();
        assert!(client_key(&proxied).extract(&bare).is_err(), "no socket address, no key");
    }

    #[test]
    fn clients_that_stopped_asking_are_forgotten_and_recent_ones_kept() {
        let limiter = client_limiter(&settings(2, Duration::from_millis(1), &[]));
        for last in 1..=50u8 {
            assert!(limiter.limiter().check_key(&IpAddr::from([203, 0, 113, last])).is_ok());
        }
        assert_eq!(limiter.limiter().len(), 50);
        // Two periods later every bucket is full again: nothing worth keeping.
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(prune(limiter.limiter()), 0);

        let slow = client_limiter(&settings(2, Duration::from_secs(600), &[]));
        assert!(slow.limiter().check_key(&IpAddr::from([203, 0, 113, 1])).is_ok());
        assert_eq!(prune(slow.limiter()), 1, "a bucket still refilling is kept");
    }
}
