//! Queue throughput: no-op jobs through enqueue → claim (batch 10) → ack,
//! next to a raw SQLite baseline measured in the same run — the same inserts
//! and updates with no queue logic (no leases, attempts or fencing), on the
//! same file settings (WAL, synchronous=NORMAL, one write connection).
//!
//!     cargo bench --features ssr --bench queue
//!
//! Prints figures; it asserts nothing about speed.

use std::time::{Duration, Instant};

use kimiko::domain::{EmailAddress, JobId, WalletAddress};
use kimiko::storage::Db;
use kimiko::storage::jobs::{self, Lease};

const JOBS: usize = 2_000;
const BATCH: u32 = 10;
const ROUNDS: usize = 5;
const WALLET: &str = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wallet = WalletAddress::parse(WALLET).unwrap();
    let email = EmailAddress::parse("bench@example.com").unwrap();
    let mut queue = Vec::new();
    let mut raw = Vec::new();
    // Alternate so both see the same machine noise.
    for round in 0..ROUNDS {
        raw.push(raw_baseline(round).await);
        queue.push(through_the_queue(round, &wallet, &email).await);
    }
    let rate = |d: Duration| JOBS as f64 / d.as_secs_f64();
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (queue_median, raw_median) = (median(&mut queue), median(&mut raw));
    println!("queue benchmark: {JOBS} no-op jobs, batch {BATCH}, {ROUNDS} rounds, medians");
    println!("  raw SQLite baseline   {:>8.0} jobs/s  ({:?} per round)", rate(raw_median), raw_median);
    println!("  kimiko queue          {:>8.0} jobs/s  ({:?} per round)", rate(queue_median), queue_median);
    println!("  queue / baseline      {:>8.2}", rate(queue_median) / rate(raw_median));
    println!(
        "  per round (jobs/s):   queue {:?}  raw {:?}",
        queue.iter().map(|d| rate(*d) as u64).collect::<Vec<_>>(),
        raw.iter().map(|d| rate(*d) as u64).collect::<Vec<_>>()
    );
}

async fn fresh_db(name: &str) -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/{name}.db", dir.path().display())).await.unwrap();
    (db, dir)
}

/// Each job enqueued in its own transaction (as a submit does), claimed ten
/// at a time under a lease, and acknowledged on its own (as the worker does).
async fn through_the_queue(round: usize, wallet: &WalletAddress, email: &EmailAddress) -> Duration {
    let (db, _dir) = fresh_db(&format!("queue-{round}")).await;
    let started = Instant::now();
    let now = 1_795_000_000_000;
    for _ in 0..JOBS {
        let mut tx = db.begin_write().await.unwrap();
        jobs::insert(&mut tx, &JobId::random(), wallet, email, 3, false, now).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut done = 0;
    while done < JOBS {
        let claimed = jobs::claim(&db, "bench", BATCH, Duration::from_secs(60), now).await.unwrap();
        assert!(!claimed.is_empty(), "queue drained early");
        for job in &claimed {
            let lease = Lease::of(job, "bench");
            let mut tx = db.begin_write().await.unwrap();
            assert!(jobs::succeed(&mut tx, &lease, now).await.unwrap());
            tx.commit().await.unwrap();
        }
        done += claimed.len();
    }
    let elapsed = started.elapsed();
    db.close().await;
    elapsed
}

/// The same rows and status changes written directly: one insert per job,
/// one update per ten to mark them taken, one update per job to finish.
async fn raw_baseline(round: usize) -> Duration {
    let (db, _dir) = fresh_db(&format!("raw-{round}")).await;
    let pool = db.writer();
    let started = Instant::now();
    let now: i64 = 1_795_000_000_000;
    let mut ids = Vec::with_capacity(JOBS);
    for _ in 0..JOBS {
        let id = JobId::random();
        sqlx::query(
            "INSERT INTO jobs (id, wallet, email, status, attempts, max_attempts, run_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'queued', 0, 3, ?4, ?4, ?4)",
        )
        .bind(id.as_str())
        .bind(WALLET)
        .bind("bench@example.com")
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
        ids.push(id);
    }
    for chunk in ids.chunks(BATCH as usize) {
        let list = chunk.iter().map(|id| format!("'{}'", id.as_str())).collect::<Vec<_>>().join(",");
        let sql = format!("UPDATE jobs SET status = 'running' WHERE id IN ({list})");
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
        for id in chunk {
            sqlx::query("UPDATE jobs SET status = 'succeeded', finished_at = ?1 WHERE id = ?2")
                .bind(now)
                .bind(id.as_str())
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let elapsed = started.elapsed();
    db.close().await;
    elapsed
}
