//! Live job progress for open event streams (`GET /api/jobs/{id}/events`):
//! the worker says "job X changed" here when it records progress or an
//! outcome, and each stream watching X reads the job again and sends it on.
//!
//! Only a job id goes through here, never a view or an address: a stream
//! reads what it sends from the database, the one truth every process
//! shares. A worker in another process (several `kimiko serve` behind a
//! balancer) cannot reach this channel, so streams also look again now and
//! then on their own (see `crate::server::job_stream`).
//!
//! It also counts open streams, overall and per client, so a client cannot
//! hold the server's connections hostage.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

/// Open streams allowed in all.
pub const MAX_STREAMS: usize = 512;
/// Open streams allowed per client (IPv4 address or IPv6 /64): a few tabs.
pub const MAX_STREAMS_PER_CLIENT: usize = 6;
/// Changes a slow stream may fall behind by before it just reads the job
/// again (it never misses the latest state, only intermediate ones).
const BACKLOG: usize = 256;

#[derive(Clone)]
pub struct JobEvents {
    changes: broadcast::Sender<Arc<str>>,
    slots: Arc<Mutex<Slots>>,
    /// Turns true at shutdown: every stream ends, so the server's graceful
    /// shutdown is not held open by pages left open.
    closing: watch::Sender<bool>,
}

#[derive(Default)]
struct Slots {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

impl Default for JobEvents {
    fn default() -> Self {
        JobEvents {
            changes: broadcast::channel(BACKLOG).0,
            slots: Arc::default(),
            closing: watch::channel(false).0,
        }
    }
}

/// Why a stream was not opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    TooManyForClient,
    TooMany,
}

impl JobEvents {
    /// Job `job_id` changed (progress, status); streams watching it look again.
    pub fn changed(&self, job_id: &str) {
        // No stream open is not an error.
        let _ = self.changes.send(Arc::from(job_id));
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.changes.subscribe()
    }

    /// True from shutdown on.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every stream (at shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A slot for one more stream of `client` (already a limit key), held
    /// until the returned permit is dropped.
    pub fn open(&self, client: IpAddr) -> Result<StreamPermit, Refused> {
        let mut slots = self.slots.lock().expect("stream slots lock");
        let of_client = slots.per_client.get(&client).copied().unwrap_or(0);
        if of_client >= MAX_STREAMS_PER_CLIENT {
            return Err(Refused::TooManyForClient);
        }
        if slots.total >= MAX_STREAMS {
            return Err(Refused::TooMany);
        }
        slots.total += 1;
        slots.per_client.insert(client, of_client + 1);
        Ok(StreamPermit { slots: Arc::clone(&self.slots), client })
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.slots.lock().expect("stream slots lock").total
    }
}

/// One open stream's slot; given back when dropped.
pub struct StreamPermit {
    slots: Arc<Mutex<Slots>>,
    client: IpAddr,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut slots = self.slots.lock().expect("stream slots lock");
        slots.total = slots.total.saturating_sub(1);
        if let Some(count) = slots.per_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                slots.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_a_few_streams_and_each_closed_one_back() {
        let events = JobEvents::default();
        let client: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let mut held: Vec<StreamPermit> =
            (0..MAX_STREAMS_PER_CLIENT).map(|_| events.open(client).unwrap()).collect();
        assert_eq!(events.open(client).err(), Some(Refused::TooManyForClient));
        assert!(events.open(other).is_ok(), "another client is not affected");
        held.pop();
        assert!(events.open(client).is_ok(), "a closed stream gives its slot back");
        drop(held);
        assert_eq!(events.open_streams(), 0);
    }

    #[tokio::test]
    async fn a_change_reaches_every_subscriber_as_the_job_id() {
        let events = JobEvents::default();
        let mut first = events.subscribe();
        let mut second = events.subscribe();
        events.changed("job-1");
        assert_eq!(&*first.recv().await.unwrap(), "job-1");
        assert_eq!(&*second.recv().await.unwrap(), "job-1");
    }
}
