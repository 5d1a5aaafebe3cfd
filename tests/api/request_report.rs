//! The report request form: validation, both submit paths, nothing stored on
//! bad input, no email address anywhere after.

use kimiko::testing::Chain;
use kimiko::testing::chain::address;

use crate::helpers::spawn_app;

const EMAIL: &str = "someone@example.com";

#[tokio::test]
async fn a_valid_plain_form_post_redirects_to_the_job_page() {
    let app = spawn_app(Chain::new()).await;
    let wallet = address("form:valid");
    let response = app.post_form(&format!("  {wallet}\n"), EMAIL).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/jobs/"), "{location}");
    assert!(!location.contains("example.com"));

    let page = app.get(&location).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&wallet), "the job page names the wallet");
    assert!(html.contains("Queued"));
    assert!(!html.contains(EMAIL) && !html.contains("someone"), "the job page must not show the email");
    assert_eq!(app.count("jobs").await, 1);
}

#[tokio::test]
async fn the_hydrated_form_gets_a_client_side_redirect_from_the_server_function() {
    let app = spawn_app(Chain::new()).await;
    let response = app.post_server_fn(&address("form:js"), EMAIL).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("serverfnredirect"));
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id: String = response.json().await.unwrap();
    assert_eq!(location, format!("/jobs/{id}"));
    let job = app.job_json(&id).await;
    assert_eq!(job["status"], "queued");
    assert_eq!(job["progress_done"], 0);
    assert!(job["report_url"].is_null());
    assert!(!job.to_string().contains("example.com"));
}

#[tokio::test]
async fn invalid_input_gets_messages_beside_the_fields_and_stores_nothing() {
    let app = spawn_app(Chain::new()).await;
    let cases = [
        ("", EMAIL, Some("Enter a Solana wallet address"), None),
        ("0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", EMAIL, Some("can't appear in a Solana address"), None),
        (&"z".repeat(45), EMAIL, Some("at most 44 characters"), None),
        (&"z".repeat(44), EMAIL, Some("exactly 32"), None),
        (&address("form:bad-email"), "not-an-email", None, Some("doesn't look like an email")),
        (&address("form:bad-email"), "a@b.io\r\nBcc: x@y.io", None, Some("line breaks")),
        (&address("form:bad-email"), "a@b.io, c@d.io", None, Some("one email address")),
        ("nope", "", Some("at least 32"), Some("Enter the email address")),
    ];
    for (wallet, email, wallet_message, email_message) in cases {
        let response = app.post_form(wallet, email).await;
        assert_eq!(response.status(), 422, "{wallet:?} {email:?}");
        let html = response.text().await.unwrap();
        for message in [wallet_message, email_message].into_iter().flatten() {
            let message = message.replace('\'', "&#x27;");
            assert!(
                html.contains(message.as_str()) || html.contains(&message.replace("&#x27;", "'")),
                "{wallet:?} {email:?}: page lacks {message:?}"
            );
        }
        assert!(!html.contains("Bcc: x@y.io"), "the refused email is not echoed");

        let response = app.post_server_fn(wallet, email).await;
        assert_eq!(response.status(), 422);
        let error: serde_json::Value = response.json().await.unwrap();
        let fields = &error["Invalid"];
        assert_eq!(fields["wallet"].is_string(), wallet_message.is_some(), "{error}");
        assert_eq!(fields["email"].is_string(), email_message.is_some(), "{error}");
    }
    assert_eq!(app.count("jobs").await, 0);
    assert_eq!(app.count("requests").await, 0);
}

#[tokio::test]
async fn a_refused_plain_post_keeps_the_wallet_but_never_echoes_the_email() {
    let app = spawn_app(Chain::new()).await;
    let wallet = address("form:keep");
    let html = app.post_form(&wallet, "private.person@nowhere").await.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{wallet}\"")), "the wallet is put back into the field");
    assert!(!html.contains("private.person"), "the email is not echoed");
}
