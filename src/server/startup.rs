//! Settings → state → router → a running server, worker and scheduler.
//! Tests build the same [`Application`] on port 0 with their own mailer and
//! clock; `kimiko serve` builds it from the environment.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::convert::Infallible;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::{Service, ServiceBuilder};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::client_limiter::{self, ClientLimiter};
use super::rate_limit;
use super::shared::SharedLayer;
use super::state::{ServerParts, ServerState};
use super::{admin, api, conditional, csrf, http, job_stream, observability, security_headers};
use crate::analysis::Labels;
use crate::config::settings::Settings;
use crate::email::Mailer;
use crate::jobs::{Worker, scheduler};
use crate::service::cache::ReportCache;
use crate::service::clock::Clock;
use crate::service::kept_pages::KeptPages;
use crate::service::request_writer::RequestWriter;
use crate::service::secret::{self, KeyedHasher};
use crate::service::state::AppState;
use crate::storage::Db;
use crate::storage::transactions::StoredTransactions;
use crate::ui::app::{App, shell};

/// The runtime half of Leptos's configuration; the build half is
/// `[package.metadata.leptos]` in Cargo.toml (a test keeps the two in step).
pub const LEPTOS_TOML: &str = include_str!("../../Leptos.toml");

/// Longest a request may take before the client gets a 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request body; the only form is a wallet and an email.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parts tests swap out.
#[derive(Default)]
pub struct Overrides {
    pub mailer: Option<Mailer>,
    pub clock: Option<Clock>,
    /// The background worker's longest look away from the queue.
    pub worker_max_idle: Option<Duration>,
}

pub struct Application {
    listener: TcpListener,
    server: ServerState,
    state: AppState,
    client_limiter: ClientLimiter,
    worker_max_idle: Option<Duration>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with(settings, Overrides::default()).await
    }

    pub async fn build_with(settings: Settings, overrides: Overrides) -> anyhow::Result<Application> {
        let worker_max_idle = overrides.worker_max_idle;
        let state = build_state(settings, overrides).await?;
        let leptos = leptos_options(&state.settings)?;
        let listener = TcpListener::bind(state.settings.site_addr)
            .await
            .with_context(|| format!("LEPTOS_SITE_ADDR: cannot listen on {}", state.settings.site_addr))?;
        let client_limiter = client_limiter::client_limiter(&state.settings);
        let server = ServerState::new(ServerParts {
            app: state.clone(),
            leptos,
            client_limiter: client_limiter.clone(),
            pages: KeptPages::default(),
        });
        Ok(Application { listener, server, state, client_limiter, worker_max_idle })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves HTTP until `shutdown` turns true; the worker and scheduler only
    /// when `background` (tests may drive the worker by hand instead).
    pub async fn run(self, shutdown: watch::Receiver<bool>, background: bool) -> anyhow::Result<()> {
        let Application { listener, server, state, client_limiter, worker_max_idle } = self;
        let address = listener.local_addr()?;
        tracing::info!(%address, public_url = %state.settings.public_url, mail = %state.mailer.describe(), "Kimiko is listening");
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(client_limiter::prune_stale_keys(client_limiter, shutdown.clone()));
        tasks.spawn(crate::metrics::upkeep(shutdown.clone()));
        // Open progress streams end at shutdown, or the graceful shutdown
        // would wait for every job page left open.
        tasks.spawn({
            let events = state.job_events.clone();
            let mut stop = shutdown.clone();
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
                events.close();
            }
        });
        if background {
            let mut worker = Worker::new(state.clone());
            if let Some(max_idle) = worker_max_idle {
                worker = worker.with_max_idle(max_idle);
            }
            tasks.spawn(worker.run(shutdown.clone()));
            let (db, wake) = (state.db.clone(), state.queue_wake.clone());
            tasks.spawn(crate::storage::jobs::forward_wakeups(db, wake, shutdown.clone()));
            tasks.spawn(scheduler::run(state.clone(), shutdown.clone()));
        }
        let mut stop = shutdown.clone();
        let service =
            axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(service(server));
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .await
            .context("the HTTP server failed")?;
        while tasks.join_next().await.is_some() {}
        state.db.close().await;
        tracing::info!("Kimiko stopped");
        Ok(())
    }
}

pub async fn build_state(settings: Settings, overrides: Overrides) -> anyhow::Result<AppState> {
    // Install the recorder before anything records (metrics sent earlier are lost).
    crate::metrics::handle();
    if let Some(dir) = settings.database_dir() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("Failed to create the data folder {}", dir.display()))?;
    }
    let db = Db::connect(&settings.database_url).await?;
    let mailer = match overrides.mailer {
        Some(mailer) => mailer,
        None => Mailer::from_settings(&settings)?,
    };
    let rpc = settings
        .rpc_client()
        .with_transaction_store(Arc::new(StoredTransactions::new(db.clone(), settings.tx_cache_size)));
    let hasher = KeyedHasher::new(secret::load_or_create(&settings)?);
    Ok(AppState {
        reports: ReportCache::with_capacity(settings.report_cache_size),
        request_writer: RequestWriter::start(db.clone(), settings.email_daily_limit, settings.max_attempts),
        labels: Arc::new(load_labels(&settings)?),
        settings: Arc::new(settings),
        db,
        mailer,
        rpc: Arc::new(rpc),
        clock: overrides.clock.unwrap_or(Clock::System),
        queue_wake: Arc::new(Notify::new()),
        job_events: Default::default(),
        hasher,
        health: Arc::default(),
        accepted: Default::default(),
        names: Default::default(),
    })
}

