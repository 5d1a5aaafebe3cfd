//! The baseline for `bench/run.py`: a bare axum "hello" server on the same
//! runtime settings as Kimiko, showing what this machine can serve at all.
//! `/sized/{bytes}` answers with a body of that many bytes, to show what the
//! machine can do for a response as large as one of Kimiko's.
//!
//!     cargo run --release --example bench_hello -- 127.0.0.1:3900

use axum::body::Bytes;
use axum::extract::Path;
use axum::{Router, routing::get};

const LARGEST: usize = 1 << 20;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3900".into());
    let filler: &'static [u8] = Box::leak(vec![b'k'; LARGEST].into_boxed_slice());
    let app = Router::new().route("/", get(|| async { "hello" })).route(
        "/sized/{bytes}",
        get(move |Path(bytes): Path<usize>| async move { Bytes::from_static(&filler[..bytes.min(LARGEST)]) }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("hello on {addr}");
    axum::serve(listener, app).await.expect("serve");
}
