#!/usr/bin/env bash
# A demo turn: starts the built-in scripted model server (`exec-bridge mock-model`) with
# examples/demo/script.json, and runs `exec-bridge exec --experimental-json` against it in a
# scratch folder, printing the JSONL event stream. No API key needed.
# Usage: scripts/demo.sh [PATH-TO-exec-bridge]   (default: target/debug/exec-bridge)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/target/debug/exec-bridge}"
scratch="$(mktemp -d)"
mkdir -p "$scratch/work" "$scratch/home"
"$bin" mock-model --script "$root/examples/demo/script.json" > "$scratch/mock.out" &
mock=$!
trap 'kill $mock 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do grep -q OPENAI_BASE_URL= "$scratch/mock.out" && break; sleep 0.1; done
url="$(sed -n 's/.*OPENAI_BASE_URL=//p' "$scratch/mock.out")"
[ -n "$url" ] || { echo "error: the mock model server did not start" >&2; exit 1; }

echo "== demo turn: exec-bridge exec --experimental-json --full-auto (model: scripted, $url)"
cd "$scratch/work"
CODEX_HOME="$scratch/home" OPENAI_BASE_URL="$url" CODEX_API_KEY=demo \
  "$bin" exec --experimental-json --skip-git-repo-check --full-auto "Write a DEMO.md greeting"
echo "== the file the turn wrote:"
cat DEMO.md
