//! The job queue: leases and heartbeats, fencing, retries with backoff,
//! panics, concurrency without "database is locked"; dead letters and the
//! admin endpoints in `dead_letters`, stopping in `shutdown`. The helpers
//! here serve all three.

mod dead_letters;
mod shutdown;

use std::time::Duration;

use kimiko::email::MemoryBehaviour;
use kimiko::jobs::Worker;
use kimiko::service::clock::Clock;
use kimiko::storage::jobs::{self, AfterFailure, Lease};
use kimiko::testing::scenarios;
use kimiko::testing::{Chain, Fault};

use crate::helpers::{Database, Options, TestApp, lift_refusal, refuse_writes, spawn_app_with};
use crate::{on_both_backends, peek};

const START_MS: i64 = 1_795_000_000_000;
const LEASE: Duration = Duration::from_secs(60);

/// The chain most of these tests run on (one careful wallet's history), and
/// that wallet.
fn careful_wallet() -> (Chain, String) {
    let mut chain = Chain::new();
    let wallet = scenarios::careful_wallet(&mut chain).wallet;
    (chain, wallet)
}

/// An app on `database` with `env`, on the real clock.
async fn app_with(database: &Database, chain: Chain, env: Vec<(&'static str, String)>) -> TestApp {
    spawn_app_with(Options { chain, env, database: database.clone(), ..Options::default() }).await
}

/// An app whose clock moves only when the test says so (`app.advance`).
async fn manual_app(database: &Database, chain: Chain, env: Vec<(&'static str, String)>) -> TestApp {
    spawn_app_with(Options {
        chain,
        env,
        database: database.clone(),
        clock: Some(Clock::manual(START_MS)),
        ..Options::default()
    })
    .await
}

async fn status(app: &TestApp, id: &str) -> String {
    app.job_json(id).await["status"].as_str().unwrap().to_owned()
}

on_both_backends! {
    async fn an_expired_lease_is_reclaimed_only_after_it_runs_out_and_the_old_owner_is_fenced(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        let id = app.submit(&wallet, "lease@example.com").await;
        let db = &app.state.db;

        let first = jobs::claim(db, "worker-a", 10, LEASE, START_MS).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].attempts, 1);
        // Worker A vanishes. Before its lease runs out nobody may take the job.
        assert!(jobs::claim(db, "worker-b", 10, LEASE, START_MS + 59_000).await.unwrap().is_empty());
        let second = jobs::claim(db, "worker-b", 10, LEASE, START_MS + 61_000).await.unwrap();
        assert_eq!(second.len(), 1, "reclaimed once the lease expired");
        assert_eq!(second[0].attempts, 2);

        // A is back and tries to act on the job: every change is refused.
        let stale = Lease::of(&first[0], "worker-a");
        assert!(!jobs::heartbeat(db, &stale, LEASE, START_MS + 62_000).await.unwrap());
        let failed = jobs::fail(db, &stale, "late", AfterFailure::Dead, START_MS + 62_000).await.unwrap();
        assert_eq!(failed, None, "a lost lease cannot fail the job");
        // Even a stale run of B itself (an earlier claim) is fenced by attempt.
        let current = Lease::of(&second[0], "worker-b");
        let earlier = Lease { attempt: 1, ..current.clone() };
        assert!(!jobs::heartbeat(db, &earlier, LEASE, START_MS + 62_000).await.unwrap());
        assert!(jobs::heartbeat(db, &current, LEASE, START_MS + 62_000).await.unwrap());
        assert_eq!(status(&app, &id).await, "running");

        let attempts = jobs::attempts(db, &id).await.unwrap();
        assert_eq!(attempts[0].outcome.as_deref(), Some("abandoned"));
        assert_eq!(attempts[1].worker, "worker-b");
    }
}

on_both_backends! {
    async fn a_live_job_with_a_heartbeat_is_never_stolen(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        let id = app.submit(&wallet, "heartbeat@example.com").await;
        let db = &app.state.db;

        let claimed = jobs::claim(db, "worker-a", 10, LEASE, START_MS).await.unwrap();
        let lease = Lease::of(&claimed[0], "worker-a");
        assert_eq!(lease.job_id, id);
        // Beat every 20 s for five minutes; another worker keeps looking.
        for step in 1..=15 {
            let now = START_MS + step * 20_000;
            assert!(jobs::heartbeat(db, &lease, LEASE, now).await.unwrap());
            assert!(
                jobs::claim(db, "worker-b", 10, LEASE, now + 1_000).await.unwrap().is_empty(),
                "stolen at step {step}"
            );
        }
        // Nor does its own worker take it again while the lease holds…
        let last_beat = START_MS + 15 * 20_000;
        assert!(jobs::claim(db, "worker-a", 10, LEASE, last_beat + 59_000).await.unwrap().is_empty());
        // …but once it ran out, the run is presumed dead, whoever held it.
        let again = jobs::claim(db, "worker-a", 10, LEASE, last_beat + 61_000).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
    }
}

