#!/usr/bin/env bash
# The install test (issue 13): what a user gets from `npm install @agentwire/sdk` on a machine
# with Node and nothing else. Installs the two packed tarballs into an empty project and, in an
# environment built from scratch (no cargo, no rustc, no AGENTWIRE_* variable, a new HOME), runs
# scripts/install-check.mjs there: the shipped scripted model server (`npx exec-bridge
# mock-model`), the README's example (examples/sdk/quickstart.mjs), an approval answered from
# JavaScript through the in-process addon, and the JSON Schema written by the shipped binary
# (`npx exec-bridge generate-json-schema --out DIR`).
# Usage: scripts/install-test.sh [TARBALL_DIR]   (default: scripts/pack.sh into a scratch folder)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
started=$SECONDS

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  source "$root/scripts/node.sh"
fi
cd "$root"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

if [ $# -ge 1 ]; then
  if [ ! -d "$1" ]; then
    echo "error: $1 is not a folder; give the OUT_DIR of scripts/pack.sh, or nothing to pack first" >&2
    exit 2
  fi
  tarballs="$(cd "$1" && pwd)"
else
  echo "== install test: packing (scripts/pack.sh)"
  tarballs="$scratch/tarballs"
  scripts/pack.sh "$tarballs"
fi
pack_s=$((SECONDS - started))

# Exactly one tarball of each package; scoped packages pack as agentwire-sdk-<version>.tgz.
find_one() {
  local found
  found="$(find "$tarballs" -maxdepth 1 -name "$1" | sort)"
  if [ "$(printf '%s' "$found" | grep -c .)" != 1 ]; then
    echo "error: expected one $1 in $tarballs, found: ${found:-none} (run scripts/pack.sh $tarballs)" >&2
    exit 1
  fi
  printf '%s' "$found"
}
sdk_tgz="$(find_one 'agentwire-sdk-[0-9]*.tgz')"
platform_tgz="$(find_one 'agentwire-sdk-linux-x64-gnu-*.tgz')"

# The clean PATH: node's own folder, /usr/bin and /bin. Should one of them hold cargo or rustc
# (Debian's cargo package, a node next to rustup's), a folder of links to everything in them
# but the Rust tools stands in, so that the test still cannot build anything.
node_dir="$(dirname "$(command -v node)")"
clean_path="$node_dir:/usr/bin:/bin"
has_rust() { env -i PATH="$1" /bin/sh -c 'command -v cargo || command -v rustc' >/dev/null 2>&1; }
if has_rust "$clean_path"; then
  mkdir "$scratch/path"
  for dir in "$node_dir" /usr/bin /bin; do
    for tool in "$dir"/*; do
      case "$(basename "$tool")" in
        cargo* | rust* | clippy-driver | rls) ;;
        *) [ -e "$scratch/path/$(basename "$tool")" ] || ln -s "$tool" "$scratch/path/" ;;
      esac
    done
  done
  clean_path="$scratch/path"
fi
if has_rust "$clean_path"; then
  echo "error: cargo or rustc is still on the install test's PATH ($clean_path)" >&2
  exit 1
fi

# Everything from here on runs with this environment only: `env -i` drops the rest (and so
# every AGENTWIRE_* variable, CARGO_*, RUSTUP_*, the user's npm configuration).
mkdir "$scratch/home" "$scratch/project"
clean=(env -i HOME="$scratch/home" PATH="$clean_path" LANG=C.UTF-8 TMPDIR="$scratch")
if "${clean[@]}" /usr/bin/env | grep -E '^(AGENTWIRE_|CARGO|RUSTUP)'; then
  echo "error: the install test's environment is not clean (above)" >&2
  exit 1
fi

echo "== install test: npm init -y && npm install (the two tarballs) in an empty project, offline"
step=$SECONDS
cd "$scratch/project"
"${clean[@]}" npm init -y >/dev/null
# --offline: the two tarballs must be all it takes (the SDK's optional dependency on the
# platform package is met by the second tarball, and neither package runs an install script).
"${clean[@]}" npm install --offline --no-audit --no-fund --loglevel=error "$sdk_tgz" "$platform_tgz"
install_s=$((SECONDS - step))
echo "   installed in $install_s s: $(du -sh node_modules | cut -f1) in node_modules"

echo "== install test: the checks (scripts/install-check.mjs), in the clean environment"
step=$SECONDS
cp "$root/scripts/install-check.mjs" "$root/examples/sdk/quickstart.mjs" .
if ! "${clean[@]}" node install-check.mjs; then
  echo "install test: FAILED (the checks above; pack ${pack_s} s, install ${install_s} s)" >&2
  exit 1
fi
check_s=$((SECONDS - step))

echo "install test: passed (pack ${pack_s} s, install ${install_s} s, checks ${check_s} s, total $((SECONDS - started)) s)"
