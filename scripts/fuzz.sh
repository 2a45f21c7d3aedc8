#!/usr/bin/env bash
# The long fuzzing campaign: N cases in all (default 1000000), spread evenly over the targets of
# exec-bridge/tests/fuzz.rs (the JSON-RPC reader runs a tenth as many, each a whole in-process
# app-server). Prints, per target, the cases run, the slowest case and any failure (with the
# minimal failing input), then the totals. CI runs the same targets with a few hundred cases.
# Usage: scripts/fuzz.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-1000000}"
targets=6
per_target=$(( (total + targets - 1) / targets ))
echo "== fuzz: $total cases in all, $per_target per target"
start=$(date +%s)
FUZZ_CASES="$per_target" cargo test --quiet --locked -p exec-bridge --test fuzz
echo "== fuzz took $(( $(date +%s) - start )) s"
