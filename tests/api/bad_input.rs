//! Hostile and broken requests, one table, all through HTTP: each gets a
//! clear 4xx (never a 500, never a queued job) and the database is exactly
//! as it was. Form cases are sent twice: as a plain form post (HTML answer)
//! and as the hydrated form sends them (JSON answer).

use kimiko::testing::Chain;
use kimiko::testing::chain::address;

use crate::helpers::{TestApp, form_body, spawn_app};
use crate::security_support::{db_snapshot, raw_http};

const EMAIL: &str = "bad-input@example.com";
const FORM: &str = "application/x-www-form-urlencoded";

enum Send {
    /// The report form with these fields, by both submit paths.
    Form(String),
    /// One request with this method, path, content type, `Accept` and body.
    Http {
        method: &'static str,
        path: String,
        content_type: Option<&'static str>,
        accept: &'static str,
        body: Vec<u8>,
    },
    /// Bytes on the wire, for what a client library would normalise.
    Raw(String),
}

struct Case {
    what: &'static str,
    send: Send,
    status: u16,
    /// Text the answer must contain (the message a person would read).
    says: Option<&'static str>,
}

fn form(what: &'static str, wallet: &str, email: &str, says: &'static str) -> Case {
    Case { what, send: Send::Form(form_body(wallet, email)), status: 422, says: Some(says) }
}

fn http(what: &'static str, method: &'static str, path: &str, status: u16) -> Case {
    let send =
        Send::Http { method, path: path.to_owned(), content_type: None, accept: "*/*", body: Vec::new() };
    Case { what, send, status, says: None }
}

fn post(
    what: &'static str,
    content_type: Option<&'static str>,
    accept: &'static str,
    body: Vec<u8>,
    status: u16,
) -> Case {
    let send = Send::Http { method: "POST", path: "/api/request-report".into(), content_type, accept, body };
    Case { what, send, status, says: None }
}

fn raw(what: &'static str, request_line: &str, status: u16) -> Case {
    let request = format!("{request_line} HTTP/1.1\r\nHost: kimiko.test\r\nConnection: close\r\n\r\n");
    Case { what, send: Send::Raw(request), status, says: None }
}

