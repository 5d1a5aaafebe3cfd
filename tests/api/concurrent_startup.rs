//! Several applications in one process (as in these tests, or an embedder):
//! starting one must not hold up a page another is rendering.
//!
//! Building the router walks the app once with resource loading switched
//! off by a process-wide flag (leptos_server's `SuppressResourceLoad`); a
//! report page whose data started loading in that moment used to wait for
//! good, and its visitor got the 30 s timeout's 408
//! (leptos-rs/leptos#4773).

use kimiko::domain::sample;
use kimiko::testing::Chain;
use kimiko::testing::chain::address;

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn report_pages_render_while_other_applications_start_in_the_same_process() {
    let wallet = address("startup:wallet");
    // No page cache: every request renders the page and loads its report.
    let env = vec![("KIMIKO_REPORT_CACHE_SIZE", "0".to_owned())];
    let app =
        std::sync::Arc::new(spawn_app_with(Options { chain: Chain::new(), env, ..Options::default() }).await);
    let now = kimiko::storage::now_ms();
    let mut tx = app.state.db.begin_write().await.unwrap();
    kimiko::storage::reports::upsert(&mut tx, &sample::report(&wallet, 42).report, now, now + 3_600_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Pages render without pause for as long as other applications start.
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut renders = Vec::new();
    for _ in 0..3 {
        let (app, started, path) = (app.clone(), started.clone(), format!("/report/{wallet}"));
        renders.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !started.load(std::sync::atomic::Ordering::SeqCst) {
                statuses.push(app.get(&path).await.status().as_u16());
            }
            statuses
        }));
    }
    for _ in 0..30 {
        drop(spawn_app(Chain::new()).await);
    }
    started.store(true, std::sync::atomic::Ordering::SeqCst);
    for render in renders {
        let statuses = render.await.unwrap();
        assert!(statuses.iter().all(|status| *status == 200), "every render is served: {statuses:?}");
    }
}
