#!/usr/bin/env bash
# Benchmark (not a test): one scripted `exec` turn (a command, then an answer) of our binary
# against the reference binary (Codex CLI 0.63.0), measured in the same run against the same
# scripted model server. Prints the median wall time and peak memory of each, and the ratios.
#
#   bench/exec-turn.sh            # RUNS=10 by default
#   RUNS=20 bench/exec-turn.sh
#   CODEX_BIN=/path/to/codex bench/exec-turn.sh   # use an installed reference binary
#
# The reference is installed from npm into target/bench/peer on first use (never committed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-10}"
cd "$root"

source "$root/bench/binaries.sh"
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }

scratch="$(mktemp -d)"
pids=()
url=
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$scratch"' EXIT

# One turn: the model runs a command, then answers. A script holds `runs` such turns.
turn='[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{\"command\":[\"bash\",\"-c\",\"echo hi\"]}"}],[{"type":"message","role":"assistant","id":"msg_1","content":[{"type":"output_text","text":"Done."}]}]'
{ printf '['; for i in $(seq "$runs"); do [ "$i" -gt 1 ] && printf ','; printf '%s' "$turn"; done; printf ']'; } > "$scratch/script.json"

# serve NAME: starts a scripted model server (not in a subshell, so that the trap can stop it)
# and sets $url to its base URL.
serve() {
  local out="$scratch/mock-$1.out"
  "$ours" mock-model --script "$scratch/script.json" > "$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q OPENAI_BASE_URL= "$out" && break; sleep 0.1; done
  url="$(sed -n 's/.*OPENAI_BASE_URL=//p' "$out")"
}

# measure NAME BINARY: runs the turn `runs` times; appends "seconds kilobytes" lines to
# $scratch/NAME.times (wall time from bash's microsecond clock, peak RSS from GNU time).
measure() {
  local name="$1" bin="$2" start end
  serve "$name"
  mkdir -p "$scratch/$name/work" "$scratch/$name/home"
  : > "$scratch/$name.times"
  for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    (cd "$scratch/$name/work" && CODEX_HOME="$scratch/$name/home" OPENAI_BASE_URL="$url" CODEX_API_KEY=bench \
      /usr/bin/time -f "%M" -o "$scratch/$name.rss" \
      "$bin" exec --experimental-json --skip-git-repo-check --full-auto "say hi" > "$scratch/$name.last.jsonl")
    end=$EPOCHREALTIME
    grep -q '"turn.completed"' "$scratch/$name.last.jsonl" || { echo "error: $name did not complete its turn:" >&2; cat "$scratch/$name.last.jsonl" >&2; exit 1; }
    echo "$(awk -v s="$start" -v e="$end" 'BEGIN {print e - s}') $(cat "$scratch/$name.rss")" >> "$scratch/$name.times"
  done
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== $runs turns each"
measure agentwire "$ours"
measure codex "$codex"

ours_wall=$(cut -d' ' -f1 "$scratch/agentwire.times" | median)
ours_kb=$(cut -d' ' -f2 "$scratch/agentwire.times" | median)
ref_wall=$(cut -d' ' -f1 "$scratch/codex.times" | median)
ref_kb=$(cut -d' ' -f2 "$scratch/codex.times" | median)

awk -v ow="$ours_wall" -v ok="$ours_kb" -v rw="$ref_wall" -v rk="$ref_kb" -v n="$runs" 'BEGIN {
  printf "%-22s %18s %22s\n", "one exec turn", "wall (median, s)", "peak RSS (median, MiB)"
  printf "%-22s %18.3f %22.1f\n", "agentwire exec-bridge", ow, ok / 1024
  printf "%-22s %18.3f %22.1f\n", "codex 0.63.0", rw, rk / 1024
  wr = (ow > 0 ? rw / ow : 0); mr = (ok > 0 ? rk / ok : 0)
  printf "ratio (codex / agentwire): wall %.1fx (target 5x), memory %.1fx (target 3x), over %d runs each\n", wr, mr, n
}'
