#!/usr/bin/env bash
# Builds everything and runs the main job: regenerates schema/ and sdk-ts/src/generated/ from the
# Rust types, builds every crate, and builds the npm package in sdk-ts/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh

echo "== cargo build (every crate)"
cargo build --workspace --locked

echo "== code generation: schema/ and sdk-ts/src/generated/"
cargo run --quiet --locked -p codegen

echo "== sdk-ts: install and build"
npm ci --prefix sdk-ts --no-audit --no-fund --loglevel=error
npm run --prefix sdk-ts --silent build
echo "built: target/debug/, schema/, sdk-ts/dist/"
