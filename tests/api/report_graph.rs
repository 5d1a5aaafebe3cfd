//! The parts of the report page people read beyond the findings: the link
//! graph (drawn on the server, with its table) and the score's waterfall.
//! The reports here are made by hand, with the multi-hop links (a funding
//! chain to an exchange, a deposit address sweeping to it) included.

use kimiko::domain::{PublishedReport, sample};
use kimiko::testing::Chain;
use kimiko::testing::chain::address;

use crate::helpers::{Options, TestApp, spawn_app_with};

async fn app_showing(published: &PublishedReport, env: Vec<(&'static str, String)>) -> TestApp {
    let app = spawn_app_with(Options { chain: Chain::new(), env, ..Options::default() }).await;
    let now = kimiko::storage::now_ms();
    let mut tx = app.state.db.begin_write().await.unwrap();
    kimiko::storage::reports::upsert(&mut tx, &published.report, now, now + 3_600_000).await.unwrap();
    tx.commit().await.unwrap();
    app
}

/// The link graph's section of a report page.
fn graph_section(html: &str) -> &str {
    section(html, r#"class="card link-graph""#)
}

/// The `<section>` whose opening tag carries `attribute`, up to its end.
fn section<'h>(html: &'h str, attribute: &str) -> &'h str {
    let at = html.find(attribute).unwrap_or_else(|| panic!("no {attribute} in {html}"));
    let start = html[..at].rfind("<section").unwrap();
    let end = at + html[at..].find("</section>").unwrap();
    &html[start..end]
}

/// Whether some `<tag …>` in `html` has every one of `attributes`.
fn has_tag(html: &str, tag: &str, attributes: &[&str]) -> bool {
    html.split(&format!("<{tag} ")).skip(1).any(|rest| {
        let open = &rest[..rest.find('>').unwrap_or(rest.len())];
        attributes.iter().all(|a| open.contains(a))
    })
}

#[tokio::test]
async fn the_report_page_draws_the_link_graph_and_lists_the_same_links_in_a_table() {
    let wallet = address("graph:wallet");
    let app = app_showing(&sample::report(&wallet, 42), Vec::new()).await;
    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    let graph = graph_section(&html);

    assert!(graph.contains("Who this wallet is linked to"));
    let svg = &graph[graph.find("<svg").unwrap()..graph.find("</svg>").unwrap()];
    assert!(
        has_tag(
            graph,
            "svg",
            &[r#"role="img""#, r#"aria-label="Link graph: this wallet is tied to 4 addresses"#]
        ),
        "{graph}"
    );
    for drawn in ["This wallet", "Binance 2", "funded by", "deposit address", "sweeps to", "two-way"] {
        assert!(svg.contains(drawn), "the graph shows {drawn:?}");
    }
    // The funding chain stands above the wallet: the exchange is drawn first.
    assert!(svg.find("Binance 2").unwrap() < svg.find("This wallet").unwrap());

    let table = &graph[graph.find("<table").unwrap()..];
    for address in [sample::FUNDER, sample::DEPOSIT, sample::FRIEND] {
        assert!(
            table.contains(&format!(r#"href="https://solscan.io/account/{address}""#)),
            "{address} links to the explorer"
        );
    }
    assert_eq!(table.matches("<tr>").count(), 1 + 5, "a header and one row per link");
    assert!(table.contains(r##"href="#finding-known_entity-exchange""##), "a link names its finding");
}

#[tokio::test]
async fn the_graph_is_the_same_bytes_on_every_render() {
    let wallet = address("graph:stable");
    // No page cache: every request renders the page again.
    let app = app_showing(&sample::report(&wallet, 42), vec![("KIMIKO_REPORT_CACHE_SIZE", "0".into())]).await;
    let first = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    let second = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    assert_eq!(graph_section(&first), graph_section(&second));
}

#[tokio::test]
async fn markup_in_link_labels_and_facts_is_text_in_the_graph_and_its_table() {
    let wallet = address("graph:hostile");
    let app = app_showing(&sample::hostile_report(&wallet), Vec::new()).await;
    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    let graph = graph_section(&html);
    assert!(!graph.contains("<script>") && !graph.contains("<b onclick"), "{graph}");
    assert!(graph.contains("&lt;script&gt;alert("), "the label is shown, escaped");
}

#[tokio::test]
async fn the_waterfall_draws_a_bar_per_step_each_step_linked_to_its_finding() {
    let wallet = address("graph:waterfall");
    let published = sample::report(&wallet, 42);
    let app = app_showing(&published, Vec::new()).await;
    let html = app.get(&format!("/report/{wallet}")).await.text().await.unwrap();
    let steps = section(&html, r#"id="score-steps""#);
    // 100 to start, then one step per finding that cost points.
    assert_eq!(steps.matches(r#"class="step-bar""#).count(), 1 + published.report.findings.len());
    assert!(steps.contains(r##"href="#finding-known_entity-exchange""##));
    assert!(steps.contains(r##"href="#finding-memo-usage""##));
    // The first step's bar keeps 71 of 100 and shows the 29 points it cost.
    assert!(has_tag(steps, "rect", &[r#"class="step-kept""#, r#"width="71""#]), "{steps}");
    assert!(has_tag(steps, "rect", &[r#"class="step-lost""#, r#"x="71""#, r#"width="29""#]), "{steps}");
    assert!(steps.contains("Score: 42/100"));
}
