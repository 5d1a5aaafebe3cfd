//! The bottom layer: the values Kimiko's code passes around, parsed at the
//! edge and trusted after (wallet and email addresses, jobs, reports), the
//! wallet-history model that `solana` builds and `analysis` reads, and the
//! well-known program ids both use. No I/O; imports nothing else from the
//! crate. Shared by the server and the browser build (the history model and
//! program ids are server-only).

/// What changed since a wallet's previous report.
pub mod changes;
/// The ed25519 curve test: keypair addresses lie on it, program-derived ones off it.
#[cfg(feature = "ssr")]
pub mod curve;
pub mod email;
pub mod finding;
/// A wallet's normalised history: what `solana` produces and `analysis` reads.
#[cfg(feature = "ssr")]
pub mod history;
pub mod job;
pub mod links;
pub mod methodology;
/// What was read about other addresses: the multi-hop analysis's input.
#[cfg(feature = "ssr")]
pub mod neighbourhood;
/// Well-known program ids and the short names reports use for them.
#[cfg(feature = "ssr")]
pub mod programs;
pub mod report;
pub mod request;
/// Hand-made reports for tests of the pages, the card and the mail.
#[cfg(any(test, feature = "testing"))]
pub mod sample;
/// `.sol` names typed in place of an address, parsed as strictly as one.
pub mod sol_name;
pub mod time;
pub mod wallet;

pub use changes::Changes;
pub use email::{EmailAddress, EmailError};
pub use job::{JobId, JobPhase, JobStatus, JobView};
pub use report::{
    Activity, Category, CounterpartyShare, Evidence, EvidenceKind, Finding, Grade, Link, LinkKind,
    LinksFollowed, MonthCount, PublishedReport, Report, ScoreStep, Severity, fact_leader, points_label,
};
pub use request::{FieldErrors, RequestReportError};
pub use sol_name::{SolName, SolNameError, WalletOrName, WalletOrNameError};
pub use wallet::{WalletAddress, WalletError, shorten};
