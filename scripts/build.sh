#!/usr/bin/env bash
# Builds everything and runs the main job: builds every crate, regenerates schema/ and
# sdk-ts/src/generated/ from the Rust types, builds the npm package in sdk-ts/, and runs a demo
# turn of exec-bridge against its built-in scripted model server (scripts/demo.sh).
source "$(dirname "$0")/node.sh"

echo "== cargo build (every crate)"
cargo build --workspace --locked

echo "== code generation: schema/ and sdk-ts/src/generated/"
cargo run --quiet --locked -p codegen

echo "== sdk-ts: build"
npm run --prefix sdk-ts --silent build
echo "built: target/debug/, schema/, sdk-ts/dist/"

scripts/demo.sh
