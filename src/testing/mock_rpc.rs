//! A Solana JSON-RPC server on loopback for tests, serving a [`Chain`] in
//! mainnet's shapes — faults included: 429 with `Retry-After`, 5xx, slow
//! answers past the client's timeout, malformed bodies, refused batches, and
//! -32015 for clients that don't ask for v1 transactions. It counts every
//! HTTP request and every call so tests can assert how many a wallet took.
//! It can enforce a provider's rate limits (`mock_limits`) and answer
//! `getTransactionsForAddress` as Helius documents it (`mock_history`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

use super::chain::Chain;
use super::mock_limits::{Enforced, PER_METHOD, Windows, rate_limited};

/// Something to go wrong on the next HTTP request(s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with a JSON-RPC error body and `Retry-After: secs`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 503 with an HTML body, as a load balancer sends it.
    Unavailable,
    /// Answer only after this long (longer than the client's timeout).
    Slow(Duration),
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// A JSON-RPC error for every call.
    RpcError { code: i64, message: String },
}

#[derive(Default)]
struct Faults {
    queue: VecDeque<Fault>,
    always: Option<Fault>,
    refuse_batches: bool,
    delay: Duration,
    /// Requests that name one of these addresses wait this long.
    slow: Vec<(String, Duration)>,
    /// Requests that name one of these addresses get this fault, always.
    failing: Vec<(String, Fault)>,
    /// Calls whose first parameter is one of these addresses are answered
    /// with this JSON-RPC error (code, message), inside a batch as alone.
    refused: Vec<(String, i64, String)>,
}

#[derive(Default)]
pub struct Counters {
    pub http_requests: AtomicU64,
    pub calls: AtomicU64,
    pub batches: AtomicU64,
}

struct MockState {
    chain: RwLock<Chain>,
    faults: Mutex<Faults>,
    counters: Counters,
    methods: Mutex<Vec<String>>,
    windows: Mutex<Windows>,
    /// Answer `getTransactionsForAddress` (else "Method not found", as
    /// the public endpoint does).
    transactions_for_address: AtomicBool,
}

pub struct MockRpc {
    pub addr: SocketAddr,
    state: Arc<MockState>,
    task: JoinHandle<()>,
}

impl MockRpc {
    /// Serves `chain` on 127.0.0.1 at a free port.
    pub async fn start(chain: Chain) -> MockRpc {
        Self::start_on("127.0.0.1:0".parse().expect("loopback address"), chain).await
    }

