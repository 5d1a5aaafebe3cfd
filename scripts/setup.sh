#!/usr/bin/env bash
# Installs what building Kimiko needs and is missing: the WASM target and a
# wasm-bindgen CLI matching Cargo.lock. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
scripts/install-wasm-bindgen.sh
