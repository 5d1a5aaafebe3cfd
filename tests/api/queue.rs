//! The job queue: leases and heartbeats, fencing, retries with backoff, dead
//! letters, panics, concurrency without "database is locked", graceful
//! shutdown, and the admin endpoints.

use std::time::Duration;

use kimiko::email::MemoryBehaviour;
use kimiko::jobs::Worker;
use kimiko::service::state::Clock;
use kimiko::storage::jobs::{self, AfterFailure, Lease};
use kimiko::testing::scenarios;
use kimiko::testing::{Chain, Fault};

use crate::helpers::{
    Database, Options, TestApp, allow_marking_mail_sent, lift_refusal, refuse_to_mark_mail_sent,
    refuse_writes, spawn_app_with,
};
use crate::{on_both_backends, peek};

const START_MS: i64 = 1_795_000_000_000;
const LEASE: Duration = Duration::from_secs(60);
const ADMIN_TOKEN: &str = "operator-token-0123456789";

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

/// An app with no grace on shutdown: stopping its worker cuts each job's
/// own task off at once.
async fn graceless_app(database: &Database, chain: Chain) -> TestApp {
    app_with(database, chain, vec![("KIMIKO_SHUTDOWN_GRACE_SECS", "0".into())]).await
}

/// The worker loop running on its own, and the switch that stops it.
fn start(worker: Worker) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    (stop, tokio::spawn(worker.run(stopped)))
}

/// A job gone dead because the RPC was down for every attempt, on an app
/// whose admin endpoints take [`ADMIN_TOKEN`]. The RPC is still down.
async fn dead_job(database: &Database, email: &str) -> (TestApp, String) {
    let (chain, wallet) = careful_wallet();
    let app = app_with(database, chain, vec![("KIMIKO_ADMIN_TOKEN", ADMIN_TOKEN.into())]).await;
    app.rpc.fail_always(Fault::Unavailable);
    let id = app.submit(&wallet, email).await;
    app.run_worker().await;
    assert_eq!(status(&app, &id).await, "dead");
    (app, id)
}

/// An operator's re-queue of job `id` through the admin endpoint: its status.
async fn requeue(app: &TestApp, id: &str) -> u16 {
    let url = app.url(&format!("/admin/jobs/{id}/retry"));
    app.http.post(url).bearer_auth(ADMIN_TOKEN).send().await.unwrap().status().as_u16()
}

/// An admin view, as the operator holding the token sees it.
async fn admin_view(app: &TestApp, path: &str) -> serde_json::Value {
    app.http.get(app.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap().json().await.unwrap()
}

async fn status(app: &TestApp, id: &str) -> String {
    app.job_json(id).await["status"].as_str().unwrap().to_owned()
}

/// Waits (bounded) until `ready` holds; the test fails if it never does.
async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
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
        // A fault on the very first request hits exactly one job's first call.
        app.rpc.fail_next(Fault::RpcError { code: -32602, message: "Invalid params".into() });
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
    async fn a_dead_letter_keeps_its_error_and_can_be_requeued_by_an_operator(database) {
        let (app, id) = dead_job(&database, "dead@example.com").await;

        // Without the token: 401; with it: the dead letter and its attempts.
        let anonymous = app.http.get(app.url("/admin/jobs?status=dead")).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        let wrong = app.http.get(app.url("/admin/jobs")).bearer_auth("nope").send().await.unwrap();
        assert_eq!(wrong.status(), 401);
        let list = admin_view(&app, "/admin/jobs?status=dead").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(!list.to_string().contains("dead@example.com"), "admin views never show the address");
        let detail = admin_view(&app, &format!("/admin/jobs/{id}")).await;
        assert_eq!(detail["attempts"].as_array().unwrap().len(), 3);
        assert!(detail["attempts"][2]["error"].as_str().unwrap().contains("503"));

        // The RPC recovers; the operator re-queues; the mail goes out once.
        app.rpc.heal();
        assert_eq!(requeue(&app, &id).await, 200);
        app.run_worker().await;
        assert_eq!(status(&app, &id).await, "succeeded");
        assert_eq!(app.sent_mail().len(), 1);
        assert_eq!(requeue(&app, &id).await, 409, "only dead jobs are re-queued");
    }
}

