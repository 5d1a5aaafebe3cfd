#!/usr/bin/env bash
# Installs what the tests need and runs all of them: the Rust unit and
# integration tests (real SQLite files, a private PostgreSQL server the
# tests start themselves, a mock Solana RPC, a real SMTP server), then the
# browser tests (Playwright in Debian's Chromium against
# the real server).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

step() { printf '\n== %s\n' "$*"; }

step "setting up"
scripts/setup.sh
# Chromium for the browser tests; nginx for the reverse-proxy rate-limit
# test (tests/api/behind_proxy.rs starts its own on loopback); PostgreSQL's
# binaries for the Postgres tests (src/testing/postgres.rs runs initdb and
# the server itself, on loopback, and removes it afterwards).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
fi
(cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

step "lints"
cargo fmt --all -- --check
cargo clippy --features testing --all-targets -- -D warnings

step "Rust tests"
cargo test --features testing

step "building the site and server for the browser tests"
scripts/build-site.sh
cargo build --features testing --bin kimiko --example mock_rpc

step "browser tests"
rm -rf end2end/.data end2end/test-results
(cd end2end && KIMIKO_BIN_DIR="$target_dir/debug" npx playwright test)
echo "screenshots: end2end/test-results/screens"
