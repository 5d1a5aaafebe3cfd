//! Pieces of pages: the score gauge, findings with their evidence, links to
//! a public explorer.

pub mod explorer;
pub mod findings;
pub mod gauge;
