//! How each detector works, as the `/methodology` page shows it. Built on the
//! server from the engine's own detector table, so page and engine agree.

use serde::{Deserialize, Serialize};

use super::{Category, Severity};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodologyEntry {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub looks_at: String,
    pub severity: Severity,
    pub max_penalty: u8,
    pub limits: String,
}
