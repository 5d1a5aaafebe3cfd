//! Several real `kimiko serve` processes on one database of the test
//! process's private Postgres, as behind a load balancer: the limits, the
//! report cache and the queue must hold across them, also when processes
//! are SIGKILLed and restarted.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use kimiko::testing::{Chain, MockRpc, postgres, scenarios};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::crash_recovery::{
    Server, assert_each_job_mailed_once_but_for_kills_in_its_send, client, environment, job_of,
    kill_test_settings, post_form, submit, when_every_job_has_ended,
};
use crate::helpers::{SmtpServer, form_body, free_port};

/// One `kimiko serve` process's address and settings.
struct Process {
    address: String,
    env: Vec<(String, String)>,
}

/// `count` processes' settings on database `url`, each with its own port
/// and folder under `dir`, all asking `rpc`.
fn processes(
    count: usize,
    dir: &std::path::Path,
    url: &str,
    rpc: &MockRpc,
    extra: &[(&str, &str)],
) -> Vec<Process> {
    (0..count)
        .map(|n| {
            let port = free_port();
            let folder = dir.join(format!("process-{n}"));
            let mut env = environment(&folder, port, rpc, extra);
            // Later entries win: the database is the shared one.
            env.push(("KIMIKO_DATABASE_URL".to_owned(), url.to_owned()));
            Process { address: format!("http://127.0.0.1:{port}"), env }
        })
        .collect()
}

/// Waits (bounded) until job `id` has succeeded, asking `address`.
async fn until_succeeded(http: &reqwest::Client, address: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job: serde_json::Value =
            http.get(format!("{address}/api/jobs/{id}")).send().await.unwrap().json().await.unwrap();
        if job["status"] == "succeeded" {
            return;
        }
        assert!(Instant::now() < deadline, "job {id} never succeeded: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_fourth_request_for_one_address_in_a_day_is_refused_whichever_process_receives_it() {
    let Some(url) = postgres::fresh_database().await else { return };
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, 6, 2);
    let rpc = MockRpc::start(chain).await;
    let dir = tempfile::tempdir().unwrap();
    let cluster = processes(3, dir.path(), &url, &rpc, &[("KIMIKO_EMAIL_DAILY_LIMIT", "3")]);
    let mut servers = Vec::new();
    for process in &cluster {
        servers.push(Server::start(&process.env, &process.address).await);
    }
    let http = client();
    for (i, process) in cluster.iter().enumerate() {
        let status = post_form(&http, &process.address, form_body(&wallets[i], "one.person@example.com"))
            .await
            .status();
        assert_eq!(status, 303, "request {i} to process {i}");
    }
    for (i, process) in cluster.iter().enumerate() {
        let status = post_form(&http, &process.address, form_body(&wallets[3 + i], "one.person@example.com"))
            .await
            .status();
        assert_eq!(status, 429, "a fourth request to process {i}");
    }
    for server in servers {
        server.kill();
    }
}

