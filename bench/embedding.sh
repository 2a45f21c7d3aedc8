#!/usr/bin/env bash
# Benchmark (not a test) of the engine embedded in Node through the napi addon, against the same
# engine spawned as a binary, both through the SDK, in the same run (see bench/embedding.mjs):
# the latency of a scripted plain turn, and streamed deltas delivered to JavaScript per second.
#
#   bench/embedding.sh          # RUNS=30 DELTAS=100000 by default
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/node.sh"
echo "== building exec-bridge and the addon (release), and sdk-ts"
cargo build --quiet --release --locked -p exec-bridge -p agentwire-node --manifest-path "$root/Cargo.toml"
npm run --prefix "$root/sdk-ts" --silent build
node "$root/bench/embedding.mjs" "$root/target/release/exec-bridge" "$root/target/release/libagentwire_node.so"
