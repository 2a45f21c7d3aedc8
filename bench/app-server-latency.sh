#!/usr/bin/env bash
# Benchmark (not a test): how the app-server answers while a turn waits for an approval, ours
# against the reference (Codex CLI 0.63.0) in the same run, both against our scripted model
# server: the latency of `thread/resume` of that very thread, and how long the process takes to
# exit once stdin closes. Prints medians and ratios.
#
#   bench/app-server-latency.sh          # RUNS=20 resumes by default
#   CODEX_BIN=/path/to/codex bench/app-server-latency.sh
set -euo pipefail
source "$(dirname "$0")/binaries.sh"
python3 "$root/bench/app_server_latency.py" "$ours" "$codex" "${RUNS:-20}"
