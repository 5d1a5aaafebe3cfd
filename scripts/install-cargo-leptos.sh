#!/usr/bin/env bash
# Installs cargo-leptos (for `cargo leptos watch`, the optional development
# loop; `scripts/` stays the supported path) at the version this project was
# checked with.
#
# `cargo install cargo-leptos --locked` fails on Rust 1.95: its lock file
# pins cargo-util-schemas 0.14.2, which needs rustc 1.96. So we unpack the
# crate's source, pin that one dependency to 0.14.1 and install from the
# path (about 12 minutes on 2 cores). cargo-leptos downloads wasm-bindgen
# from GitHub when it is not on PATH, which fails here: the same version as
# the crate in Cargo.lock is installed first.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.3.11

scripts/install-wasm-bindgen.sh
if command -v cargo-leptos >/dev/null 2>&1 && [ "$(cargo-leptos --version | awk '{print $2}')" = "$version" ]; then
  exit 0
fi

echo "installing cargo-leptos $version from source (about 12 minutes)…"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -sSfL "https://static.crates.io/crates/cargo-leptos/cargo-leptos-$version.crate" | tar -xz -C "$work"
cd "$work/cargo-leptos-$version"
cargo update --quiet -p cargo-util-schemas --precise 0.14.1
cargo install --quiet --path . --locked --root "${CARGO_HOME:-$HOME/.cargo}"
cargo-leptos --version
