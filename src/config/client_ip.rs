//! Who is asking: the client's IP address, which rate limits key on.
//!
//! By default it is the TCP peer and every forwarding header is ignored, so a
//! client cannot pick its own address. Behind a reverse proxy the operator
//! names the header the proxy sets (`KIMIKO_CLIENT_IP_HEADER`); it is then
//! believed only on connections from the proxy's own address
//! (`KIMIKO_TRUSTED_PROXIES`), and for `X-Forwarded-For` only the entry the
//! last trusted proxy appended (`KIMIKO_TRUSTED_PROXY_HOPS`) — whatever a
//! client wrote to the left of it is its own invention.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, HeaderName};
use ipnet::IpNet;

use super::variables::{SettingsError, ranged};

/// Where the client's address comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientIpSource {
    /// The TCP peer (the default).
    Socket,
    /// A header holding one address, such as `CF-Connecting-IP` or `X-Real-IP`.
    Header { name: HeaderName, trusted: TrustedProxies },
    /// `X-Forwarded-For`: each proxy appends the address it saw, so with
    /// `hops` trusted proxies the client is `hops` entries from the right.
    ForwardedFor { hops: usize, trusted: TrustedProxies },
}

/// The peers whose forwarding headers are believed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedProxies {
    /// Any peer: only when the network already lets nothing but the proxy in.
    Any,
    Networks(Vec<IpNet>),
}

impl TrustedProxies {
    fn contains(&self, peer: IpAddr) -> bool {
        match self {
            TrustedProxies::Any => true,
            TrustedProxies::Networks(networks) => networks.iter().any(|net| net.contains(&canonical(peer))),
        }
    }
}

impl ClientIpSource {
    /// Reads `KIMIKO_CLIENT_IP_HEADER`, `KIMIKO_TRUSTED_PROXIES` and
    /// `KIMIKO_TRUSTED_PROXY_HOPS`.
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let Some(header) = var("KIMIKO_CLIENT_IP_HEADER") else {
            return Ok(ClientIpSource::Socket);
        };
        let error = |variable, message: String| SettingsError { variable, message };
        let name = HeaderName::try_from(header.as_str())
            .map_err(|_| error("KIMIKO_CLIENT_IP_HEADER", format!("'{header}' is not a header name")))?;
        if name.as_str() == "forwarded" {
            return Err(error(
                "KIMIKO_CLIENT_IP_HEADER",
                "the RFC 7239 Forwarded header is not supported; have the proxy set X-Forwarded-For or X-Real-IP"
                    .into(),
            ));
        }
        let trusted = match var("KIMIKO_TRUSTED_PROXIES").as_deref() {
            Some("*") => TrustedProxies::Any,
            Some(list) => TrustedProxies::Networks(
                list.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| parse_network(item).ok_or(item))
                    .collect::<Result<_, _>>()
                    .map_err(|item| {
                        error(
                            "KIMIKO_TRUSTED_PROXIES",
                            format!("'{item}' is not an IP address or CIDR network"),
                        )
                    })?,
            ),
            None => TrustedProxies::Networks(vec![
                "127.0.0.0/8".parse().expect("valid network"),
                "::1/128".parse().expect("valid network"),
            ]),
        };
        if name.as_str() == "x-forwarded-for" {
            let hops = ranged(var, "KIMIKO_TRUSTED_PROXY_HOPS", 1, 1..=10)? as usize;
            Ok(ClientIpSource::ForwardedFor { hops, trusted })
        } else {
            Ok(ClientIpSource::Header { name, trusted })
        }
    }

    /// The client's address; `peer` when no trusted proxy vouches for another.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let forwarded = match self {
            ClientIpSource::Socket => None,
            ClientIpSource::Header { name, trusted } if peer.is_some_and(|p| trusted.contains(p)) => {
                let mut values = headers.get_all(name).iter();
                // Two copies of the header mean someone added one: believe neither.
                match (values.next(), values.next()) {
                    (Some(value), None) => value.to_str().ok().and_then(parse_ip),
                    _ => None,
                }
            }
            ClientIpSource::ForwardedFor { hops, trusted } if peer.is_some_and(|p| trusted.contains(p)) => {
                let entries: Vec<&str> = headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .collect();
                entries.len().checked_sub(*hops).and_then(|i| parse_ip(entries[i]))
            }
            _ => None,
        };
        forwarded.map(canonical).or(peer)
    }

    /// The client's address for a request whose socket address axum put in
    /// its extensions (`into_make_service_with_connect_info`).
    pub fn for_request(&self, extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        self.client_ip(peer, headers)
    }
}