fn cases() -> Vec<Case> {
    let ok_wallet = address("bad-input:wallet");
    let look_alike = |from: char, to: char| ok_wallet.replacen(from, &to.to_string(), 1);
    let first = ok_wallet.chars().next().unwrap();
    let with_fields = |pairs: &[(&str, &str)]| {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    };
    let missing = |what, pairs: &[(&str, &str)], says| Case {
        what,
        send: Send::Form(with_fields(pairs)),
        status: 422,
        says: Some(says),
    };
    vec![
        // Malformed wallets.
        form("an empty wallet", "", EMAIL, "Enter a Solana wallet address"),
        form("a wallet of spaces", "   \t ", EMAIL, "Enter a Solana wallet address"),
        form("base58's missing letters", &"0OIl".repeat(9), EMAIL, "can&#x27;t appear"),
        form("a short wallet", "abc123", EMAIL, "at least 32"),
        form("a 45-character wallet", &"z".repeat(45), EMAIL, "at most 44"),
        form("a wallet that decodes past 32 bytes", &"z".repeat(44), EMAIL, "exactly 32"),
        form("an overlong wallet", &"A".repeat(3000), EMAIL, "at most 44"),
        form("a Cyrillic А in the wallet", &look_alike(first, 'А'), EMAIL, "may look like one"),
        form(
            "a Greek omicron in the wallet",
            &format!("{}ο", &ok_wallet[..ok_wallet.len() - 1]),
            EMAIL,
            "may look like one",
        ),
        form(
            "a full-width digit in the wallet",
            &format!("１{}", &ok_wallet[1..]),
            EMAIL,
            "may look like one",
        ),
        form(
            "a zero-width space in the wallet",
            &format!("{}\u{200B}{}", &ok_wallet[..10], &ok_wallet[10..]),
            EMAIL,
            "invisible character (U+200B)",
        ),
        form(
            "a right-to-left override in the wallet",
            &format!("\u{202E}{ok_wallet}"),
            EMAIL,
            "invisible character (U+202E)",
        ),
        form("a NUL in the wallet", &format!("{ok_wallet}\0"), EMAIL, "invisible character (U+0000)"),
        form("SQL in the wallet", "' OR 1=1; DROP TABLE jobs; --", EMAIL, "can&#x27;t appear"),
        form("markup in the wallet", "<script>alert(1)</script>", EMAIL, "can&#x27;t appear"),
        // Malformed and hostile email addresses.
        form("an empty email", &ok_wallet, "", "Enter the email address"),
        form(
            "a CRLF Bcc header injection",
            &ok_wallet,
            "a@example.com\r\nBcc: victim@example.org",
            "line breaks",
        ),
        form("a bare LF header injection", &ok_wallet, "a@example.com\nSubject: hi", "line breaks"),
        form("an encoded NUL in the email", &ok_wallet, "a@example.com\0", "line breaks"),
        form("a list of recipients", &ok_wallet, "a@example.com, b@example.org", "one email address"),
        form(
            "recipients split by semicolons",
            &ok_wallet,
            "a@example.com;b@example.org",
            "one email address",
        ),
        form("a display name", &ok_wallet, "Alice <a@example.com>", "look like an email"),
        form("a quoted local part", &ok_wallet, "\"a b\"@example.com", "look like an email"),
        form("an IP literal domain", &ok_wallet, "a@[127.0.0.1]", "look like an email"),
        form("a Cyrillic look-alike domain", &ok_wallet, "a@exаmple.com", "look like an email"),
        form("no @ at all", &ok_wallet, "a.example.com", "look like an email"),
        form(
            "a 65-character local part",
            &ok_wallet,
            &format!("{}@example.com", "a".repeat(65)),
            "look like an email",
        ),
        form("an overlong email", &ok_wallet, &format!("{}@example.com", "a.".repeat(150)), "too long"),
        // Missing fields, wrong shapes, wrong content types, sizes.
        missing("no email field", &[("wallet", &ok_wallet)], "Enter the email address"),
        missing("no wallet field", &[("email", EMAIL)], "Enter a Solana wallet address"),
        Case {
            what: "an empty form",
            send: Send::Form(String::new()),
            status: 422,
            says: Some("Enter a Solana wallet address"),
        },
        post(
            "the wallet field twice",
            Some(FORM),
            "application/json",
            with_fields(&[("wallet", &ok_wallet), ("wallet", &ok_wallet), ("email", EMAIL)]).into_bytes(),
            400,
        ),
        post(
            "bytes that are not UTF-8",
            Some(FORM),
            "text/html",
            format!("wallet={ok_wallet}&email=a%FF%FE@example.com").into_bytes(),
            400,
        ),
        post(
            "JSON instead of a form",
            Some("application/json"),
            "application/json",
            format!(r#"{{"wallet":"{ok_wallet}","email":"{EMAIL}"}}"#).into_bytes(),
            415,
        ),
        post(
            "a multipart form",
            Some("multipart/form-data; boundary=x"),
            "text/html",
            b"--x\r\nContent-Disposition: form-data; name=\"wallet\"\r\n\r\nw\r\n--x--\r\n".to_vec(),
            415,
        ),
        post(
            "plain text",
            Some("text/plain"),
            "text/html",
            with_fields(&[("wallet", &ok_wallet), ("email", EMAIL)]).into_bytes(),
            415,
        ),
        post(
            "no content type",
            None,
            "application/json",
            with_fields(&[("wallet", &ok_wallet), ("email", EMAIL)]).into_bytes(),
            415,
        ),
        post(
            "a 5 KiB form",
            Some(FORM),
            "text/html",
            with_fields(&[("wallet", &ok_wallet), ("email", EMAIL), ("pad", &"x".repeat(5 * 1024))])
                .into_bytes(),
            413,
        ),
        post("a 100 KiB body", Some(FORM), "application/json", vec![b'a'; 100 * 1024], 413),
        // Unknown job ids.
        http("an unknown job id in the API", "GET", "/api/jobs/7YttLkHDoNj9wyDur5pM1e", 404),
        http("a malformed job id in the API", "GET", "/api/jobs/'%20OR%20'1'='1", 404),
        http("an unknown job page", "GET", "/jobs/7YttLkHDoNj9wyDur5pM1e", 404),
        http("a job page id with markup", "GET", "/jobs/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
        // Path traversal and odd wallets in wallet routes.
        http("encoded traversal in the report API", "GET", "/api/reports/..%2F..%2F..%2Fetc%2Fpasswd", 404),
        http("encoded traversal in the report page", "GET", "/report/..%2F..%2FCargo.toml", 404),
        http("a NUL in the report API", "GET", "/api/reports/%00", 404),
        http(
            "a look-alike wallet in the report API",
            "GET",
            &format!("/api/reports/{}", look_alike(first, 'А')),
            404,
        ),
        raw("raw traversal past the report route", "GET /report/../../../../etc/passwd", 404),
        raw("raw traversal into the data folder", "GET /../../data/kimiko.db", 404),
        raw("raw dot-dot segments into static files", "GET /pkg/../../../Cargo.toml", 404),
        raw("encoded dots into static files", "GET /pkg/%2e%2e/%2e%2e/%2e%2e/Cargo.toml", 404),
        // The endpoint only takes a POST.
        http("a GET of the form endpoint", "GET", "/api/request-report?wallet=x&email=y", 405),
    ]
}

async fn send(app: &TestApp, send: &Send, accept: &str) -> (u16, String) {
    match send {
        Send::Form(body) => {
            let response = app
                .http
                .post(app.url("/api/request-report"))
                .header("Accept", accept)
                .header("Content-Type", FORM)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
        Send::Http { method, path, content_type, accept, body } => {
            let mut request =
                app.http.request(method.parse().unwrap(), app.url(path)).header("Accept", *accept);
            if let Some(content_type) = content_type {
                request = request.header("Content-Type", *content_type);
            }
            let response = request.body(body.clone()).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
        Send::Raw(request) => raw_http(&app.address, request.as_bytes()).await,
    }
}

#[tokio::test]
async fn every_bad_request_gets_a_clear_4xx_and_leaves_the_database_as_it_was() {
    let app = spawn_app(Chain::new()).await;
    // One real request first, so "unchanged" covers existing rows too.
    app.submit(&address("bad-input:existing"), "existing@example.com").await;
    let before = db_snapshot(&app).await;
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        let answers: Vec<(&str, (u16, String))> = match &case.send {
            Send::Form(_) => vec![
                ("plain form", send(&app, &case.send, "text/html").await),
                ("hydrated form", send(&app, &case.send, "application/json").await),
            ],
            _ => vec![("request", send(&app, &case.send, "*/*").await)],
        };
        for (how, (status, body)) in answers {
            let said = case
                .says
                .is_none_or(|text| body.contains(text) || body.contains(&text.replace("&#x27;", "'")));
            if status != case.status || !said || body.contains("root:x:0") || body.contains("[package]") {
                failures
                    .push(format!("{} ({how}): {status}, wanted {} {:?}", case.what, case.status, case.says));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(db_snapshot(&app).await, before, "bad input changed the database");
}
