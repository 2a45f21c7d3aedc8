# Sourced by the benchmarks: builds the release exec-bridge ($ours) and installs the reference
# (Codex CLI 0.63.0) from npm into target/bench/peer on first use ($codex; CODEX_BIN overrides).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
echo "== building exec-bridge (release)"
cargo build --quiet --release --locked -p exec-bridge --manifest-path "$root/Cargo.toml"
ours="$root/target/release/exec-bridge"

codex="${CODEX_BIN:-$root/target/bench/peer/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex}"
if [ ! -x "$codex" ]; then
  echo "== installing the reference (@openai/codex@0.63.0) into target/bench/peer"
  mkdir -p "$root/target/bench/peer"
  npm install --prefix "$root/target/bench/peer" --no-audit --no-fund --loglevel=error @openai/codex@0.63.0 >/dev/null
fi
