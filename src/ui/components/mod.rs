//! Pieces of pages: the score gauge, how the score was built, findings with
//! their evidence, the link graph, links to a public explorer, activity
//! charts, counterparties, share links and the report request form.

pub mod changes;
pub mod charts;
pub mod counterparties;
pub mod explorer;
pub mod findings;
pub mod gauge;
pub mod link_graph;
pub mod link_layout;
pub mod request_form;
pub mod score_steps;
pub mod share;
