// Shared support for the SDK tests: the exec-bridge binary, a scripted model server (the
// binary's `mock-model`), scratch folders, and fake binaries that record what they were given.
import { spawn } from "node:child_process";
import { promises as fs, readFileSync, existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

/** The exec-bridge binary the tests drive (scripts/test.sh sets it after building it). */
export function binary() {
  const bin = process.env.AGENTWIRE_EXEC_BRIDGE_PATH;
  if (!bin || !existsSync(bin)) {
    throw new Error("set AGENTWIRE_EXEC_BRIDGE_PATH to a built exec-bridge (cargo build -p exec-bridge), or run scripts/test.sh");
  }
  return bin;
}

/** The scratch folders made by this test process, removed when it exits. */
const scratches = [];
process.on("exit", () => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

/** A fresh scratch folder, removed when the test process exits. */
export async function scratch(name = "sdk") {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `agentwire-${name}-`));
  scratches.push(dir);
  return dir;
}

/** Starts `exec-bridge mock-model` playing `turns`; resolves with its URL and recorded requests. */
export async function startMock(turns) {
  const dir = await scratch("mock");
  const script = path.join(dir, "script.json");
  const log = path.join(dir, "requests.jsonl");
  await fs.writeFile(script, JSON.stringify(turns));
  const child = spawn(binary(), ["mock-model", "--script", script, "--log", log], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve) => lines.once("line", resolve));
  const url = first.split("OPENAI_BASE_URL=")[1];
  return {
    url,
    /** The recorded requests, once `count` of them are logged (the log is written every 100 ms). */
    async requests(count = 1) {
      for (let i = 0; i < 100; i++) {
        const text = existsSync(log) ? readFileSync(log, "utf8") : "";
        const parsed = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
        if (parsed.length >= count) return parsed;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`fewer than ${count} requests reached the mock model`);
    },
    stop() {
      child.kill();
    },
  };
}

/** An environment for the binary: the mock's URL, a scratch CODEX_HOME, nothing inherited. */
export async function env(mock, extra = {}) {
  return {
    PATH: process.env.PATH ?? "",
    HOME: await scratch("home"),
    CODEX_HOME: await scratch("codex-home"),
    OPENAI_BASE_URL: mock.url,
    CODEX_API_KEY: "test-key",
    ...extra,
  };
}

/** A fake binary: a shell script with `body`, written to a scratch folder. */
export async function fakeBinary(body) {
  const dir = await scratch("fake");
  const file = path.join(dir, "exec-bridge");
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { file, dir };
}

/** A script entry: an assistant message. */
export function message(text) {
  return { type: "message", role: "assistant", id: "msg_1", content: [{ type: "output_text", text }] };
}

/** A script entry: a `shell` call. */
export function shell(callId, argv) {
  return { type: "function_call", id: `fc_${callId}`, call_id: callId, name: "shell", arguments: JSON.stringify({ command: argv }) };
}