#[tokio::test]
async fn a_report_one_process_stores_is_what_another_serves_within_seconds() {
    let Some(url) = postgres::fresh_database().await else { return };
    let mut chain = Chain::new();
    let wallet = scenarios::careful_wallet(&mut chain).wallet;
    let rpc = MockRpc::start(chain).await;
    // Each analysis takes over a second, so the fresh report is stored in a
    // later second than the first one (reports are dated to the second).
    rpc.set_delay(Duration::from_millis(400));
    let dir = tempfile::tempdir().unwrap();
    let cluster = processes(2, dir.path(), &url, &rpc, &[]);
    let (a, b) = (&cluster[0], &cluster[1]);
    let servers = [Server::start(&a.env, &a.address).await, Server::start(&b.env, &b.address).await];
    let http = client();

    let first = submit(&http, &a.address, &wallet, "first@example.com").await;
    until_succeeded(&http, &a.address, &first).await;
    let report = |address: &str| {
        let request = http.get(format!("{address}/api/reports/{wallet}"));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    // Both processes now hold the first report in their caches.
    let old = report(&a.address).await;
    assert_eq!(report(&b.address).await, old);

    // A fresh analysis, asked of B; whichever process's worker runs it,
    // the other one still holds the first report in its cache.
    let body = format!("{}&refresh=1", form_body(&wallet, "second@example.com"));
    let second = job_of(&post_form(&http, &b.address, body).await);
    until_succeeded(&http, &b.address, &second).await;

    // Both serve the new report within a few seconds, neither its cached copy.
    let mut served = Vec::new();
    for process in [a, b] {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let body = report(&process.address).await;
            if body != old {
                served.push(body);
                break;
            }
            assert!(Instant::now() < deadline, "{} still serves the replaced report", process.address);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(served[0], served[1], "both serve the same, fresh report");
    for server in servers {
        server.kill();
    }
}

const JOBS: usize = 30;

#[tokio::test]
async fn three_processes_two_killed_at_random_moments_lose_no_job_and_mail_each_under_one_message_id() {
    let Some(url) = postgres::fresh_database().await else { return };
    let smtp = SmtpServer::start();
    let mut chain = Chain::new();
    let wallets = scenarios::many_wallets(&mut chain, JOBS, 30);
    let rpc = MockRpc::start(chain).await;
    // Slow answers keep jobs in flight long enough to be interrupted.
    rpc.set_delay(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let smtp_url = smtp.url();
    let cluster = processes(3, dir.path(), &url, &rpc, &kill_test_settings(&smtp_url));
    let log = |process: usize, life: usize| Some(dir.path().join(format!("process-{process}-{life}.log")));
    let mut servers = Vec::new();
    for (n, process) in cluster.iter().enumerate() {
        servers.push(Some(Server::start_logging(&process.env, &process.address, log(n, 0)).await));
    }
    let http = client();
    let mut job_ids = Vec::new();
    for (i, wallet) in wallets.iter().enumerate() {
        let process = &cluster[i % cluster.len()];
        job_ids.push(submit(&http, &process.address, wallet, &format!("cluster-{i}@example.com")).await);
    }

    // Two of the three, each at a random moment, then back up.
    let seed: u64 = rand::random();
    println!("kill schedule seed: {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut interrupted: HashMap<String, usize> = HashMap::new();
    let victims = {
        let spared = rng.random_range(0..cluster.len());
        (0..cluster.len()).filter(|n| *n != spared).collect::<Vec<_>>()
    };
    for &n in &victims {
        tokio::time::sleep(Duration::from_millis(rng.random_range(200..1_800))).await;
        let (cut, _, _) = servers[n].take().expect("running").kill_now();
        for job in cut {
            *interrupted.entry(job).or_default() += 1;
        }
        servers[n] = Some(Server::start_logging(&cluster[n].env, &cluster[n].address, log(n, 1)).await);
    }

    let db = kimiko::storage::Db::connect(&url).await.unwrap();
    let statuses = when_every_job_has_ended(&db).await;
    for server in servers.into_iter().flatten() {
        server.kill();
    }

    assert_eq!(statuses.len(), JOBS, "seed {seed}: a job was lost");
    let not_done: Vec<_> = statuses.iter().filter(|(_, s)| s != "succeeded").collect();
    assert!(not_done.is_empty(), "seed {seed}: jobs not succeeded: {not_done:?}");

    // Every message carries its job's one Message-ID; a second copy of a
    // mail is the same message, and only from a kill inside its send.
    assert_each_job_mailed_once_but_for_kills_in_its_send(&smtp, &job_ids, &interrupted, seed);
    let abandoned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_attempts WHERE outcome = 'abandoned'")
        .fetch_one(db.pg_pool())
        .await
        .unwrap();
    println!("seed {seed}: {abandoned} attempt(s) cut by a kill were taken over and finished");
    db.close().await;
}
