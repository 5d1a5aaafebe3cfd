//! Background work: the report job, the worker that runs it from the SQLite
//! queue, retry backoff, recording accepted mail, and the housekeeping
//! scheduler.

pub mod accepted;
pub mod backoff;
pub mod report_job;
pub mod scheduler;
pub mod worker;

pub use worker::Worker;