on_both_backends! {
    async fn a_transient_mail_failure_is_retried_after_a_backoff_and_delivered_once(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![("KIMIKO_RETRY_BASE_SECS", "30".into())]).await;
        app.mail.set_behaviour(MemoryBehaviour::Transient);
        let id = app.submit(&wallet, "retry@example.com").await;

        assert_eq!(app.run_worker().await, 1);
        // The wallet's own signature page and those of the addresses it is tied to.
        let pages = app.rpc.calls_of("getSignaturesForAddress");
        let job = app.job_json(&id).await;
        assert_eq!(job["status"], "queued");
        assert!(job["error"].as_str().unwrap().contains("451"), "{job}");
        // Not due before its backoff (30 s ± 25%).
        app.advance(Duration::from_secs(20));
        assert_eq!(app.run_worker().await, 0);

        app.mail.set_behaviour(MemoryBehaviour::Accept);
        app.advance(Duration::from_secs(20));
        assert_eq!(app.run_worker().await, 1);
        assert_eq!(status(&app, &id).await, "succeeded");
        assert_eq!(app.sent_mail().len(), 1);
        assert_eq!(app.rpc.calls_of("getSignaturesForAddress"), pages, "the retry only re-sends the stored mail");
    }
}

on_both_backends! {
    async fn a_permanent_mail_rejection_kills_the_job_at_once(database) {
        let (chain, wallet) = careful_wallet();
        let app = app_with(&database, chain, vec![]).await;
        app.mail.set_behaviour(MemoryBehaviour::Permanent);
        let id = app.submit(&wallet, "bounce@example.com").await;
        app.run_worker().await;
        let job = app.job_json(&id).await;
        assert_eq!(job["status"], "dead");
        assert_eq!(job["attempts"], 1, "no retry for a 5xx");
        assert!(job["error"].as_str().unwrap().contains("550"));
    }
}

on_both_backends! {
    async fn a_panic_inside_a_job_is_recorded_as_a_failed_attempt(database) {
        let (chain, wallet) = careful_wallet();
        let app = app_with(&database, chain, vec![]).await;
        app.mail.set_behaviour(MemoryBehaviour::Panic);
        let id = app.submit(&wallet, "panic@example.com").await;
        app.run_worker().await;

        let job = app.job_json(&id).await;
        assert_eq!(job["status"], "dead", "{job}");
        assert_eq!(job["attempts"], 3);
        assert!(job["error"].as_str().unwrap().contains("panicked"), "{job}");
        let attempts = jobs::attempts(&app.state.db, &id).await.unwrap();
        assert!(attempts.iter().all(|a| a.error.as_deref().is_some_and(|e| e.contains("told to panic"))));
        // The worker itself survived and keeps serving.
        app.mail.set_behaviour(MemoryBehaviour::Accept);
        let next = app.submit(&wallet, "after-panic@example.com").await;
        app.run_worker().await;
        assert_eq!(status(&app, &next).await, "succeeded");
    }
}

on_both_backends! {
    async fn one_failing_job_never_reruns_the_others_in_its_batch(database) {
        let mut chain = Chain::new();
        let good = scenarios::careful_wallet(&mut chain);
        let app = manual_app(&database, chain, vec![("KIMIKO_RETRY_BASE_SECS", "600".into())]).await;
        let missing = kimiko::testing::chain::address("not-on-chain-but-valid");
        app.rpc.with_chain(|c| c.set_balance(&missing, 1));
        let ok_ids = [
            app.submit(&good.wallet, "batch-1@example.com").await,
            app.submit(&good.wallet, "batch-2@example.com").await,
        ];
        // Every call about the third wallet is refused for good, whichever
        // job's call reaches the node first.
        app.rpc.fail_for(&missing, Fault::RpcError { code: -32602, message: "Invalid params".into() });
        let bad = app.submit(&missing, "batch-3@example.com").await;
        app.run_worker().await;
        let statuses = [status(&app, &ok_ids[0]).await, status(&app, &ok_ids[1]).await, status(&app, &bad).await];
        let failed = statuses.iter().filter(|s| *s != "succeeded").count();
        assert_eq!(failed, 1, "{statuses:?}");
        assert_eq!(app.sent_mail().len(), 2, "the two good jobs mailed once each");
        for id in ok_ids.iter().chain([&bad]) {
            let attempts = jobs::attempts(&app.state.db, id).await.unwrap();
            assert_eq!(attempts.len(), 1, "job {id} ran more than once");
        }
    }
}

