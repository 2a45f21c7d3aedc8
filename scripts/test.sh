#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, integration and snapshot tests) and the TypeScript
# type checks of sdk-ts under `tsc --strict`.
source "$(dirname "$0")/node.sh"

echo "== cargo test (every crate)"
cargo test --workspace --locked

echo "== sdk-ts: tsc --strict --noEmit over the generated types and their type tests"
npm run --prefix sdk-ts --silent typecheck
echo "sdk-ts typecheck: ok"
