//! On-chain text is written by strangers. A wallet whose memos carry
//! markup, script and quotes, and an operator label that does the same, must
//! come out as inert text on the report page, in the JSON and in the mail.

use kimiko::testing::chain::{Chain, SOL, TxBuilder, address};
use kimiko::testing::scenarios::START;

use crate::helpers::{Options, spawn_app_with};

/// Breaks out of text, attributes and scripts in one go if not escaped.
const MEMO: &str = r#"</p><script>alert("memo")</script><img src=x onerror="alert('img')"> "quoted" & 'single' mail me: hostile.memo@example.com"#;
const LABEL: &str = r#"Evil"><script>alert('label')</script>"#;

/// What must never appear raw in HTML: an element the memo or label opens,
/// or an attribute it breaks out of. (Quotes inside text are inert.)
const RAW: [&str; 4] = ["<script>alert(", "<img src=x", "</p><script", "\"><script>"];

#[tokio::test]
async fn markup_in_memos_and_labels_is_shown_as_text_on_the_page_in_json_and_in_the_mail() {
    let wallet = address("hostile:wallet");
    let peer = address("hostile:peer");
    let mut chain = Chain::new();
    chain.set_balance(&wallet, 2 * SOL);
    for day in 0..3 {
        let tx = TxBuilder::new(&wallet, START + day * 86_400)
            .seed(format!("hostile-{day}"))
            .sol_transfer(&wallet, &peer, SOL / 10)
            .memo(MEMO);
        chain.add(&tx, &[&wallet, &peer]);
    }
    let labels = tempfile::NamedTempFile::new().unwrap();
    let label = serde_json::json!({"labels": [
        {"address": peer, "name": LABEL, "kind": "exchange", "source": LABEL, "confidence": 90}
    ]});
    std::fs::write(labels.path(), label.to_string()).unwrap();
    let app = spawn_app_with(Options {
        chain,
        env: vec![("KIMIKO_LABELS_FILE", labels.path().display().to_string())],
        ..Options::default()
    })
    .await;
    app.submit(&wallet, "reader@example.com").await;
    app.run_worker().await;

    // The JSON carries the text as it was written (a JSON string is inert),
    // so the page has something to escape.
    let json = app.get(&format!("/api/reports/{wallet}")).await;
    assert!(json.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let report: serde_json::Value = json.json().await.unwrap();
    let text = report.to_string();
    assert!(text.contains("alert(\\\"memo\\\")"), "the memo is in the report's evidence");
    assert!(text.contains("alert('label')"), "the label is in the report");

    let page = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    for raw in RAW {
        assert!(!page.contains(raw), "the report page carries raw {raw:?}: {}", context(&page, raw));
    }
    assert!(
        page.contains("&lt;script&gt;alert(") || page.contains("&lt;script>alert("),
        "the memo is shown, escaped"
    );
    assert!(
        page.contains("Evil&quot;&gt;") || page.contains("Evil\"&gt;") || page.contains("Evil&quot;>"),
        "the label is shown, escaped"
    );

    let mail = app.sent_mail().pop().expect("the report was mailed");
    for raw in RAW {
        assert!(!mail.html.contains(raw), "the mail's HTML carries raw {raw:?}");
    }
    assert!(
        mail.html.contains("&lt;script&gt;") || !mail.html.contains("alert("),
        "whatever reaches the mail is escaped"
    );
}

fn context<'a>(text: &'a str, needle: &str) -> &'a str {
    let at = text.find(needle).unwrap_or(0);
    let start = text.floor_char_boundary(at.saturating_sub(120));
    &text[start..text.ceil_char_boundary((at + 80).min(text.len()))]
}