    pub async fn start_on(addr: SocketAddr, chain: Chain) -> MockRpc {
        let state = Arc::new(MockState {
            chain: RwLock::new(chain),
            faults: Mutex::new(Faults::default()),
            counters: Counters::default(),
            methods: Mutex::new(Vec::new()),
            windows: Mutex::new(Windows::default()),
            transactions_for_address: AtomicBool::new(false),
        });
        let app = Router::new().route("/", post(handle)).with_state(state.clone());
        let listener = TcpListener::bind(addr).await.expect("bind mock RPC");
        let addr = listener.local_addr().expect("mock RPC address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("mock RPC serves");
        });
        MockRpc { addr, state, task }
    }

    pub fn url(&self) -> Url {
        format!("http://{}/", self.addr).parse().expect("mock URL")
    }

    /// Changes the served chain (e.g. adds a wallet mid-test).
    pub fn with_chain<R>(&self, change: impl FnOnce(&mut Chain) -> R) -> R {
        change(&mut self.state.chain.write().expect("chain lock"))
    }

    /// Injects `fault` into the next HTTP request (faults queue up).
    pub fn fail_next(&self, fault: Fault) {
        self.faults().queue.push_back(fault);
    }

    /// Injects `fault` into every request until [`MockRpc::heal`].
    pub fn fail_always(&self, fault: Fault) {
        self.faults().always = Some(fault);
    }

    pub fn heal(&self) {
        let mut faults = self.faults();
        faults.queue.clear();
        faults.always = None;
    }

    /// Answer JSON-RPC batches with a refusal, as some providers do.
    pub fn refuse_batches(&self, refuse: bool) {
        self.faults().refuse_batches = refuse;
    }

    /// Delay every answer (a slow provider), e.g. so a test can act mid-job.
    pub fn set_delay(&self, delay: Duration) {
        self.faults().delay = delay;
    }

    /// Delay every request that names `address` (its signatures, balance
    /// and token accounts), leaving other wallets fast: a job for it stays
    /// in each phase long enough to be watched.
    pub fn slow_for(&self, address: &str, delay: Duration) {
        self.faults().slow.push((address.to_owned(), delay));
    }

    /// Answer every request that names `address` with `fault`, leaving
    /// other wallets alone, whichever request comes first.
    pub fn fail_for(&self, address: &str, fault: Fault) {
        self.faults().failing.push((address.to_owned(), fault));
    }

    /// Enforce a provider's rate limits from now on (`None`: none).
    pub fn enforce_limits(&self, enforced: Option<Enforced>) {
        self.state.windows.lock().expect("windows lock").enforce(enforced);
    }

    /// Requests refused with 429 by the enforced limits.
    pub fn rate_limited(&self) -> u64 {
        self.state.windows.lock().expect("windows lock").refused
    }

    /// Answer `getTransactionsForAddress` like Helius (or not, like the
    /// public endpoint: "Method not found").
    pub fn serve_transactions_for_address(&self, serve: bool) {
        self.state.transactions_for_address.store(serve, Ordering::SeqCst);
    }

    /// Answer every call about `address` (its signature pages, balance,
    /// token accounts) with the JSON-RPC error `code`, as a node does that
    /// cannot or will not serve that one address; other calls of the same
    /// batch are answered normally.
    pub fn refuse_address(&self, address: &str, code: i64, message: &str) {
        self.faults().refused.push((address.to_owned(), code, message.to_owned()));
    }

    pub fn http_requests(&self) -> u64 {
        self.state.counters.http_requests.load(Ordering::SeqCst)
    }

    /// JSON-RPC calls, counting each item of a batch.
    pub fn calls(&self) -> u64 {
        self.state.counters.calls.load(Ordering::SeqCst)
    }

    pub fn calls_of(&self, method: &str) -> usize {
        self.state.methods.lock().expect("methods lock").iter().filter(|m| *m == method).count()
    }

    /// Calls answered, by method (refused ones are not counted).
    pub fn calls_by_method(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for method in self.state.methods.lock().expect("methods lock").iter() {
            *counts.entry(method.clone()).or_default() += 1;
        }
        counts
    }

    pub fn reset_counters(&self) {
        self.state.counters.http_requests.store(0, Ordering::SeqCst);
        self.state.counters.calls.store(0, Ordering::SeqCst);
        self.state.counters.batches.store(0, Ordering::SeqCst);
        self.state.methods.lock().expect("methods lock").clear();
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.state.faults.lock().expect("faults lock")
    }
}

impl Drop for MockRpc {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    state.counters.http_requests.fetch_add(1, Ordering::SeqCst);
    let (fault, refuse_batches, delay) = {
        let mut faults = state.faults.lock().expect("faults lock");
        let text = String::from_utf8_lossy(&body);
        let fault = faults.queue.pop_front().or_else(|| faults.always.clone()).or_else(|| {
            faults.failing.iter().find(|(address, _)| text.contains(address.as_str())).map(|(_, f)| f.clone())
        });
        let slow =
            faults.slow.iter().filter(|(address, _)| text.contains(address.as_str())).map(|(_, d)| *d).max();
        (fault, faults.refuse_batches, faults.delay.max(slow.unwrap_or_default()))
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return json_response(StatusCode::OK, error(Value::Null, -32700, "Parse error"));
    };
    match fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            let id = request.get("id").cloned().unwrap_or(Value::Null);
            return rate_limited(PER_METHOD, &id, Some(Duration::from_secs(retry_after_secs)));
        }
        Some(Fault::Unavailable) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
            )
                .into_response();
        }
        Some(Fault::Slow(wait)) => tokio::time::sleep(wait).await,
        Some(Fault::Malformed) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"jsonrpc\":\"2.0\",\"result\":[{\"sig",
            )
                .into_response();
        }
        Some(Fault::RpcError { code, message }) => {
            return json_response(
                StatusCode::OK,
                error(request.get("id").cloned().unwrap_or(json!(1)), code, &message),
            );
        }
        None => {}
    }
    let refusal = state.windows.lock().expect("windows lock").refusal(&request);
    if let Some(refusal) = refusal {
        return refusal;
    }
    match request {
        Value::Array(calls) => {
            state.counters.batches.fetch_add(1, Ordering::SeqCst);
            if refuse_batches {
                return json_response(
                    StatusCode::OK,
                    error(Value::Null, -32600, "Batch requests are not supported on this plan"),
                );
            }
            let answers: Vec<Value> = calls.iter().map(|call| answer(&state, call)).collect();
            json_response(StatusCode::OK, Value::Array(answers))
        }
        call => json_response(StatusCode::OK, answer(&state, &call)),
    }
}

