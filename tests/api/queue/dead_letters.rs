//! Dead letters: what an operator sees of them and how they re-queue one
//! (the admin endpoints), and how long a dead job keeps its address.

use std::time::Duration;

use kimiko::storage::jobs;
use kimiko::testing::{Chain, Fault};

use super::{app_with, careful_wallet, manual_app, status};
use crate::helpers::{Database, TestApp};
use crate::{on_both_backends, peek};

const ADMIN_TOKEN: &str = "operator-token-0123456789";

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
    peek!(&app.state.db, |pool| sqlx::query_scalar("SELECT email FROM mail_recipients WHERE job_id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap())
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
