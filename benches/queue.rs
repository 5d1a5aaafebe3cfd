//! Queue throughput: no-op jobs through enqueue → claim (batch 10) → ack,
//! next to a raw baseline measured in the same run — the same inserts and
//! updates with no queue logic (no leases, attempts or fencing), on the
//! same database settings — once on SQLite (WAL, synchronous=NORMAL, one
//! write connection) and once on PostgreSQL (a private server the testing
//! support starts, a fresh database per round).
//!
//!     cargo bench --features testing --bench queue
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres
            && let Err(why) = kimiko::testing::postgres::server().await
        {
            println!("queue benchmark on Postgres skipped: {why}");
            continue;
        }
        measure(backend).await;
    }
}

async fn measure(backend: Backend) {
    let wallet = WalletAddress::parse(WALLET).unwrap();
    let email = EmailAddress::parse("bench@example.com").unwrap();
    let mut queue = Vec::new();
    let mut raw = Vec::new();
    // Alternate so both see the same machine noise.
    for round in 0..ROUNDS {
        raw.push(raw_baseline(backend, round).await);
        queue.push(through_the_queue(backend, round, &wallet, &email).await);
    }
    let rate = |d: Duration| JOBS as f64 / d.as_secs_f64();
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (queue_median, raw_median) = (median(&mut queue), median(&mut raw));
    println!("queue benchmark on {backend:?}: {JOBS} no-op jobs, batch {BATCH}, {ROUNDS} rounds, medians");
    println!("  raw baseline          {:>8.0} jobs/s  ({:?} per round)", rate(raw_median), raw_median);
    println!("  kimiko queue          {:>8.0} jobs/s  ({:?} per round)", rate(queue_median), queue_median);
    println!("  queue / baseline      {:>8.2}", rate(queue_median) / rate(raw_median));
    println!(
        "  per round (jobs/s):   queue {:?}  raw {:?}",
        queue.iter().map(|d| rate(*d) as u64).collect::<Vec<_>>(),
        raw.iter().map(|d| rate(*d) as u64).collect::<Vec<_>>()
    );
}

async fn fresh_db(backend: Backend, name: &str) -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/{name}.db", dir.path().display()),
        Backend::Postgres => kimiko::testing::postgres::fresh_database().await.expect("a Postgres server"),
    };
    (Db::connect(&url).await.unwrap(), dir)
}

/// Runs one statement on the database's write pool, whichever backend.
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        if $db.is_postgres() {
            let $pool = $db.pg_pool();
            $body
        } else {
            let $pool = $db.writer();
            $body
        }
    };
}

/// Each job enqueued in its own transaction (as a submit does), claimed ten
/// at a time under a lease, and acknowledged on its own (as the worker does).
async fn through_the_queue(
    backend: Backend,
    round: usize,
    wallet: &WalletAddress,
    email: &EmailAddress,
) -> Duration {
    let (db, _dir) = fresh_db(backend, &format!("queue-{round}")).await;
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
async fn raw_baseline(backend: Backend, round: usize) -> Duration {
    let (db, _dir) = fresh_db(backend, &format!("raw-{round}")).await;
    let started = Instant::now();
    let now: i64 = 1_795_000_000_000;
    let mut ids = Vec::with_capacity(JOBS);
    for _ in 0..JOBS {
        let id = JobId::random();
        on_writer!(db, |pool| {
            sqlx::query(
            "INSERT INTO jobs (id, wallet, email, status, attempts, max_attempts, run_at, created_at, updated_at)
             VALUES ($1, $2, $3, 'queued', 0, 3, $4, $4, $4)",
        )
        .bind(id.as_str())
        .bind(WALLET)
        .bind("bench@example.com")
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
        .unwrap()
        });
        ids.push(id);
    }
    for chunk in ids.chunks(BATCH as usize) {
        let list = chunk.iter().map(|id| format!("'{}'", id.as_str())).collect::<Vec<_>>().join(",");
        let sql = format!("UPDATE jobs SET status = 'running' WHERE id IN ({list})");
        on_writer!(db, |pool| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap());
        for id in chunk {
            on_writer!(db, |pool| sqlx::query(
                "UPDATE jobs SET status = 'succeeded', finished_at = $1 WHERE id = $2"
            )
            .bind(now)
            .bind(id.as_str())
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap());
        }
    }
    let elapsed = started.elapsed();
    db.close().await;
    elapsed
}