/// One address or a CIDR network.
fn parse_network(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`).
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>().ok().or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// IPv4 written as IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What one client is counted as: its IPv4 address, or its IPv6 /64 — one
/// home or phone is handed a whole /64 and can pick a new address in it at
/// will.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

/// The per-client quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRate {
    pub burst: u32,
    pub period: Duration,
}

impl IpRate {
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        Ok(IpRate {
            burst: ranged(var, "KIMIKO_IP_RATE_BURST", 5, 1..=1_000_000)? as u32,
            period: Duration::from_millis(ranged(var, "KIMIKO_IP_RATE_PERIOD_MS", 2000, 1..=3_600_000)?),
        })
    }

    /// The window in which `burst` requests are allowed from empty, in whole seconds.
    pub fn window_secs(&self) -> u64 {
        (self.period * self.burst).as_secs_f64().ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn source(pairs: &[(&str, &str)]) -> Result<ClientIpSource, SettingsError> {
        let map: HashMap<&str, String> = pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        ClientIpSource::from_lookup(&|name| map.get(name).cloned())
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::try_from(*name).unwrap(), value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    const PROXY: &str = "127.0.0.2";

    #[test]
    fn by_default_forwarding_headers_are_ignored() {
        let source = source(&[]).unwrap();
        let forged = headers(&[("x-forwarded-for", "9.9.9.9"), ("x-real-ip", "8.8.8.8")]);
        assert_eq!(source.client_ip(Some(ip("203.0.113.7")), &forged), Some(ip("203.0.113.7")));
    }

    #[test]
    fn forwarded_for_believes_only_the_entry_the_trusted_proxy_appended() {
        let one = source(&[("KIMIKO_CLIENT_IP_HEADER", "X-Forwarded-For")]).unwrap();
        let peer = Some(ip(PROXY));
        // The client wrote 9.9.9.9 itself; the proxy appended what it saw.
        let through_proxy = headers(&[("x-forwarded-for", "9.9.9.9, 203.0.113.7")]);
        assert_eq!(one.client_ip(peer, &through_proxy), Some(ip("203.0.113.7")));
        // Two header lines are one list.
        let split = headers(&[("x-forwarded-for", "9.9.9.9"), ("x-forwarded-for", "203.0.113.8")]);
        assert_eq!(one.client_ip(peer, &split), Some(ip("203.0.113.8")));
        // With two proxies in front, the client is second from the right.
        let two =
            source(&[("KIMIKO_CLIENT_IP_HEADER", "x-forwarded-for"), ("KIMIKO_TRUSTED_PROXY_HOPS", "2")])
                .unwrap();
        let chain = headers(&[("x-forwarded-for", "9.9.9.9, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(two.client_ip(peer, &chain), Some(ip("203.0.113.9")));
        // Fewer entries than proxies: it did not come through them all.
        assert_eq!(two.client_ip(peer, &headers(&[("x-forwarded-for", "203.0.113.9")])), peer);
    }

    #[test]
    fn a_header_from_an_untrusted_peer_changes_nothing() {
        let source =
            source(&[("KIMIKO_CLIENT_IP_HEADER", "X-Real-IP"), ("KIMIKO_TRUSTED_PROXIES", PROXY)]).unwrap();
        let forged = headers(&[("x-real-ip", "9.9.9.9")]);
        assert_eq!(source.client_ip(Some(ip("127.0.0.1")), &forged), Some(ip("127.0.0.1")));
        assert_eq!(source.client_ip(Some(ip(PROXY)), &forged), Some(ip("9.9.9.9")));
        // A duplicated or garbled header is not believed either.
        let twice = headers(&[("x-real-ip", "9.9.9.9"), ("x-real-ip", "8.8.8.8")]);
        assert_eq!(source.client_ip(Some(ip(PROXY)), &twice), Some(ip(PROXY)));
        let garbled = headers(&[("x-real-ip", "nine.nine")]);
        assert_eq!(source.client_ip(Some(ip(PROXY)), &garbled), Some(ip(PROXY)));
    }

    #[test]
    fn proxies_written_with_ports_or_as_mapped_ipv6_are_understood() {
        let source =
            source(&[("KIMIKO_CLIENT_IP_HEADER", "CF-Connecting-IP"), ("KIMIKO_TRUSTED_PROXIES", "*")])
                .unwrap();
        let peer = Some(ip("198.51.100.1"));
        assert_eq!(
            source.client_ip(peer, &headers(&[("cf-connecting-ip", "[2001:db8::1]:443")])),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(
            source.client_ip(peer, &headers(&[("cf-connecting-ip", "::ffff:203.0.113.7")])),
            Some(ip("203.0.113.7"))
        );
    }

    #[test]
    fn one_ipv6_household_is_one_client() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), limit_key(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(limit_key(ip("2001:db8:1:2::1")), limit_key(ip("2001:db8:1:3::1")));
        assert_eq!(limit_key(ip("203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let e = source(&[("KIMIKO_CLIENT_IP_HEADER", "bad header")]).unwrap_err();
        assert_eq!(e.variable, "KIMIKO_CLIENT_IP_HEADER");
        let e = source(&[("KIMIKO_CLIENT_IP_HEADER", "Forwarded")]).unwrap_err();
        assert_eq!(e.variable, "KIMIKO_CLIENT_IP_HEADER");
        let e =
            source(&[("KIMIKO_CLIENT_IP_HEADER", "X-Real-IP"), ("KIMIKO_TRUSTED_PROXIES", "10.0.0.0/33")])
                .unwrap_err();
        assert_eq!(e.variable, "KIMIKO_TRUSTED_PROXIES");
        let e = source(&[("KIMIKO_CLIENT_IP_HEADER", "X-Forwarded-For"), ("KIMIKO_TRUSTED_PROXY_HOPS", "0")])
            .unwrap_err();
        assert_eq!(e.variable, "KIMIKO_TRUSTED_PROXY_HOPS");
    }
}
