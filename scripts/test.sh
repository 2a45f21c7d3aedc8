#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, integration and snapshot tests), the TypeScript type
# checks of sdk-ts under `tsc --strict`, the SDK's tests through both transports (the napi addon
# in process, the binary spawned), and the addon's own tests inside Node; last, the install test
# of the npm packages (scripts/install-test.sh: a release build packed, installed into an empty
# project, a turn run with no Rust toolchain).
source "$(dirname "$0")/node.sh"

echo "== cargo test (every crate)"
cargo test --workspace --locked

echo "== the sandbox's adversarial probes, each blocked under both sandboxes and working without (the table)"
cargo test --quiet --locked -p exec-bridge --test sandbox_probes every_probe -- --nocapture \
  | grep -E '^(probe |sandbox probes)|^  \(not counted'

echo "== sdk-ts: tsc --strict --noEmit over the generated types and their type tests"
npm run --prefix sdk-ts --silent typecheck
echo "sdk-ts typecheck: ok"

echo "== sdk-ts: build, then its tests (node --test): both transports, the addon in process and target/debug/exec-bridge spawned"
cargo build --quiet --locked -p exec-bridge -p agentwire-node -p test-mcp-server
npm run --prefix sdk-ts --silent build
export AGENTWIRE_ADDON="$PWD/target/debug/libagentwire_node.so" AGENTWIRE_EXEC_BRIDGE_PATH="$PWD/target/debug/exec-bridge" \
  AGENTWIRE_MCP_TEST_SERVER="$PWD/target/debug/mcp-test-server"
npm test --prefix sdk-ts --silent

echo "== the napi addon (bindings/node) loaded into Node: node --test bindings/node/test/*.test.mjs"
node --test --test-timeout=120000 bindings/node/test/*.test.mjs

echo "== the sandbox's adversarial probes again, through the engine embedded in Node (the addon): each blocked"
AGENTWIRE_PROBE_ADDON="$AGENTWIRE_ADDON" cargo test --quiet --locked -p exec-bridge --test sandbox_probes every_probe -- --nocapture \
  | grep -E '^(probe |sandbox probes)|^  \(not counted'

echo "== the npm packages as a user installs them: scripts/pack.sh (release build), npm install, a turn (scripts/install-test.sh)"
scripts/install-test.sh