/// The shipped labels plus the operator's `KIMIKO_LABELS_FILE`.
pub fn load_labels(settings: &Settings) -> anyhow::Result<Labels> {
    let mut labels = Labels::shipped();
    if let Some(path) = &settings.labels_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("KIMIKO_LABELS_FILE: cannot read {}", path.display()))?;
        let added = labels
            .extend_from_json(&text)
            .with_context(|| format!("KIMIKO_LABELS_FILE: {} is not a valid label file", path.display()))?;
        tracing::info!(added, path = %path.display(), "operator labels loaded");
    }
    Ok(labels)
}

/// Leptos's options: the embedded `Leptos.toml`, then our settings.
pub fn leptos_options(settings: &Settings) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_config_from_str(LEPTOS_TOML).context("Leptos.toml is invalid")?;
    options.site_addr = settings.site_addr;
    options.site_root = settings.site_root.to_string_lossy().into_owned().into();
    Ok(options)
}

/// The site's routes, generated once per process.
///
/// Generating them walks the app with resource loading switched off by a
/// process-wide flag (leptos_server's `SuppressResourceLoad`), and a
/// resource whose loading starts in that moment, in any render anywhere in
/// the process, waits for good: its page ends in the request timeout's 408
/// (leptos-rs/leptos#4773). Made once, before any server of this process
/// can render, no render can meet the flag. (`kimiko serve` builds one
/// server; the tests build many in one process.)
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole site: the middleware around the router. Served as it is, not
/// inside another `Router`, which would match every request against an
/// empty route table and clone the whole stack into a box to call it.
pub fn service(
    state: ServerState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send> + Clone + Send + 'static
{
    let routes = route_list();
    // axum clones every route's handler, and so these closures, on every
    // request: they hold one `Arc` each and clone the parts only to render.
    let for_context = state.clone();
    let provide_app_state = move || {
        provide_context(for_context.app.clone());
        security_headers::provide_request_nonce();
    };
    let for_shell = state.clone();
    let for_not_found = state.clone();
    let render_not_found = leptos_axum::render_app_async_with_context(provide_app_state.clone(), move || {
        shell(for_not_found.leptos.clone())
    });
    let admin = Router::new()
        .route("/admin/queue", get(admin::queue))
        .route("/admin/jobs", get(admin::list))
        .route("/admin/jobs/retry-dead", post(admin::retry_dead))
        .route("/admin/jobs/{id}", get(admin::show))
        .route("/admin/jobs/{id}/retry", post(admin::retry))
        .route_layer(from_fn_with_state(state.clone(), admin::require_token));
    let routes: Router = Router::new()
        .merge(admin)
        .route("/api/jobs/{id}", get(api::get_job))
        .route("/api/jobs/{id}/events", get(job_stream::job_events))
        .route("/api/reports/{wallet}", get(api::get_report))
        .route("/report/{wallet}/card.png", get(api::get_card))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(observability::readyz))
        .route("/metrics", get(observability::render))
        .leptos_routes_with_context(&state, routes, provide_app_state.clone(), move || {
            shell(for_shell.leptos.clone())
        })
        .route_layer(from_fn(observability::remember_route))
        .fallback(move |State(state): State<ServerState>, request: axum::extract::Request| {
            conditional::not_found(state, request, render_not_found.clone())
        })
        .with_state(state.clone());
    // The middleware wraps the router once. (`Router::layer` would wrap
    // every route in every layer, and axum boxes and clones each of those
    // wrappers on every request: a tenth of a cached page's CPU time.)
    // The first layer here sees a request first.
    ServiceBuilder::new()
        // Tracing wraps the body in its own type; axum serves its own.
        .map_response(IntoResponse::into_response)
        // Every request is timed, logged under its id, and answered with it.
        .map_request(observability::drop_unsafe_request_id)
        .layer(SetRequestIdLayer::x_request_id(observability::NewRequestId))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(observability::request_span))
        .layer(from_fn(observability::track_requests))
        // Outside the limits, so their 408s and 413s get the headers too.
        .layer(from_fn_with_state(security_headers::hsts_applies(&state.app.settings), security_headers::set))
        // Kept pages skip the layers below, which concern posts and
        // renders only (a render still passes through them).
        .layer(from_fn_with_state(state.clone(), conditional::kept_page))
        // What a kept page never reaches is copied only when reached.
        .layer(SharedLayer)
        // Whatever renders gets this request's CSP nonce.
        .layer(from_fn(security_headers::set_content_security_policy))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        // The body limit wraps bodies in its own type; these put axum's back.
        .map_response(IntoResponse::into_response)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .map_request(|request: axum::extract::Request<_>| request.map(axum::body::Body::new))
        // Cross-site posts are refused before they can spend a client's rate limit.
        .layer(from_fn_with_state(state.clone(), csrf::refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), rate_limit::limit_submissions))
        .layer(from_fn_with_state(state, http::plain_form_post))
        .service(routes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cargo-leptos reads Cargo.toml's table, the binary reads Leptos.toml:
    /// every runtime setting must say the same in both.
    #[test]
    fn leptos_toml_agrees_with_cargo_toml() {
        let cargo = include_str!("../../Cargo.toml");
        let section =
            cargo.split("[[workspace.metadata.leptos]]").nth(1).expect("Cargo.toml has the leptos table");
        for line in LEPTOS_TOML.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
                continue;
            }
            assert!(section.lines().any(|l| l.trim() == line), "Cargo.toml's leptos table lacks `{line}`");
        }
        let options = leptos::config::get_config_from_str(LEPTOS_TOML).unwrap();
        assert_eq!(&*options.output_name, "kimiko");
        assert_eq!(&*options.site_pkg_dir, "pkg");
    }
}
