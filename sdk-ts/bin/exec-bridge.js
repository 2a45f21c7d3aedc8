#!/usr/bin/env node
// `npx exec-bridge …`: runs the engine binary of this platform's package (found as the SDK finds
// it, see dist/binary.js), with the same arguments and standard streams, and exits as it did.
import { spawn } from "node:child_process";

import { BinaryNotFoundError, resolveBinary } from "../dist/binary.js";

let binary;
try {
  binary = resolveBinary();
} catch (error) {
  if (!(error instanceof BinaryNotFoundError)) throw error;
  console.error(`exec-bridge: ${error.message}`);
  process.exit(127);
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
// A signal sent to this shim alone (`kill PID`, a test stopping its server) is passed on, so
// nothing is left running. Ctrl-C is not: the terminal sends SIGINT to the whole foreground
// group, the binary included, and a second SIGINT would make it exit at once instead of
// interrupting the turn; the shim only waits for it.
for (const signal of ["SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
process.on("SIGINT", () => {});
child.on("error", (error) => {
  console.error(`exec-bridge: cannot run ${binary}: ${error.message}`);
  process.exit(126);
});
child.on("exit", (code, signal) => {
  if (signal !== null) {
    // Die of the same signal, so that the caller sees what the binary saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
