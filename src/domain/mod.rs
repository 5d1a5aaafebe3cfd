//! The values Kimiko's code passes around, parsed at the edge and trusted
//! after: wallet and email addresses, jobs, reports. No I/O; shared by the
//! server and the browser build.

pub mod email;
pub mod job;
pub mod methodology;
pub mod report;
pub mod request;
/// Hand-made reports for tests of the pages, the card and the mail.
#[cfg(any(test, feature = "testing"))]
pub mod sample;
pub mod time;
pub mod wallet;

pub use email::{EmailAddress, EmailError};
pub use job::{JobId, JobStatus, JobView};
pub use report::{
    Activity, Category, CounterpartyShare, Evidence, EvidenceKind, Finding, Grade, MonthCount,
    PublishedReport, Report, ScoreStep, Severity, fact_leader, points_label,
};
pub use request::{FieldErrors, RequestReportError};
pub use wallet::{WalletAddress, WalletError, shorten};
