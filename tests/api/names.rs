//! `.sol` names in place of an address — the form (with and without
//! JavaScript), report links and the JSON API — resolved through the mock
//! RPC's `getAccountInfo` (mainnet's shape, base64) as SNS-IP 5 says: the
//! owner, a SOL record v2 or v1, a tokenized name's holder; and a name that
//! does not exist, has no owner or is malformed refused with nothing stored.

use kimiko::testing::chain::address;
use kimiko::testing::{Chain, Fault, scenarios, sns};

use crate::helpers::{Options, TestApp, report_link, spawn_app, spawn_app_with};
use crate::on_both_backends;

const EMAIL: &str = "names@example.com";

/// The wallet the job for `job_id` analyses, read from its report link.
async fn job_wallet(app: &TestApp, job_id: &str) -> String {
    app.run_worker().await;
    let job = app.job_json(job_id).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    job["report_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

on_both_backends! {
    async fn a_name_in_the_form_is_analysed_as_its_wallet_and_the_report_says_which_name(database) {
        let mut chain = Chain::new();
        let scenario = scenarios::exposed_wallet(&mut chain);
        sns::register(&mut chain, "kimiko-test.sol", &scenario.wallet);
        let app = spawn_app_with(Options { chain, database, ..Options::default() }).await;

        // Typed with capitals and spaces, as people do.
        let job_id = app.submit("  Kimiko-Test.SOL ", EMAIL).await;
        assert_eq!(app.rpc.calls_of("getAccountInfo"), 4, "registry, NFT record, SOL records v1 and v2");
        assert_eq!(job_wallet(&app, &job_id).await, scenario.wallet);

        let api: serde_json::Value =
            app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
        assert_eq!(api["wallet"], scenario.wallet);
        assert_eq!(api["reached_via"], "kimiko-test.sol");
        let mail = &app.sent_mail()[0];
        assert!(mail.text.contains("You asked by name: kimiko-test.sol"), "{}", mail.text);
        assert_eq!(report_link(&mail.text), format!("/report/{}", scenario.wallet), "the canonical link");
        let page = app.get(&format!("/report/{}", scenario.wallet)).await.text().await.unwrap();
        assert!(page.contains("Reached through the name"), "the page says which name led to it");
        assert!(page.contains("kimiko-test.sol"));
    }
}

#[tokio::test]
async fn the_hydrated_form_takes_a_name_too() {
    let mut chain = Chain::new();
    let wallet = address("names:js");
    sns::register(&mut chain, "js-on.sol", &wallet);
    let app = spawn_app(chain).await;
    let response = app.post_server_fn("js-on.sol", EMAIL).await;
    assert_eq!(response.status(), 200);
    let id: String = response.json().await.unwrap();
    let wallet_of_job: String = kimiko::storage::jobs::row(&app.state.db, &id).await.unwrap().unwrap().wallet;
    assert_eq!(wallet_of_job, wallet);
}

#[tokio::test]
async fn a_sol_record_signed_by_owner_and_destination_points_the_name_elsewhere_and_a_stale_one_does_not() {
    let mut chain = Chain::new();
    let (owner, destination, earlier_owner) =
        (address("names:owner"), address("names:destination"), address("names:earlier"));
    sns::register(&mut chain, "recorded.sol", &owner);
    sns::set_sol_record_v2(&mut chain, "recorded.sol", &owner, &destination, &destination);
    sns::register(&mut chain, "stale.sol", &owner);
    sns::set_sol_record_v2(&mut chain, "stale.sol", &earlier_owner, &destination, &destination);
    sns::register(&mut chain, "unsigned.sol", &owner);
    sns::set_sol_record_v2(&mut chain, "unsigned.sol", &owner, &owner, &destination);
    // A v1 record, signed by the owner's key.
    let (key, signer) = sns::keypair("names:v1-owner");
    sns::register(&mut chain, "old-record.sol", &signer);
    sns::set_sol_record_v1(&mut chain, "old-record.sol", &key, &destination);
    // A subdomain, and a tokenized name held by its NFT's holder.
    sns::register(&mut chain, "parent.sol", &owner);
    sns::register(&mut chain, "dex.parent.sol", &destination);
    let holder = address("names:holder");
    sns::tokenize(&mut chain, "wrapped.sol", &holder);
    let app = spawn_app(chain).await;

    for (name, expected) in [
        ("recorded.sol", &destination),
        ("stale.sol", &owner),
        ("old-record.sol", &destination),
        ("parent.sol", &owner),
        ("dex.parent.sol", &destination),
        ("wrapped.sol", &holder),
    ] {
        let job_id = app.submit(name, &format!("{}@example.com", name.replace('.', "-"))).await;
        assert_eq!(&job_wallet(&app, &job_id).await, expected, "{name}");
    }
    // The destination did not sign the record: no guess at all.
    let response = app.post_form("unsigned.sol", EMAIL).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("the destination wallet did not sign the record"), "{html}");
}

#[tokio::test]
async fn an_unknown_unowned_program_owned_or_malformed_name_is_refused_beside_the_field_and_nothing_is_stored()
 {
    let mut chain = Chain::new();
    sns::register(&mut chain, "released.sol", "11111111111111111111111111111111");
    sns::register(&mut chain, "vault.sol", &kimiko::testing::chain::program_address("names:vault"));
    let app = spawn_app(chain).await;
    let cases = [
        ("no-such-name.sol", "no-such-name.sol is not a registered .sol name."),
        ("released.sol", "released.sol has no owner"),
        ("vault.sol", "held by a program, not a wallet"),
        ("b\u{043E}nfida.sol", "is not a plain ASCII letter or digit"),
        ("xn--bnfida-3ve.sol", "punycode"),
        ("bonfida.eth", "Only .sol names"),
        ("a.b.c.sol", "one level of subdomain"),
    ];
    for (name, says) in cases {
        for javascript in [false, true] {
            let response = if javascript {
                app.post_server_fn(name, EMAIL).await
            } else {
                app.post_form(name, EMAIL).await
            };
            assert_eq!(response.status(), 422, "{name}");
            let body = response.text().await.unwrap();
            let body = if javascript {
                let error: serde_json::Value = serde_json::from_str(&body).unwrap();
                error["Invalid"]["wallet"].as_str().unwrap_or_default().to_owned()
            } else {
                body
            };
            assert!(body.contains(&says.replace('\'', "&#x27;")) || body.contains(says), "{name}: {body}");
        }
    }
    assert_eq!((app.count("jobs").await, app.count("requests").await), (0, 0), "nothing stored");
    // Three names existed or not on chain; the malformed ones never reached it.
    assert_eq!(app.rpc.calls_of("getAccountInfo"), 3 * 4, "each looked-up name once, then from the cache");
}

#[tokio::test]
async fn a_name_the_node_cannot_look_up_asks_to_retry_and_stores_nothing() {
    let app = spawn_app(Chain::new()).await;
    app.rpc.fail_always(Fault::Unavailable);
    let response = app.post_form("down.sol", EMAIL).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let html = response.text().await.unwrap();
    assert!(html.contains("Could not look up that .sol name"), "{html}");
    assert_eq!((app.count("jobs").await, app.count("requests").await), (0, 0));
}

#[tokio::test]
async fn report_links_by_name_redirect_to_the_wallets_page_and_a_name_without_one_says_why() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    sns::register(&mut chain, "careful.sol", &scenario.wallet);
    let app = spawn_app(chain).await;
    let job_id = app.submit(&scenario.wallet, EMAIL).await;
    job_wallet(&app, &job_id).await;

    let page = app.get("/report/careful.sol").await;
    assert!(page.status().is_redirection(), "{}", page.status());
    assert_eq!(page.headers()["location"], format!("/report/{}", scenario.wallet).as_str());
    let api = app.get("/api/reports/careful.sol").await;
    assert!(api.status().is_redirection());
    assert_eq!(api.headers()["location"], format!("/api/reports/{}", scenario.wallet).as_str());
    assert_eq!(app.rpc.calls_of("getAccountInfo"), 4, "the second link was answered from the cache");

    let missing = app.get("/report/nobody-here.sol").await;
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(html.contains("nobody-here.sol is not a registered .sol name."), "{html}");
    let missing = app.get("/api/reports/nobody-here.sol").await;
    assert_eq!(missing.status(), 404);
    let error: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(error["error"], "nobody-here.sol is not a registered .sol name.");
    let malformed = app.get("/report/b%D0%BEnfida.sol").await;
    assert_eq!(malformed.status(), 404);
    assert!(malformed.text().await.unwrap().contains("not a plain ASCII"));
    let malformed = app.get("/api/reports/b%D0%BEnfida.sol").await;
    assert_eq!(malformed.status(), 404);
    let error: serde_json::Value = malformed.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("not a plain ASCII"), "{error}");
    assert_eq!(app.rpc.calls_of("getAccountInfo"), 8, "the malformed name was never looked up");
}

