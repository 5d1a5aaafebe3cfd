//! Background work: the report job, the worker that runs it from the SQLite
//! queue, retry backoff, and the housekeeping scheduler.
//!
//! Layer: above `service` (it runs on the shared `AppState`), beside `ui`;
//! may import `service`, `email`, `storage`, `analysis`, `solana`, `metrics`
//! and `domain`. Only `server` (start-up) and `cli` import it.

pub mod backoff;
pub mod report_job;
pub mod scheduler;
pub mod worker;

pub use worker::Worker;
