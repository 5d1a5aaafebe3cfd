#!/usr/bin/env bash
# Builds the browser half of Kimiko into target/site: the WASM bundle
# (wasm-bindgen, plus wasm-opt for release), the stylesheet and public/.
#
#   scripts/build-site.sh            # debug
#   scripts/build-site.sh release    # optimised for size
#
# The same steps cargo-leptos runs, without needing cargo-leptos (whose
# install from crates.io fails on this toolchain and takes 12 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-debug}
target_dir=${CARGO_TARGET_DIR:-target}
site=${LEPTOS_SITE_ROOT:-target/site}

case "$mode" in
  release)
    cargo rustc --lib --crate-type cdylib --target wasm32-unknown-unknown --features hydrate --profile wasm-release
    wasm="$target_dir/wasm32-unknown-unknown/wasm-release/kimiko.wasm" ;;
  debug)
    cargo rustc --lib --crate-type cdylib --target wasm32-unknown-unknown --features hydrate
    wasm="$target_dir/wasm32-unknown-unknown/debug/kimiko.wasm" ;;
  *) echo "usage: $0 [debug|release]" >&2; exit 2 ;;
esac

mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name kimiko "$wasm"
if [ "$mode" = release ]; then
  # wasm-opt comes from npm's binaryen (end2end/package.json) or the PATH.
  wasm_opt=$(command -v wasm-opt || true)
  [ -x end2end/node_modules/.bin/wasm-opt ] && wasm_opt=end2end/node_modules/.bin/wasm-opt
  if [ -n "$wasm_opt" ]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types \
      "$site/pkg/kimiko_bg.wasm" -o "$site/pkg/kimiko_bg.wasm"
  else
    echo "wasm-opt not found: the WASM is not size-optimised (npm ci in end2end/ provides it)" >&2
  fi
fi
cp style/main.css "$site/pkg/kimiko.css"
cp -R public/. "$site/"
echo "site built in $site ($mode): $(du -h "$site/pkg/kimiko_bg.wasm" | cut -f1) of WASM"
