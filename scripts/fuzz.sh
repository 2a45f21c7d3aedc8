#!/usr/bin/env bash
# The long fuzzing campaign: at least N cases in all (default 1000000) over the targets of
# exec-bridge/tests/fuzz.rs (the JSON-RPC reader runs a tenth as many as each other target, each
# case a whole in-process app-server). Prints, per target, the cases run, the slowest case and
# any failure (with the minimal failing input), then the totals and the peak memory of the run.
# CI runs the same targets with a few hundred cases each (cargo test).
# Usage: scripts/fuzz.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-1000000}"
# Five targets of P cases and one of P/10: 5.1 P >= N.
per_target=$(( (total * 10 + 50) / 51 ))
echo "== fuzz: at least $total cases in all, $per_target per target"
cargo test --quiet --locked -p exec-bridge --test fuzz --no-run
start=$(date +%s)
if [ -x /usr/bin/time ]; then
  FUZZ_CASES="$per_target" /usr/bin/time -f "== fuzz peak memory: %M KiB" \
    cargo test --quiet --locked -p exec-bridge --test fuzz
else
  FUZZ_CASES="$per_target" cargo test --quiet --locked -p exec-bridge --test fuzz
fi
echo "== fuzz took $(( $(date +%s) - start )) s"
