#!/usr/bin/env bash
# Sets up, builds (release) and runs Kimiko on its embedded defaults:
# http://127.0.0.1:3000, a SQLite file under data/, mail written to
# data/outbox as .eml files, the public Solana mainnet RPC endpoint.
# Any KIMIKO_* / LEPTOS_* variable (or a .env file) overrides a default.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build-site.sh release
cargo build --release --features ssr --bin kimiko
exec "${CARGO_TARGET_DIR:-target}/release/kimiko" serve
