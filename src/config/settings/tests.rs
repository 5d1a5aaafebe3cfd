//! Reading and checking settings from a given environment.

use super::*;
use std::collections::HashMap;

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let map: HashMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Settings::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn embedded_defaults_work_with_an_empty_environment() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.database_url, "sqlite://data/kimiko.db");
    assert_eq!(s.rpc_urls[0].as_str(), "https://api.mainnet-beta.solana.com/");
    assert_eq!(s.history_cap, 1000);
    assert_eq!(s.worker_batch, 10);
    assert_eq!(s.max_attempts, 3);
    assert!(s.smtp_url.is_none());
    assert_eq!(s.link("/report/x"), "http://127.0.0.1:3000/report/x");
    assert_eq!(s.database_dir(), Some(PathBuf::from("data")));
}

#[test]
fn errors_name_the_variable() {
    let error = settings(&[("KIMIKO_RPC_URLS", "ftp://example.com")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_RPC_URLS");
    let error = settings(&[("KIMIKO_HISTORY_CAP", "lots")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_HISTORY_CAP");
    let error = settings(&[("LEPTOS_SITE_ADDR", "nowhere")]).unwrap_err();
    assert_eq!(error.variable, "LEPTOS_SITE_ADDR");
    let error = settings(&[("KIMIKO_SMTP_URL", "http://mail.example.com")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_SMTP_URL");
    let error = settings(&[("KIMIKO_MAIL_FROM", "not a mailbox")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_MAIL_FROM");
    let error = settings(&[("KIMIKO_DATABASE_URL", "mysql://x")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_DATABASE_URL");
    // A guessable admin token: the admin endpoints have no rate limit.
    assert_eq!(settings(&[("KIMIKO_ADMIN_TOKEN", "admin")]).unwrap_err().variable, "KIMIKO_ADMIN_TOKEN");
    assert!(settings(&[("KIMIKO_ADMIN_TOKEN", "a-long-enough-token")]).is_ok());
}

#[test]
fn an_https_site_refuses_to_start_without_its_secret() {
    let error = settings(&[("KIMIKO_PUBLIC_URL", "https://kimiko.example")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_SECRET");
    assert!(error.to_string().contains("KIMIKO_SECRET: required"), "{error}");
    let secret = "x".repeat(32);
    assert!(
        settings(&[
            ("KIMIKO_PUBLIC_URL", "https://kimiko.example"),
            ("KIMIKO_SECRET", &secret),
            ("KIMIKO_SMTP_URL", "smtps://user:pass@mail.example:465"),
        ])
        .is_ok()
    );
    // Local use keeps working on a generated secret.
    assert!(settings(&[("KIMIKO_PUBLIC_URL", "http://127.0.0.1:3000")]).unwrap().secret.is_none());
}

#[test]
fn several_rpc_endpoints_and_no_secrets_in_debug() {
    let s = settings(&[
        ("KIMIKO_RPC_URLS", "https://a.example/key123, http://127.0.0.1:8899"),
        ("KIMIKO_SMTP_URL", "smtps://user:hunter2@mail.example.com:465"),
    ])
    .unwrap();
    assert_eq!(s.rpc_urls.len(), 2);
    let debug = format!("{s:?}");
    assert!(!debug.contains("hunter2") && !debug.contains("key123"), "{debug}");
    let error = settings(&[("KIMIKO_SMTP_URL", "smtp://user:hunter2@")]).unwrap_err();
    assert!(!error.to_string().contains("hunter2"));
}

/// Production settings that used to be accepted and each lost something:
/// addresses kept in `.eml` files, a password sent in clear, mail
/// linking to the listen address instead of the site.
#[test]
fn production_mistakes_refuse_to_start_naming_the_variable() {
    let secret = "x".repeat(32);
    let https = [("KIMIKO_PUBLIC_URL", "https://kimiko.example"), ("KIMIKO_SECRET", secret.as_str())];
    let error = settings(&https).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_SMTP_URL");
    assert!(error.to_string().contains(".eml"), "{error}");

    for clear in
        ["smtp://user:hunter2@mail.example:587", "smtp://user:hunter2@mail.example:587?tls=opportunistic"]
    {
        let error = settings(&[("KIMIKO_SMTP_URL", clear)]).unwrap_err();
        assert_eq!(error.variable, "KIMIKO_SMTP_URL", "{clear}");
        assert!(error.to_string().contains("without TLS"), "{error}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    for fine in [
        "smtps://user:hunter2@mail.example:465",
        "smtp://user:hunter2@mail.example:587?tls=required",
        "smtp://mail.example:25",
        "smtp://user:pass@127.0.0.1:2525",
        "smtp://user:pass@localhost:2525",
    ] {
        assert!(settings(&[("KIMIKO_SMTP_URL", fine)]).is_ok(), "{fine}");
    }

    for listen in ["0.0.0.0:3000", "[::]:3000", "192.0.2.7:3000"] {
        let error = settings(&[("LEPTOS_SITE_ADDR", listen)]).unwrap_err();
        assert_eq!(error.variable, "KIMIKO_PUBLIC_URL", "{listen}");
    }
    let public =
        settings(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000"), ("KIMIKO_PUBLIC_URL", "http://kimiko.lan")]);
    assert_eq!(public.unwrap().link("/x"), "http://kimiko.lan/x");
    assert_eq!(
        settings(&[("LEPTOS_SITE_ADDR", "127.0.0.2:3000")]).unwrap().link("/x"),
        "http://127.0.0.2:3000/x"
    );
}

#[test]
fn following_links_is_bounded_by_default_and_its_limits_are_checked() {
    let s = settings(&[]).unwrap();
    assert_eq!((s.hops, s.hop_budget), (3, 25));
    assert_eq!(s.lookup_ttl, Duration::from_secs(24 * 3600));
    assert_eq!(s.newest_lookup_ttl, Duration::from_secs(600));
    assert_eq!(
        settings(&[("KIMIKO_NEWEST_LOOKUP_TTL_MINUTES", "0")]).unwrap().newest_lookup_ttl,
        Duration::ZERO
    );
    assert_eq!(
        settings(&[("KIMIKO_NEWEST_LOOKUP_TTL_MINUTES", "1441")]).unwrap_err().variable,
        "KIMIKO_NEWEST_LOOKUP_TTL_MINUTES"
    );
    let s = settings(&[("KIMIKO_HOPS", "5"), ("KIMIKO_HOP_BUDGET", "0")]).unwrap();
    assert_eq!((s.hops, s.hop_budget), (5, 0));
    for (variable, value) in [("KIMIKO_HOPS", "0"), ("KIMIKO_HOPS", "7"), ("KIMIKO_HOP_BUDGET", "-1")] {
        assert_eq!(settings(&[(variable, value)]).unwrap_err().variable, variable, "{variable}={value}");
    }
    assert_eq!(
        settings(&[("KIMIKO_LOOKUP_TTL_HOURS", "0")]).unwrap_err().variable,
        "KIMIKO_LOOKUP_TTL_HOURS"
    );
}

#[test]
fn a_postgres_database_is_accepted_with_a_shared_secret_and_its_password_never_shown() {
    let url = "postgres://kimiko:hunter2-hunter2@db.example.com:5432/kimiko?sslmode=verify-full";
    let error = settings(&[("KIMIKO_DATABASE_URL", url)]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_SECRET", "each process would make up its own secret");
    let s = settings(&[("KIMIKO_DATABASE_URL", url), ("KIMIKO_SECRET", &"s".repeat(32))]).unwrap();
    assert_eq!(s.database_url, url);
    assert_eq!(s.database_dir(), None, "no data folder to create");
    let shown = format!("{s:?}");
    assert!(shown.contains("db.example.com") && !shown.contains("hunter2"), "{shown}");
    let error =
        settings(&[("KIMIKO_DATABASE_URL", "postgres://kimiko:hunter2-hunter2@/kimiko")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_DATABASE_URL");
    assert!(!error.message.contains("hunter2"), "{}", error.message);
}

#[test]
fn rpc_limits_default_to_the_public_endpoints_figures_and_a_bad_entry_names_the_variable() {
    use crate::solana::client::Limits;
    let s = settings(&[]).unwrap();
    assert_eq!(s.rpc_limits.for_host("api.mainnet-beta.solana.com"), Some(Limits::PUBLIC_MAINNET));
    let s = settings(&[("KIMIKO_RPC_LIMITS", "mainnet.helius-rpc.com=100/100/10")]).unwrap();
    assert_eq!(s.rpc_limits.for_host("mainnet.helius-rpc.com").map(|l| l.per_method), Some(100));
    let error = settings(&[("KIMIKO_RPC_LIMITS", "mainnet.helius-rpc.com=100")]).unwrap_err();
    assert_eq!(error.variable, "KIMIKO_RPC_LIMITS");
    let error = settings(&[("KIMIKO_RPC_LIMITS", "https://x.example/?api-key=sekrit=1/1/1")]).unwrap_err();
    assert!(!error.to_string().contains("sekrit"), "{error}");
}
