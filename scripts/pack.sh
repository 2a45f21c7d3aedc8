#!/usr/bin/env bash
# Packs the npm packages a user installs: `@agentwire/sdk` (sdk-ts/, TypeScript only) and this
# machine's platform package `@agentwire/sdk-linux-x64-gnu` (npm/linux-x64-gnu/ plus the release
# build of the Node addon and of exec-bridge, side by side: the addon finds exec-bridge, its
# sandbox helper, in its own folder). Writes both tarballs to OUT_DIR and prints their paths.
# Usage: scripts/pack.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: scripts/pack.sh OUT_DIR   (the folder that receives the two .tgz files)" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"

# Only this platform's package can be built here (no cross-compiling): say so rather than pack
# a package whose binaries do not match its os/cpu/libc.
key=linux-x64-gnu
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ] || ! getconf GNU_LIBC_VERSION >/dev/null 2>&1; then
  echo "error: scripts/pack.sh builds @agentwire/sdk-$key and must run on Linux x86_64 with glibc;" \
    "this is $(uname -s) $(uname -m)$(getconf GNU_LIBC_VERSION >/dev/null 2>&1 || echo ' without glibc')" >&2
  exit 1
fi
platform_dir="$root/npm/$key"
target="${CARGO_TARGET_DIR:-$root/target}"

# Node and npm as the other scripts get them (scripts/node.sh installs them when missing, and
# then runs npm ci itself); sdk-ts's pinned dependencies only when they are not installed yet.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  source "$root/scripts/node.sh"
fi
cd "$root"

started=$SECONDS
echo "== cargo build --release: exec-bridge and the Node addon (agentwire-node); fat LTO, a few minutes from cold"
cargo build --release --locked -p exec-bridge -p agentwire-node
echo "   built in $((SECONDS - started)) s"

step=$SECONDS
if [ ! -d sdk-ts/node_modules ]; then
  echo "== sdk-ts: npm ci"
  npm ci --prefix sdk-ts --no-audit --no-fund --loglevel=error
fi
echo "== sdk-ts: build (dist/)"
npm run --prefix sdk-ts --silent build
echo "   built in $((SECONDS - step)) s"

# The platform package is staged in a scratch folder: npm/<key>/ keeps only its manifest, and
# the built files never land in the work tree.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for file in package.json README.md; do
  cp "$platform_dir/$file" "$stage/"
done
cp "$target/release/libagentwire_node.so" "$stage/agentwire.$key.node"
cp "$target/release/exec-bridge" "$stage/exec-bridge"
chmod 0755 "$stage/exec-bridge"
chmod 0644 "$stage/agentwire.$key.node"

# The two versions must agree: sdk-ts pins its platform package to exactly its own version.
sdk_version="$(node -p 'require("./sdk-ts/package.json").version')"
platform_version="$(node -p "require('$stage/package.json').version")"
pinned="$(node -p "(require('./sdk-ts/package.json').optionalDependencies || {})['@agentwire/sdk-$key']")"
if [ "$sdk_version" != "$platform_version" ] || [ "$pinned" != "$sdk_version" ]; then
  echo "error: versions disagree: @agentwire/sdk $sdk_version, npm/$key/package.json $platform_version," \
    "sdk-ts optionalDependencies[@agentwire/sdk-$key] $pinned; make them one version" >&2
  exit 1
fi

echo "== npm pack: @agentwire/sdk-$key and @agentwire/sdk -> $out"
# --ignore-scripts: sdk-ts's prepack would only build dist/ a second time.
platform_tgz="$(cd "$stage" && npm pack --silent --ignore-scripts --pack-destination "$out" | tail -n 1)"
sdk_tgz="$(cd sdk-ts && npm pack --silent --ignore-scripts --pack-destination "$out" | tail -n 1)"
for tgz in "$platform_tgz" "$sdk_tgz"; do
  bytes="$(stat -c %s "$out/$tgz")"
  echo "packed: $out/$tgz ($((bytes / 1024)) KiB)"
done
echo "pack.sh: done in $((SECONDS - started)) s"
