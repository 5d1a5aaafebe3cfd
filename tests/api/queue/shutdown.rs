//! Stopping: running jobs finish within the grace period or are handed
//! back, and a mail the server accepted is recorded before the worker
//! returns, never cut off and never sent again.

use std::time::Duration;

use kimiko::email::MemoryBehaviour;
use kimiko::jobs::Worker;
use kimiko::testing::Chain;

use super::{LEASE, app_with, careful_wallet, manual_app, status};
use crate::helpers::{
    Database, Options, TestApp, allow_marking_mail_sent, refuse_to_mark_mail_sent, spawn_app_with,
};
use crate::{on_both_backends, peek};

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

/// Waits (bounded) until `ready` holds; the test fails if it never does.
async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
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