fn answer(state: &MockState, call: &Value) -> Value {
    state.counters.calls.fetch_add(1, Ordering::SeqCst);
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let method = call.get("method").and_then(Value::as_str).unwrap_or_default();
    state.methods.lock().expect("methods lock").push(method.to_owned());
    let params = call.get("params").cloned().unwrap_or(json!([]));
    let chain = state.chain.read().expect("chain lock");
    let context = json!({"apiVersion": "4.2.3", "slot": chain.slot()});
    let first = params.get(0).and_then(Value::as_str);
    let options = params.get(1).cloned().unwrap_or(json!({}));
    let refusal =
        state.faults.lock().expect("faults lock").refused.iter().find_map(|(address, code, message)| {
            (first == Some(address.as_str())).then(|| (*code, message.clone()))
        });
    if let Some((code, message)) = refusal {
        return error(id, code, &message);
    }
    match (method, first) {
        ("getSignaturesForAddress", Some(wallet)) => {
            let limit = options.get("limit").and_then(Value::as_u64).unwrap_or(1000).min(1000) as usize;
            let all = chain.signatures(wallet);
            let start = match options.get("before").and_then(Value::as_str) {
                Some(before) => match all.iter().position(|(_, s)| s["signature"] == before) {
                    Some(i) => i + 1,
                    None => return error(id, -32602, "Invalid param: before signature not found"),
                },
                None => 0,
            };
            // `until`: newest first down to, not including, that signature.
            let until = options.get("until").and_then(Value::as_str);
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take_while(|(_, s)| until.is_none_or(|until| s["signature"] != until))
                .take(limit)
                .map(|(_, s)| s.clone())
                .collect();
            result(id, Value::Array(page))
        }
        ("getTransaction", Some(signature)) => {
            let Some(tx) = chain.transaction(signature) else {
                return result(id, Value::Null);
            };
            let asked = options.get("maxSupportedTransactionVersion").and_then(Value::as_u64);
            if let Some(version) = tx["version"].as_u64()
                && asked.is_none_or(|max| max < version)
            {
                let message = format!(
                    "Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"
                );
                return error(id, -32015, &message);
            }
            result(id, tx.clone())
        }
        ("getBalance", Some(wallet)) => {
            result(id, json!({"context": context, "value": chain.balance(wallet)}))
        }
        ("getTokenAccountsByOwner", Some(owner)) => {
            // The filter is `{"programId": …}` or `{"mint": …}`; answer
            // with the accounts it selects, as a node does.
            let program = options.get("programId").and_then(Value::as_str);
            let mint = options.get("mint").and_then(Value::as_str);
            let selected: Vec<Value> = chain
                .token_accounts(owner)
                .iter()
                .filter(|a| program.is_none_or(|p| a["account"]["owner"] == p))
                .filter(|a| mint.is_none_or(|m| a["account"]["data"]["parsed"]["info"]["mint"] == m))
                .cloned()
                .collect();
            result(id, json!({"context": context, "value": selected}))
        }
        ("getTransactionsForAddress", Some(address))
            if state.transactions_for_address.load(Ordering::SeqCst) =>
        {
            match super::mock_history::transactions_for_address(&chain, address, &options) {
                Ok(page) => result(id, page),
                Err((code, message)) => error(id, code, &message),
            }
        }
        ("getAccountInfo", Some(address)) => {
            // Only base64 is served: it is what Kimiko asks for, and a
            // node's default (base58) is refused for data this long anyway.
            if options.get("encoding").and_then(Value::as_str) != Some("base64") {
                return error(id, -32602, "Invalid params: the mock serves accounts in base64 only");
            }
            result(id, json!({"context": context, "value": chain.account(address)}))
        }
        ("getTokenLargestAccounts", Some(mint)) => match chain.largest_token_accounts(mint) {
            Some(accounts) => result(id, json!({"context": context, "value": accounts})),
            None => error(id, -32602, "Invalid param: could not find mint"),
        },
        ("getHealth", _) => result(id, json!("ok")),
        (
            "getSignaturesForAddress"
            | "getTransaction"
            | "getBalance"
            | "getTokenAccountsByOwner"
            | "getAccountInfo"
            | "getTokenLargestAccounts",
            None,
        ) => error(id, -32602, "Invalid params: missing first parameter"),
        _ => error(id, -32601, "Method not found"),
    }
}

fn result(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "result": result, "id": id})
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}
