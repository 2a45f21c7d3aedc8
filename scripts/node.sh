#!/usr/bin/env bash
# Node.js for sdk-ts/, sourced by the other scripts: makes sure node and npm are on PATH
# (installing Debian's packages when they are missing and we are root with apt-get), and
# installs sdk-ts's pinned dependencies from its package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Node.js and npm (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "error: Node.js 18+ and npm are needed for sdk-ts/; install them (for example: sudo apt-get install nodejs npm)" >&2
    exit 1
  fi
fi

echo "== sdk-ts: npm ci"
npm ci --prefix sdk-ts --no-audit --no-fund --loglevel=error
