#!/usr/bin/env bash
# Builds Kimiko for release and runs the load benchmark (bench/run.py) three
# times, writing medians to bench/results/latest.md (`--only submit`: just the
# submit-across-processes section, to results/latest-submit.md). Loopback only.
# The Postgres part needs Debian's `postgresql` package (initdb, postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
scripts/build-site.sh release
cargo build --release --features testing --bin kimiko --example mock_rpc --example bench_hello --example bench_postgres
exec python3 bench/run.py "$@"
