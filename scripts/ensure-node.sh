#!/usr/bin/env bash
# Makes sure Node.js and npm are on PATH (the TypeScript SDK needs them), installing Debian's
# packages when they are missing and we may (root, with apt-get). Sourced by the other scripts.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Node.js and npm (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "error: Node.js 18+ and npm are needed for sdk-ts/; install them (for example: sudo apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
