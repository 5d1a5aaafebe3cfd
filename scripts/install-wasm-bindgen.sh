#!/usr/bin/env bash
# Installs the wasm-bindgen CLI at exactly the version of the wasm-bindgen crate
# in Cargo.lock (the two must match byte for byte in their ABI).
#
# `cargo install wasm-bindgen-cli --locked` fails on this registry: its lock file
# pins webpki-roots 1.0.11, which the registry lacks. So we unpack the crate's
# source, pin that one dependency to 1.0.10 and install from the path.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }

if command -v wasm-bindgen >/dev/null 2>&1 && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$version" ]; then
  exit 0
fi

echo "installing wasm-bindgen-cli $version from source (about 2 minutes)…"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -sSfL "https://static.crates.io/crates/wasm-bindgen-cli/wasm-bindgen-cli-$version.crate" | tar -xz -C "$work"
cd "$work/wasm-bindgen-cli-$version"

cargo update --quiet -p webpki-roots --precise 1.0.10
cargo install --quiet --path . --locked --bin wasm-bindgen --root "${CARGO_HOME:-$HOME/.cargo}"
wasm-bindgen --version
