#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, integration and snapshot tests) and the TypeScript
# type checks of sdk-ts under `tsc --strict`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh

echo "== cargo test (every crate)"
cargo test --workspace --locked

echo "== sdk-ts: install, then tsc --strict --noEmit over the generated types and their type tests"
npm ci --prefix sdk-ts --no-audit --no-fund --loglevel=error
npm run --prefix sdk-ts --silent typecheck
echo "sdk-ts typecheck: ok"
