#!/usr/bin/env bash
# Builds Kimiko for release and runs the load benchmark (bench/run.py) three
# times, writing medians to bench/results/latest.md. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
scripts/build-site.sh release
cargo build --release --features testing --bin kimiko --example mock_rpc --example bench_hello
exec python3 bench/run.py "$@"
