//! "Who this wallet is linked to": the report's link graph drawn as inline
//! SVG on the server (no JavaScript), laid out by [`super::link_layout`],
//! with the same links as a table for screen readers and anyone who wants
//! the addresses (each linking to the explorer). Every name and fact in it
//! may come from the chain; it is all text in the view, never markup.

use leptos::prelude::*;

use super::explorer::AddressLink;
use super::findings::anchor;
use super::link_layout::{BOX_H, GraphLayout, NodeBox, Place, ROW_H, VIEW_W, fit, kind_label, layout, names};
use crate::domain::{LinkKind, Report};

/// Characters that fit on a line of a box, per view-box unit of its width.
const CHARS_PER_UNIT_NAME: f64 = 1.0 / 7.4;
const CHARS_PER_UNIT_DETAIL: f64 = 1.0 / 6.3;

#[component]
pub fn LinkGraph(report: Report) -> impl IntoView {
    if report.links.is_empty() {
        return ().into_any();
    }
    let graph = layout(&report);
    let summary = summary(&report, &graph);
    let GraphLayout { nodes, hidden, height } = graph;
    let more = (hidden > 0).then(|| {
        view! {
            <text class="graph-more" x="8" y=format!("{:.1}", height - 6.0)>
                {format!("and {hidden} more, listed in the table below")}
            </text>
        }
    });
    let shapes = nodes.into_iter().map(|node| view! { <GraphNode node/> }).collect_view();
    view! {
        <section class="card link-graph" aria-labelledby="links-title" id="links">
            <h2 id="links-title">"Who this wallet is linked to"</h2>
            <p class="muted">
                "Addresses tied to this wallet in public: where its money came from (above it), whom it pays and who pays, signs or pays fees for it (below). Anyone can draw this picture."
            </p>
            <svg viewBox=format!("0 0 {VIEW_W} {height:.0}") role="img" aria-label=summary>
                {shapes}
                {more}
            </svg>
            <LinkTable report/>
        </section>
    }
    .into_any()
}

#[component]
fn GraphNode(node: NodeBox) -> impl IntoView {
    let NodeBox { address, name, labelled, place, relation, detail, kind, x, y, w, line } = node;
    let edge_class = format!("graph-edge edge-{}", kind.map_or("none", kind_class));
    let connector = line.map(|(x1, y1)| match place {
        Place::Chain => {
            let y2 = y1 + ROW_H - BOX_H;
            // An arrowhead at the lower end: the money went down.
            let head = format!("M{:.1} {y2:.1} l-4 -6 h8 z", x1);
            view! {
                <path class=edge_class.clone() d=format!("M{x1:.1} {y1:.1} V{:.1}", y2 - 4.0)/>
                <path class=format!("{edge_class} graph-arrow") d=head/>
                <text class="graph-relation" x=format!("{:.1}", x1 + 10.0) y=format!("{:.1}", y1 + 14.0)>
                    {fit(&relation, 48)}
                </text>
            }
            .into_any()
        }
        _ => {
            let mid = y + BOX_H / 2.0;
            view! {
                <path class=edge_class.clone() d=format!("M{x1:.1} {y1:.1} V{mid:.1} H{x:.1}")/>
                <text class="graph-relation" x=format!("{:.1}", x + 2.0) y=format!("{:.1}", y - 4.0)>
                    {fit(&relation, ((w - 4.0) * CHARS_PER_UNIT_DETAIL) as usize)}
                </text>
            }
            .into_any()
        }
    });
    let (first, second) = match place {
        Place::Wallet => ("This wallet".to_owned(), Some(name.clone())),
        _ => (name.clone(), detail.clone()),
    };
    let box_class = match (place, labelled) {
        (Place::Wallet, _) => "graph-node node-wallet",
        (_, true) => "graph-node node-entity",
        _ => "graph-node",
    };
    let tooltip = match &detail {
        Some(detail) => format!("{name} ({address}): {relation} — {detail}"),
        None => format!("{name} ({address})"),
    };
    let name_chars = ((w - 16.0) * CHARS_PER_UNIT_NAME) as usize;
    let detail_chars = ((w - 16.0) * CHARS_PER_UNIT_DETAIL) as usize;
    view! {
        {connector}
        <g class=box_class>
            <title>{tooltip}</title>
            <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{w:.1}") height=BOX_H.to_string() rx="7"/>
            <text class="graph-name" x=format!("{:.1}", x + 8.0) y=format!("{:.1}", y + 14.0)>{fit(&first, name_chars)}</text>
            {second.map(|text| view! {
                <text class="graph-detail" x=format!("{:.1}", x + 8.0) y=format!("{:.1}", y + 27.0)>{fit(&text, detail_chars)}</text>
            })}
        </g>
    }
}

