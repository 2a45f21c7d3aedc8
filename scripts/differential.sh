#!/usr/bin/env bash
# The conformance scenarios against the reference, Codex CLI 0.63.0: installs it from npm into
# target/bench/peer on first use (CODEX_BIN names another binary instead), then runs the
# differential mode (the conformance crate's `differential` binary), which lists every difference
# from the pinned snapshots less those conformance/deliberate_differences.toml says are meant,
# and ends with `differential: N of M scenarios identical, …`. Exit code 0 when every difference
# is deliberate. Other arguments go to the differential binary (--scenario NAME, --save DIR, …).
#
#   scripts/differential.sh [--if-installable] [ARGS…]
#
# --if-installable (CI): when the reference is not installed and the npm registry cannot be
# reached, say so and exit 0 instead of failing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if_installable=false
if [ "${1:-}" = "--if-installable" ]; then
  if_installable=true
  shift
fi
skip() {
  echo "differential: SKIPPED, the reference cannot be installed: $1"
  exit 0
}

case "$(uname -m)" in
  x86_64) triple=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) triple=aarch64-unknown-linux-musl ;;
  *) triple=unsupported ;;
esac
peer="$root/target/bench/peer"
codex="${CODEX_BIN:-$peer/node_modules/@openai/codex/vendor/$triple/codex/codex}"
if [ -n "${CODEX_BIN:-}" ] && [ ! -x "$CODEX_BIN" ]; then
  echo "error: CODEX_BIN=$CODEX_BIN is not an executable" >&2
  exit 1
fi
if [ ! -x "$codex" ]; then
  [ "$(uname -s)" = Linux ] && [ "$triple" != unsupported ] \
    || { $if_installable && skip "no Linux build of it for $(uname -sm)"; echo "error: the reference ships Linux x86_64 and arm64 builds only" >&2; exit 1; }
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "== installing Node.js and npm (apt-get)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
        || { $if_installable && skip "npm is missing and apt-get could not install it"; exit 1; }
    else
      $if_installable && skip "npm is missing"
      echo "error: npm is needed to install the reference (@openai/codex@0.63.0)" >&2
      exit 1
    fi
  fi
  if $if_installable && ! timeout 60 npm view --loglevel=error @openai/codex@0.63.0 version >/dev/null 2>&1; then
    skip "the npm registry is not reachable"
  fi
  echo "== installing the reference (@openai/codex@0.63.0) into target/bench/peer"
  mkdir -p "$peer"
  npm install --prefix "$peer" --no-audit --no-fund --loglevel=error @openai/codex@0.63.0 >/dev/null
fi
# Built with the workspace's features (as `cargo test --workspace` builds it), so that after the
# tests nothing is rebuilt.
cargo build --quiet --locked --workspace --bin differential
echo "== differential: the conformance scenarios against $("$codex" --version)"
"${CARGO_TARGET_DIR:-$root/target}/debug/differential" --binary "$codex" "$@"
