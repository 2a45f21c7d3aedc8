#!/usr/bin/env bash
# Benchmark (not a test) of streaming many small deltas:
#
# - the SSE parser: the cost per delta of one stream of 10^3, 10^4 and 10^5 deltas (it must not
#   grow with the stream: the ratio of the largest to the smallest must be ~1);
# - the app-server: how many `item/agentMessage/delta` notifications per second reach a client
#   that reads as fast as it can, when the scripted model streams one message of DELTAS deltas,
#   ours and the reference's (Codex CLI 0.63.0) in the same run (target: at least 100,000/s);
# - the app-server's peak RSS when the client stalls for the stream's length, then reads,
#   against a client that reads (it must stay within a few MB).
#
#   bench/deltas.sh                  # DELTAS=100000 by default
#   CODEX_BIN=/path/to/codex bench/deltas.sh
set -euo pipefail
source "$(dirname "$0")/binaries.sh"
echo "== building the SSE parser benchmark (release)"
cargo build --quiet --release --locked -p exec-bridge --example sse_deltas --manifest-path "$root/Cargo.toml"
"$root/target/release/examples/sse_deltas"
python3 "$root/bench/deltas.py" "$ours" "$codex" "${DELTAS:-100000}"