on_both_backends! {
    async fn admin_endpoints_do_not_exist_without_a_token(database) {
        let app = app_with(&database, Chain::new(), vec![]).await;
        let response = app.http.get(app.url("/admin/queue")).bearer_auth("anything").send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
}

on_both_backends! {
    async fn dead_letters_lose_their_address_after_the_window(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![("KIMIKO_DEAD_LETTER_HOURS", "72".into())]).await;
        app.rpc.fail_always(Fault::Unavailable);
        let id = app.submit(&wallet, "window@example.com").await;
        app.run_worker().await;
        let task = kimiko::jobs::scheduler::find("erase-dead-letters").unwrap();
        app.advance(Duration::from_secs(71 * 3600));
        (task.run)(&app.state).await.unwrap();
        assert_eq!(email_left(&app, &id).await, Some("window@example.com".into()), "kept within the window");
        app.advance(Duration::from_secs(2 * 3600));
        (task.run)(&app.state).await.unwrap();
        assert_eq!(email_left(&app, &id).await, None, "erased after it");
        let outcome = jobs::requeue_dead(&app.state.db, &id, 3, app.state.clock.now_ms()).await.unwrap();
        assert_eq!(outcome, jobs::RequeueOutcome::AddressErased);
    }
}

async fn email_left(app: &TestApp, id: &str) -> Option<String> {
    peek!(&app.state.db, |pool| sqlx::query_scalar("SELECT email FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap())
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
    async fn on_shutdown_running_jobs_finish_within_the_grace_period_or_are_handed_back(database) {
        let (chain, wallet) = careful_wallet();
        // The RPC answers slowly: a job takes ~1.5 s (signatures, one batch,
        // balance). An hour's grace outlasts it on any machine (shutdown waits
        // for the job, not for the grace); none cannot.
        for (grace, expect_finished) in [("3600", true), ("0", false)] {
            // A database of its own each time: a report stored by the first
            // round would be reused by the second, whose job then never runs.
            let app = spawn_app_with(Options {
                database: database.another().await,
                chain: chain.clone(),
                background: true,
                env: vec![("KIMIKO_SHUTDOWN_GRACE_SECS", grace.into())],
                ..Options::default()
            })
            .await;
            app.rpc.set_delay(Duration::from_millis(500));
            let id = app.submit(&wallet, &format!("shutdown-{grace}@example.com")).await;
            while status(&app, &id).await != "running" {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            app.shutdown().await;
            // The app closed its pools on the way out; look at the file directly.
            let db = kimiko::storage::Db::connect(&app.state.settings.database_url).await.unwrap();
            let (state, attempts): (String, i64) =
                peek!(&db, |pool| sqlx::query_as("SELECT status, attempts FROM jobs WHERE id = $1")
                    .bind(&id)
                    .fetch_one(pool)
                    .await
                    .unwrap());
            if expect_finished {
                assert_eq!(state, "succeeded", "grace {grace}s");
                assert_eq!(app.sent_mail().len(), 1);
            } else {
                assert_eq!((state.as_str(), attempts), ("queued", 0), "abandoned job handed back uncounted");
                assert!(app.sent_mail().is_empty());
            }
        }
    }
}

on_both_backends! {
    async fn a_requeued_dead_job_numbers_its_attempts_on_and_keeps_every_earlier_one_on_record(database) {
        let (app, id) = dead_job(&database, "history@example.com").await;
        let before = jobs::attempts(&app.state.db, &id).await.unwrap();
        assert_eq!(before.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2, 3]);

        app.rpc.heal();
        assert_eq!(requeue(&app, &id).await, 200);
        app.run_worker().await;

        let job = app.job_json(&id).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        assert_eq!(job["attempts"], 4, "the re-queued run is the fourth attempt: {job}");
        let after = jobs::attempts(&app.state.db, &id).await.unwrap();
        assert_eq!(after.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let outcomes: Vec<_> = after.iter().map(|a| a.outcome.as_deref().unwrap_or("-")).collect();
        assert_eq!(outcomes, ["retry", "retry", "dead", "succeeded"], "the failed attempts are still on record");
        for (kept, was) in after.iter().zip(&before) {
            assert_eq!(
                (&kept.worker, kept.started_at, kept.finished_at),
                (&was.worker, was.started_at, was.finished_at)
            );
        }
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
    async fn a_stopping_worker_returns_only_once_every_mail_the_server_accepted_is_recorded(database) {
        let (chain, wallet) = careful_wallet();
        let app = graceless_app(&database, chain).await;
        refuse_to_mark_mail_sent(&app).await;
        let (stop, worker) = start(Worker::new(app.state.clone()));
        let id = app.submit(&wallet, "stopping@example.com").await;
        // The mail went out, and recording it keeps failing.
        until("the mail was sent", || !app.sent_mail().is_empty() && app.state.accepted.in_flight() > 0).await;

        // Stop with no grace: the job's own task is cut short at once.
        stop.send(true).unwrap();
        allow_marking_mail_sent(&app).await;
        worker.await.unwrap();
        assert_eq!(app.state.accepted.in_flight(), 0, "the worker returned with an accepted mail unrecorded");
        let (job, mail): (String, String) = peek!(&app.state.db, |pool| sqlx::query_as(
            "SELECT jobs.status, outbox.status FROM jobs JOIN outbox ON outbox.job_id = jobs.id WHERE jobs.id = $1",
        )
        .bind(&id)
        .fetch_one(pool)
        .await
        .unwrap());
        assert_eq!((job.as_str(), mail.as_str()), ("succeeded", "sent"));
        assert_eq!(app.sent_mail().len(), 1);
    }
}

on_both_backends! {
    async fn a_send_the_server_accepted_is_not_cut_off_by_shutdown_and_never_goes_out_again(database) {
        let (chain, wallet) = careful_wallet();
        let app = graceless_app(&database, chain).await;
        // The server has said 250; its answer has not reached Kimiko yet.
        app.mail.set_behaviour(MemoryBehaviour::AcceptThenHang);
        let (stop, worker) = start(Worker::new(app.state.clone()));
        let id = app.submit(&wallet, "cutoff@example.com").await;
        until("the mail reached the server", || app.mail.hanging() == 1).await;

        // Stop with no grace: the job's own task is aborted at once. The send
        // is either cut off with it, or the shutdown waits for it.
        stop.send(true).unwrap();
        until("the send was cut off or is waited for", || {
            app.mail.hanging() == 0 || app.state.accepted.waiters() > 0
        })
        .await;
        app.mail.release();
        worker.await.unwrap();
        assert_eq!(status(&app, &id).await, "succeeded", "the accepted mail is recorded before the worker stops");

        // After a restart nothing goes out again.
        app.mail.set_behaviour(MemoryBehaviour::Accept);
        app.run_worker().await;
        assert_eq!(app.sent_mail().len(), 1, "the accepted mail went out again");
    }
}

on_both_backends! {
    async fn a_job_reclaimed_while_its_accepted_mail_is_still_being_recorded_does_not_send_again(database) {
        let (chain, wallet) = careful_wallet();
        let app = manual_app(&database, chain, vec![]).await;
        refuse_to_mark_mail_sent(&app).await;
        let id = app.submit(&wallet, "twice@example.com").await;
        let first = {
            let state = app.state.clone();
            tokio::spawn(async move { Worker::new(state).run_due().await })
        };
        until("the mail was accepted", || !app.sent_mail().is_empty() && app.state.accepted.in_flight() == 1)
            .await;

        // Recording it keeps failing, so no heartbeat gets through either: the
        // lease runs out and this same process claims the job again.
        app.advance(LEASE + Duration::from_secs(1));
        let second = {
            let state = app.state.clone();
            tokio::spawn(async move { Worker::new(state).run_due().await })
        };
        until("the re-run sent again or waits for the record", || {
            app.sent_mail().len() > 1 || app.state.accepted.waiters() > 0
        })
        .await;

        allow_marking_mail_sent(&app).await;
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(app.sent_mail().len(), 1, "the re-run sent the accepted mail again");
        assert_eq!(status(&app, &id).await, "succeeded");
    }
}

on_both_backends! {
    async fn a_stopping_worker_gives_up_waiting_for_a_record_the_database_keeps_refusing(database) {
        let (chain, wallet) = careful_wallet();
        let app = graceless_app(&database, chain).await;
        refuse_to_mark_mail_sent(&app).await;
        let (stop, worker) = start(Worker::new(app.state.clone()).with_record_wait(Duration::ZERO));
        app.submit(&wallet, "forever@example.com").await;
        until("the mail was accepted", || !app.sent_mail().is_empty() && app.state.accepted.in_flight() == 1)
            .await;

        stop.send(true).unwrap();
        // The trigger stays: the record can never commit. The bound here only
        // turns a hang into a failure; the worker's own bound is zero.
        tokio::time::timeout(Duration::from_secs(60), worker)
            .await
            .expect("the worker stopped although a record kept failing")
            .unwrap();
        assert_eq!(app.state.accepted.in_flight(), 1, "the record is still being retried");
    }
}
