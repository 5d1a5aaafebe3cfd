//! Promises that only Postgres can break: several processes on one database
//! (each played here by an application of its own, with its own pool) and
//! MVCC keeping old row versions in the table files.

use std::collections::HashSet;
use std::time::Duration;

use kimiko::service::clock::Clock;
use kimiko::storage::{jobs, requests};
use kimiko::testing::{Chain, postgres, scenarios};

use crate::helpers::{Database, Options, TestApp, spawn_app_with};

const START_MS: i64 = 1_795_000_000_000;

/// A distinctive address: any copy of it in a file is ours.
const ADDRESS: &str = "Ottoline.Vexworth+pg@example.com";

/// Two applications on one fresh Postgres database, as two processes
/// behind a load balancer would be; `None` when the Postgres tests are
/// skipped.
async fn two_processes(chain: Chain, env: Vec<(&'static str, String)>) -> Option<(TestApp, TestApp)> {
    let url = postgres::fresh_database().await?;
    let start = |chain: Chain| {
        spawn_app_with(Options {
            chain,
            env: env.clone(),
            database: Database::Postgres(url.clone()),
            clock: Some(Clock::manual(START_MS)),
            ..Options::default()
        })
    };
    let first = start(chain.clone()).await;
    let second = start(chain).await;
    Some((first, second))
}

#[tokio::test]
async fn two_processes_claiming_at_once_never_take_the_same_job() {
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, 40, 2);
    let env = vec![("KIMIKO_EMAIL_DAILY_LIMIT", "1000".into())];
    let Some((a, b)) = two_processes(chain, env).await else { return };
    for (i, wallet) in wallets.iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        app.submit(wallet, &format!("claims-{i}@example.com")).await;
    }
    // Both claim in small batches, at the same moments, until the queue is
    // empty: each job is handed out exactly once.
    let claim_all = |app: &TestApp, worker: &'static str| {
        let db = app.state.db.clone();
        async move {
            let mut taken = Vec::new();
            loop {
                let batch = jobs::claim(&db, worker, 3, Duration::from_secs(60), START_MS).await.unwrap();
                if batch.is_empty() {
                    return taken;
                }
                taken.extend(batch.into_iter().map(|job| job.id));
            }
        }
    };
    let (from_a, from_b) = tokio::join!(claim_all(&a, "process-a"), claim_all(&b, "process-b"));
    let all: Vec<&String> = from_a.iter().chain(&from_b).collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), 40, "every job claimed (a: {}, b: {})", from_a.len(), from_b.len());
    assert_eq!(distinct.len(), 40, "a job was claimed by both processes");
}

#[tokio::test]
async fn the_fourth_request_for_one_address_is_refused_whichever_process_gets_it() {
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, 20, 2);
    let env = vec![("KIMIKO_EMAIL_DAILY_LIMIT", "3".into())];
    let Some((a, b)) = two_processes(chain, env).await else { return };
    // One after another, alternating: the count is the database's, not a
    // process's.
    for (i, wallet) in wallets[..3].iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(app.post_form(wallet, "limit@example.com").await.status(), 303, "request {i}");
    }
    assert_eq!(b.post_form(&wallets[3], "limit@example.com").await.status(), 429);
    assert_eq!(a.post_form(&wallets[4], "limit@example.com").await.status(), 429);

    // At once, to both: still the limit and no more.
    let racing = wallets[10..20].iter().enumerate().map(|(i, wallet)| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.post_form(wallet, "racer@example.com")
    });
    let statuses: Vec<u16> =
        futures::future::join_all(racing).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn eight_processes_recording_one_addresss_requests_at_once_never_pass_its_daily_limit() {
    let Some(url) = postgres::fresh_database().await else { return };
    let mut processes = Vec::new();
    for _ in 0..8 {
        processes.push(kimiko::storage::Db::connect(&url).await.unwrap());
    }
    // Each process records one request for the address in a transaction of
    // its own, all at the same moment, as their request writers would.
    let record = |db: &kimiko::storage::Db, n: usize| {
        let db = db.clone();
        async move {
            let wallet = format!("wallet-{n}");
            let mut tx = db.begin_write().await.unwrap();
            requests::lock_addresses(&mut tx, ["racer-hash"]).await.unwrap();
            let request = ("racer-hash", wallet.as_str(), None);
            let recorded =
                requests::insert_within_limits(&mut tx, request, START_MS, START_MS - 1, 3).await.unwrap();
            tx.commit().await.unwrap();
            recorded
        }
    };
    let recorded = futures::future::join_all(processes.iter().enumerate().map(|(n, db)| record(db, n))).await;
    assert_eq!(recorded.iter().filter(|r| **r).count(), 3, "{recorded:?}");
}

#[tokio::test]
async fn a_delivered_address_is_gone_from_the_postgres_table_files() {
    let Some(url) = postgres::fresh_database().await else { return };
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let app =
        spawn_app_with(Options { chain, database: Database::Postgres(url), ..Options::default() }).await;
    // Updated many times while it runs (claim, heartbeats, progress): each
    // update left an old version of the row, address included.
    app.submit(&scenario.wallet, ADDRESS).await;
    app.run_worker().await;
    assert_eq!(app.sent_mail().len(), 1);

    // Cleaned soon after, not at once: wait for that clean, as it comes.
    app.state.db.erasures_cleaned().await;
    assert!(!app.files_hold(ADDRESS).await, "the address is still in the table files");
}

