//! Calendar arithmetic lives with the domain types, because pages format the
//! same dates in the browser; the analysis reads it from here.

pub use crate::domain::time::*;