on_both_backends! {
    async fn many_concurrent_submissions_while_the_worker_runs_never_hit_a_locked_database(database) {
        let mut chain = Chain::new();
        let wallets = scenarios::many_wallets(&mut chain, 40, 5);
        let app = spawn_app_with(Options {
            database: database.clone(),
            chain,
            background: true,
            env: vec![("KIMIKO_EMAIL_DAILY_LIMIT", "1000".into())],
            ..Options::default()
        })
        .await;
        let submits = (0..200).map(|i| {
            let wallet = wallets[i % wallets.len()].clone();
            let app = &app;
            async move { app.post_form(&wallet, &format!("load-{i}@example.com")).await.status().as_u16() }
        });
        let statuses = futures::future::join_all(submits).await;
        assert!(statuses.iter().all(|s| *s == 303), "every submit accepted: {statuses:?}");

        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let unfinished: i64 = peek!(&app.state.db, |pool| sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
            )
            .fetch_one(pool)
            .await
            .unwrap());
            if unfinished == 0 || std::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let by_status: Vec<(String, i64)> = jobs::counts(&app.state.db).await.unwrap();
        assert_eq!(by_status, vec![("succeeded".to_owned(), 200)], "{by_status:?}");
        let locked: i64 = peek!(&app.state.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM job_attempts WHERE error LIKE '%locked%' OR error LIKE '%busy%'",
        )
        .fetch_one(pool)
        .await
        .unwrap());
        assert_eq!(locked, 0);
        assert_eq!(app.sent_mail().len(), 200);
    }
}

on_both_backends! {
    async fn a_job_whose_failure_could_not_be_recorded_is_reclaimed_by_its_own_worker_once_the_lease_runs_out(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        app.mail.set_behaviour(MemoryBehaviour::Transient);
        let id = app.submit(&wallet, "ack@example.com").await;
        // Every write that acknowledges a job (back to the queue, or dead) fails.
        refuse_writes(&app, "refuse_ack", "UPDATE OF status ON jobs", Some("NEW.status IN ('queued', 'dead')")).await;
        assert_eq!(app.run_worker().await, 1);
        assert_eq!(status(&app, &id).await, "running", "the failed attempt could not be recorded");

        lift_refusal(&app, "refuse_ack", "jobs").await;
        app.mail.set_behaviour(MemoryBehaviour::Accept);
        app.advance(LEASE - Duration::from_secs(1));
        assert_eq!(app.run_worker().await, 0, "nobody takes a job before its lease runs out");
        app.advance(Duration::from_secs(2));
        assert_eq!(app.run_worker().await, 1, "the worker that held the lease takes the job again");
        assert_eq!(status(&app, &id).await, "succeeded");
        assert_eq!(app.sent_mail().len(), 1);
        let outcomes: Vec<_> = jobs::attempts(&app.state.db, &id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.outcome.unwrap_or_default())
            .collect();
        assert_eq!(outcomes, ["abandoned", "succeeded"]);
    }
}

on_both_backends! {
    async fn a_worker_whose_claims_keep_failing_backs_off_instead_of_spinning(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        app.submit(&wallet, "spin@example.com").await;
        refuse_writes(&app, "refuse_claim", "INSERT ON job_attempts", None).await;

        // The worker loop's own turns, with the waits it chose added up: a
        // minute of its time, however fast the machine runs it.
        let worker = Worker::new(app.state.clone());
        let (mut claims, mut waited) = (0, Duration::ZERO);
        while waited < Duration::from_secs(60) && claims < 1_000 {
            let turn = worker.turn(10).await;
            assert!(turn.jobs.is_empty());
            waited += turn.wait;
            claims += 1;
        }
        assert!(claims <= 15, "{claims} claims in a minute of failures");

        // Once writes work again the next turn claims, and the one after it no longer waits long.
        lift_refusal(&app, "refuse_claim", "job_attempts").await;
        let turn = worker.turn(10).await;
        assert_eq!(turn.jobs.len(), 1, "claims again once the database takes writes");
        assert!(turn.wait <= Duration::from_secs(5), "the backoff is over: {:?}", turn.wait);
    }
}

on_both_backends! {
    async fn a_failed_claim_lets_go_of_the_job_before_it_returns(database) {
        // A claim whose transaction failed but was only dropped keeps its
        // row locks until the pool gets round to the rollback; the next
        // claim then skips the job as someone else's, reads "nothing due",
        // and the worker's backoff starts over (a spinning worker).
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        let id = app.submit(&wallet, "held@example.com").await;
        refuse_writes(&app, "refuse_claim", "INSERT ON job_attempts", None).await;
        let db = &app.state.db;
        for round in 0..25 {
            let claimed = jobs::claim(db, "w", 10, LEASE, app.state.clock.now_ms()).await;
            assert!(claimed.is_err(), "round {round}: the claim is refused");
            let free = if db.is_postgres() {
                sqlx::query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE NOWAIT")
                    .bind(&id)
                    .fetch_optional(db.pg_pool())
                    .await
                    .map(|row| row.is_some())
            } else {
                sqlx::query("UPDATE jobs SET updated_at = updated_at WHERE id = $1")
                    .bind(&id)
                    .execute(db.writer())
                    .await
                    .map(|done| done.rows_affected() == 1)
            };
            assert!(matches!(free, Ok(true)), "round {round}: the job is still held after the claim failed: {free:?}");
        }
        assert_eq!(status(&app, &id).await, "queued");
    }
}