#[tokio::test]
async fn each_housekeeping_tick_runs_in_one_process_only() {
    let Some((a, b)) = two_processes(Chain::new(), vec![]).await else { return };
    let task = kimiko::jobs::scheduler::find("purge-rate-limits").unwrap();
    let tick = chrono::DateTime::from_timestamp_millis(START_MS).unwrap();
    let (first, second) = tokio::join!(
        kimiko::jobs::scheduler::run_tick(&a.state, task, tick),
        kimiko::jobs::scheduler::run_tick(&b.state, task, tick)
    );
    let ran = [first.unwrap(), second.unwrap()].into_iter().filter(Option::is_some).count();
    assert_eq!(ran, 1, "the tick ran in {ran} processes");
    let next = kimiko::jobs::scheduler::next_run(task, tick);
    assert!(
        kimiko::jobs::scheduler::run_tick(&b.state, task, next).await.unwrap().is_some(),
        "the next tick runs"
    );
}

#[tokio::test]
async fn one_client_gets_one_submission_limit_across_processes() {
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, 4, 2);
    let env = vec![("KIMIKO_IP_RATE_BURST", "2".into()), ("KIMIKO_IP_RATE_PERIOD_MS", "2000".into())];
    let Some((a, b)) = two_processes(chain, env).await else { return };
    assert_eq!(a.post_form(&wallets[0], "client-0@example.com").await.status(), 303);
    assert_eq!(b.post_form(&wallets[1], "client-1@example.com").await.status(), 303);
    // A third at once, to either process, is over the burst of two.
    let refused = a.post_form(&wallets[2], "client-2@example.com").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "3", "one period (2 s), rounded up");
    assert_eq!(b.post_form(&wallets[2], "client-2@example.com").await.status(), 429);
    // One period later one more is allowed, wherever it lands.
    b.advance(Duration::from_secs(2));
    assert_eq!(b.post_form(&wallets[3], "client-3@example.com").await.status(), 303);
}

#[tokio::test]
async fn a_job_submitted_to_one_process_wakes_the_idle_worker_of_another() {
    let Some(url) = postgres::fresh_database().await else { return };
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    // This worker would otherwise look at the queue once an hour.
    let worker = spawn_app_with(Options {
        chain: chain.clone(),
        database: Database::Postgres(url.clone()),
        background: true,
        worker_max_idle: Some(Duration::from_secs(3600)),
        ..Options::default()
    })
    .await;
    let front =
        spawn_app_with(Options { chain, database: Database::Postgres(url), ..Options::default() }).await;
    // Once the worker's process listens, a notification cannot be missed.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .fetch_one(front.state.db.pg_pool())
        .await
        .unwrap();
        if listening > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the worker's process never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let id = front.submit(&scenario.wallet, "wake@example.com").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while front.job_json(&id).await["status"] != "succeeded" {
        assert!(std::time::Instant::now() < deadline, "the other process's worker never woke");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(worker.sent_mail().len(), 1, "sent by the process that was woken");
}

/// The clean rewrites the small table of addresses, never the tables a
/// busy site keeps (a week of jobs, attempts and stored mails); two
/// processes cleaning at once each finish.
#[tokio::test]
async fn a_clean_rewrites_only_the_table_of_addresses_and_processes_clean_side_by_side() {
    let mut chain = Chain::new();
    let scenario = scenarios::careful_wallet(&mut chain);
    let Some((a, b)) = two_processes(chain, vec![]).await else { return };
    let pool = a.state.db.pg_pool();
    let files = || async {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT relname::text, relfilenode::bigint FROM pg_class
             WHERE relname IN ('jobs', 'outbox', 'job_attempts', 'mail_recipients') ORDER BY relname",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    let before = files().await;
    a.submit(&scenario.wallet, ADDRESS).await;
    a.run_worker().await;
    assert_eq!(a.sent_mail().len(), 1);
    a.state.db.erasures_cleaned().await;
    let after = files().await;
    let rewritten: Vec<&str> =
        before.iter().zip(&after).filter(|(b, a)| b.1 != a.1).map(|(b, _)| b.0.as_str()).collect();
    assert_eq!(rewritten, ["mail_recipients"], "{before:?} -> {after:?}");
    assert!(!a.files_hold(ADDRESS).await);

    let (db_a, db_b) = (a.state.db.clone(), b.state.db.clone());
    let (one, other) = tokio::join!(db_a.checkpoint(), db_b.checkpoint());
    let said = [one.unwrap(), other.unwrap()];
    assert!(said.iter().all(|said| said.contains("VACUUM FULL") || said.contains("not yet")), "{said:?}");
}

#[tokio::test]
async fn a_report_another_process_stores_in_the_same_second_replaces_the_cached_one() {
    let Some((a, b)) = two_processes(Chain::new(), Vec::new()).await else { return };
    let wallet = kimiko::testing::chain::address("pg:same-second");
    // Both reports are dated START_MS to the millisecond: only their
    // revisions tell them apart.
    let store = |app: &TestApp, score: u8| {
        let published = kimiko::domain::sample::report(&wallet, score);
        let db = app.state.db.clone();
        async move {
            let mut tx = db.begin_write().await.unwrap();
            kimiko::storage::reports::upsert(&mut tx, &published.report, START_MS, START_MS + 3_600_000)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    let path = format!("/api/reports/{wallet}");
    let score_on = async |app: &TestApp| {
        app.get(&path).await.json::<serde_json::Value>().await.unwrap()["score"].clone()
    };
    store(&a, 42).await;
    assert_eq!(score_on(&b).await, 42, "B now holds the first report in its cache");
    store(&a, 77).await;
    a.state.reports.invalidate(&wallet);
    assert_eq!(score_on(&a).await, 77);
    assert_eq!(score_on(&b).await, 77, "B serves the newer report, not its cached copy");
}
