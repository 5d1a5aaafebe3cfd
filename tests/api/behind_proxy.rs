//! Kimiko behind a real reverse proxy (Debian's nginx on loopback), told to
//! read the client address from the proxy's header: the limit applies to
//! each real client, a client's own forwarding header buys it nothing, and
//! the same header sent straight to Kimiko (not from the proxy) is ignored.
//!
//! Clients are told apart by their source address: 127.0.0.3 and 127.0.0.4
//! connect to nginx, which connects to Kimiko from 127.0.0.2 — the one
//! address `KIMIKO_TRUSTED_PROXIES` names.

use kimiko::testing::chain::address;

use crate::helpers::{Options, TestApp, form_body, spawn_app_with};
use crate::security_support::{Nginx, PROXY_ADDRESS, client_from};

const ALICE: &str = "127.0.0.3";
const BOB: &str = "127.0.0.4";

async fn kimiko_behind_nginx(header: &str) -> (TestApp, Nginx) {
    let app = spawn_app_with(Options {
        env: vec![
            ("KIMIKO_CLIENT_IP_HEADER", header.into()),
            ("KIMIKO_TRUSTED_PROXIES", PROXY_ADDRESS.into()),
            ("KIMIKO_IP_RATE_BURST", "2".into()),
            // Nothing refills during the test.
            ("KIMIKO_IP_RATE_PERIOD_MS", "600000".into()),
            ("KIMIKO_EMAIL_DAILY_LIMIT", "1000".into()),
        ],
        ..Options::default()
    })
    .await;
    let nginx = Nginx::start(&app.address);
    (app, nginx)
}

/// Posts the no-JavaScript form through `client` to `base`, with extra headers.
async fn post(client: &reqwest::Client, base: &str, seed: &str, extra: &[(&str, &str)]) -> u16 {
    let mut request = client
        .post(format!("{base}/api/request-report"))
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(&address(seed), &format!("{}@example.com", seed.replace(':', "-"))));
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request sent").status().as_u16()
}

async fn limits_apply_per_real_client(header: &str) {
    let (app, nginx) = kimiko_behind_nginx(header).await;
    let (alice, bob) = (client_from(ALICE), client_from(BOB));
    let via = nginx.address.as_str();

    assert_eq!(post(&alice, via, "alice:1", &[]).await, 303);
    assert_eq!(post(&alice, via, "alice:2", &[]).await, 303);
    assert_eq!(post(&alice, via, "alice:3", &[]).await, 429, "Alice used her burst");
    // Alice claims to be someone else: nginx appends (or overwrites) with
    // her real address, and Kimiko reads only what nginx wrote.
    let disguise = [("X-Forwarded-For", "198.51.100.7"), ("X-Real-IP", "198.51.100.7")];
    assert_eq!(post(&alice, via, "alice:4", &disguise).await, 429, "a forged header buys nothing");
    let as_bob = [("X-Forwarded-For", BOB), ("X-Real-IP", BOB)];
    assert_eq!(post(&alice, via, "alice:5", &as_bob).await, 429);

    // Bob, behind the same proxy, has his own allowance.
    assert_eq!(post(&bob, via, "bob:1", &[]).await, 303, "one client's limit is not another's");

    // Straight to Kimiko, bypassing nginx, the header is not believed at
    // all: the request is counted against the socket address (127.0.0.1).
    let direct = client_from("127.0.0.1");
    assert_eq!(post(&direct, &app.address, "direct:1", &as_bob).await, 303);
    assert_eq!(post(&direct, &app.address, "direct:2", &as_bob).await, 303);
    assert_eq!(post(&direct, &app.address, "direct:3", &as_bob).await, 429, "its own limit, not Bob's");
    assert_eq!(post(&bob, via, "bob:2", &[]).await, 303, "and Bob's allowance is untouched");
    assert_eq!(post(&bob, via, "bob:3", &[]).await, 429);

    assert_eq!(app.count("jobs").await, 6);
}

#[tokio::test]
async fn behind_nginx_with_x_forwarded_for_each_real_client_has_its_own_limit() {
    limits_apply_per_real_client("X-Forwarded-For").await;
}

#[tokio::test]
async fn behind_nginx_with_x_real_ip_each_real_client_has_its_own_limit() {
    limits_apply_per_real_client("X-Real-IP").await;
}

#[tokio::test]
async fn without_a_configured_header_everyone_behind_the_proxy_shares_one_limit() {
    // The safe default: headers ignored, so the proxy's address is the key.
    let app = spawn_app_with(Options {
        env: vec![("KIMIKO_IP_RATE_BURST", "2".into()), ("KIMIKO_IP_RATE_PERIOD_MS", "600000".into())],
        ..Options::default()
    })
    .await;
    let nginx = Nginx::start(&app.address);
    assert_eq!(post(&client_from(ALICE), &nginx.address, "shared:1", &[]).await, 303);
    assert_eq!(post(&client_from(BOB), &nginx.address, "shared:2", &[]).await, 303);
    assert_eq!(post(&client_from(BOB), &nginx.address, "shared:3", &[]).await, 429);
}
