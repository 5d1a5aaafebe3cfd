//! Background work: the report job, the worker that runs it from the SQLite
//! queue, retry backoff, and the housekeeping
//! scheduler.

pub mod backoff;
pub mod report_job;
pub mod scheduler;
pub mod worker;

pub use worker::Worker;