/// A link kind as a CSS class suffix.
fn kind_class(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::FundedBy => "funded-by",
        LinkKind::Pays => "pays",
        LinkKind::TwoWay => "two-way",
        LinkKind::CoSigner => "co-signer",
        LinkKind::FeePayer => "fee-payer",
        LinkKind::DepositAddress => "deposit-address",
        LinkKind::SweepsTo => "sweeps-to",
    }
}

/// The picture in one sentence, for screen readers (the table has it all).
fn summary(report: &Report, graph: &GraphLayout) -> String {
    // An entity drawn twice (atop the chain and at a sweep's end) is one.
    let mut drawn: Vec<&str> = graph.nodes.iter().map(|n| n.address.as_str()).collect();
    drawn.sort_unstable();
    drawn.dedup();
    let linked = drawn.len() - 1 + graph.hidden;
    let chain = graph.nodes.iter().filter(|n| n.place == Place::Chain).count();
    let mut text =
        format!("Link graph: this wallet is tied to {linked} address{}", if linked == 1 { "" } else { "es" });
    if chain > 0 {
        text.push_str(&format!(
            ", with a funding chain {chain} hop{} long",
            if chain == 1 { "" } else { "s" }
        ));
    }
    let mut entities: Vec<&str> = Vec::new();
    for node in graph.nodes.iter().filter(|n| n.labelled) {
        if !entities.contains(&node.name.as_str()) {
            entities.push(&node.name);
        }
    }
    if !entities.is_empty() {
        text.push_str(&format!(", among them {}", entities.join(", ")));
    }
    text.push_str(&format!(". {} links in all are listed in the table below.", report.links.len()));
    text
}

/// Every link, as rows: from, how, to, the fact, the finding about it.
#[component]
fn LinkTable(report: Report) -> impl IntoView {
    let names = names(&report);
    let wallet = report.wallet.clone();
    let party = move |address: &str| -> (String, Option<String>) {
        let name = if address == wallet { Some("this wallet".to_owned()) } else { None };
        (address.to_owned(), name.or_else(|| names.get(address).map(|n| (*n).to_owned())))
    };
    let rows = report
        .links
        .iter()
        .map(|link| {
            let (from, from_name) = party(&link.from);
            let (to, to_name) = party(&link.to);
            let finding = link.finding.as_deref().map(|id| {
                let title = report.finding(id).map_or_else(|| id.to_owned(), |f| f.title.clone());
                view! { <a href=format!("#{}", anchor(id))>{title}</a> }
            });
            view! {
                <tr>
                    <td><AddressLink address=from/>{from_name.map(|n| view! { " " <span class="entity-label">{n}</span> })}</td>
                    <td>{kind_label(link.kind)}</td>
                    <td><AddressLink address=to/>{to_name.map(|n| view! { " " <span class="entity-label">{n}</span> })}</td>
                    <td>{link.detail.clone()}</td>
                    <td>{finding}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="chart-data link-table">
            <summary>{format!("The links as a table ({})", report.links.len())}</summary>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"From"</th>
                            <th scope="col">"Link"</th>
                            <th scope="col">"To"</th>
                            <th scope="col">"Fact"</th>
                            <th scope="col">"Finding"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}
