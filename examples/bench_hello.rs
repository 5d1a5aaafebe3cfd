//! The baseline for `bench/run.py`: a bare axum "hello" server on the same
//! runtime settings as Kimiko, showing what this machine can serve at all.
//!
//!     cargo run --release --example bench_hello -- 127.0.0.1:3900

use axum::{Router, routing::get};

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3900".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("hello on {addr}");
    axum::serve(listener, app).await.expect("serve");
}
