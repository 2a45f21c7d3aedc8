#!/usr/bin/env node
// `exec-bridge exec` with the engine inside this Node process, through the addon: a stand-in for
// the binary, so that a suite written against the binary (the sandbox's escape probes) runs
// against the embedded engine unchanged.
//   node exec-shim.mjs ADDON exec ARGS...   (ADDON: the built addon, e.g. target/debug/libagentwire_node.so)
// Standard input is the prompt when ARGS give none; the exec stream goes to standard output; the
// exit code is the one the binary would give (2 with the message on standard error when the run
// cannot start). Commands run through the exec-bridge beside the addon, its sandbox helper.
import { readFileSync } from "node:fs";

const [addonFile, subcommand, ...args] = process.argv.slice(2);
if (!addonFile || subcommand !== "exec") {
  process.stderr.write("usage: node exec-shim.mjs ADDON exec ARGS...\n");
  process.exit(2);
}
const addon = { exports: {} };
process.dlopen(addon, addonFile);
const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined));
const input = process.stdin.isTTY ? undefined : readFileSync(0, "utf8");
let run;
try {
  run = addon.exports.startExec({ args, env, ...(input !== undefined ? { input } : {}) });
} catch (error) {
  process.stderr.write(`exec-bridge: ${error.message}\n`);
  process.exit(2);
}
for (let batch = await run.next(); batch !== null; batch = await run.next()) {
  process.stdout.write(batch.map((line) => `${line}\n`).join(""));
}
process.exitCode = run.exitCode ?? 2;