#[tokio::test]
async fn looking_up_names_by_link_counts_against_the_clients_limit() {
    let env =
        vec![("KIMIKO_IP_RATE_BURST", "5".to_owned()), ("KIMIKO_IP_RATE_PERIOD_MS", "60000".to_owned())];
    // The edge limiter runs on the real clock: one token a minute means
    // none refills while the test runs. (The app's clock stays manual so the
    // name cache cannot expire mid-test either.)
    let clock = Some(kimiko::service::clock::Clock::manual(1_795_000_000_000));
    let app = spawn_app_with(Options { env, clock, ..Options::default() }).await;
    // A burst of five; each new name costs a token.
    for n in 0..5 {
        assert_eq!(app.get(&format!("/api/reports/unknown-{n}.sol")).await.status(), 404);
    }
    let refused = app.get("/api/reports/unknown-5.sol").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // An answer the cache holds takes no token and costs no call.
    let calls = app.rpc.calls();
    assert_eq!(app.get("/api/reports/unknown-0.sol").await.status(), 404);
    assert_eq!(app.rpc.calls(), calls);
}

fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/rpc/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `get_account_info_name_registry.json` is hand-written in mainnet's
/// shape for `getAccountInfo` with `encoding: base64` (a name registry of
/// 1,000 bytes, rent-exempt at 7,850,880 lamports, under `.sol`); the mock
/// must answer in exactly that shape, and the resolver must read it.
#[test]
fn the_mock_serves_accounts_in_the_shape_mainnet_sends_and_the_resolver_reads_it() {
    use kimiko::solana::sns::{AccountInfo, account_json, keys, records};
    let mainnet = fixture("get_account_info_name_registry")["result"]["value"].clone();
    let keys_of = |value: &serde_json::Value| value.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    let mock = account_json(&[0; 96], keys::NAME_PROGRAM, 1);
    assert_eq!(keys_of(&mock), keys_of(&mainnet));
    for key in ["executable", "lamports", "owner", "rentEpoch", "space"] {
        assert_eq!(mock[key].is_number(), mainnet[key].is_number(), "{key}");
    }
    assert_eq!(mock["data"][1], mainnet["data"][1]);
    let account: AccountInfo = serde_json::from_value(mainnet.clone()).unwrap();
    assert_eq!(account.owner, keys::NAME_PROGRAM);
    let data = kimiko::solana::sns::account_data(&account).unwrap();
    assert_eq!(data.len() as u64, mainnet["space"].as_u64().unwrap());
    let header = records::registry(&data).unwrap();
    assert_eq!(keys::to_base58(&header.parent), keys::SOL_TLD_ACCOUNT);
    assert!(fixture("get_account_info_missing")["result"]["value"].is_null());
}

#[tokio::test]
async fn a_report_reused_for_a_request_by_name_says_which_name_too() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    sns::register(&mut chain, "reused.sol", &scenario.wallet);
    let app = spawn_app(chain).await;
    let first = app.submit(&scenario.wallet, EMAIL).await;
    job_wallet(&app, &first).await;
    let transactions = app.rpc.calls_of("getTransaction");

    let second = app.submit("reused.sol", "other@example.com").await;
    assert_eq!(job_wallet(&app, &second).await, scenario.wallet);
    assert_eq!(app.rpc.calls_of("getTransaction"), transactions, "the stored report was reused");
    let api: serde_json::Value =
        app.get(&format!("/api/reports/{}", scenario.wallet)).await.json().await.unwrap();
    assert_eq!(api["reached_via"], "reused.sol");
    assert!(app.sent_mail()[1].text.contains("You asked by name: reused.sol"));
}
