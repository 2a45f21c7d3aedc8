// The addon loaded into Node: an in-memory app-server connection answers initialize, starts a
// thread and runs a turn against the scripted model server, and ends when closed.
// Run by scripts/test.sh after `cargo build -p agentwire-node -p exec-bridge`:
//   AGENTWIRE_ADDON=target/debug/libagentwire_node.so AGENTWIRE_EXEC_BRIDGE_PATH=target/debug/exec-bridge \
//     node --test bindings/node/test/
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

const binary = process.env.AGENTWIRE_EXEC_BRIDGE_PATH;
// Node loads an addon from a `.node` file: the built library, copied under that name.
const addonDir = mkdtempSync(path.join(tmpdir(), "agentwire-addon-"));
const addonFile = path.join(addonDir, "agentwire.node");
copyFileSync(process.env.AGENTWIRE_ADDON, addonFile);
// The copy (over 100 MiB in a debug build) goes when the tests end; Linux keeps the mapped
// library until the process exits.
after(() => rmSync(addonDir, { recursive: true, force: true }));

/** A fresh folder (`agentwire-<name>-…`), removed when the tests end. */
function freshDir(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `agentwire-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const { AppServerConnection } = createRequire(import.meta.url)(addonFile);

/** Starts `exec-bridge mock-model` with `script`; resolves to its base URL and a stop function. */
async function startMock(script) {
  const dir = mkdtempSync(path.join(tmpdir(), "agentwire-mock-"));
  const file = path.join(dir, "script.json");
  (await import("node:fs")).writeFileSync(file, JSON.stringify(script));
  const child = spawn(binary, ["mock-model", "--script", file], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  const stop = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: first.split("OPENAI_BASE_URL=")[1], stop };
}

/** Receives until a message satisfies `wanted` (what came with it in its batch is dropped). */
async function until(connection, wanted) {
  for (;;) {
    const batch = await connection.recv();
    assert.notEqual(batch, null, "the server ended first");
    for (const message of JSON.parse(batch)) {
      if (wanted(message)) return message;
    }
  }
}

test("a turn through the in-memory app-server, then close ends it", async () => {
  const mock = await startMock([[{ type: "message", role: "assistant", id: "m1", content: [{ type: "output_text", text: "Hello from inside." }] }]]);
  try {
    const home = freshDir("home");
    const work = freshDir("work");
    const connection = AppServerConnection.open({ codexHome: home, sandboxHelper: binary });
    await connection.send(JSON.stringify({ id: 1, method: "initialize", params: { clientInfo: { name: "node", version: "1" } } }));
    const initialized = await until(connection, (m) => m.id === 1);
    assert.match(initialized.result.userAgent, /codex_app_server/);
    const config = { model_provider: "scripted", "model_providers.scripted.base_url": mock.url };
    await connection.send(JSON.stringify({ id: 2, method: "thread/start", params: { cwd: work, config } }));
    const thread = (await until(connection, (m) => m.id === 2)).result.thread.id;
    await connection.send(JSON.stringify({ id: 3, method: "turn/start", params: { threadId: thread, input: [{ type: "text", text: "hi" }] } }));
    const completed = await until(connection, (m) => m.method === "turn/completed");
    assert.equal(completed.params.turn.status, "completed");
    await connection.close();
    while ((await connection.recv()) !== null) {}
    await assert.rejects(connection.send("{}"), /closed/);
  } finally {
    mock.stop();
  }
});

test("a line that is not JSON gets -32700 and the connection goes on", async () => {
  const home = freshDir("home");
  const connection = AppServerConnection.open({ codexHome: home, sandboxHelper: binary });
  await connection.send("{nope");
  const [error] = JSON.parse(await connection.recv());
  assert.equal(error.error.code, -32700);
  await connection.send(JSON.stringify({ id: "a", method: "model/list", params: {} }));
  assert.equal((await until(connection, (m) => m.id === "a")).error.code, -32600, "not initialized yet");
  await connection.close();
});

test("startExec: a turn in process, its exec stream in batches, then null", async () => {
  const { startExec } = createRequire(import.meta.url)(addonFile);
  const mock = await startMock([[{ type: "message", role: "assistant", id: "m1", content: [{ type: "output_text", text: "In process." }] }]]);
  try {
    const env = { PATH: process.env.PATH, CODEX_HOME: freshDir("home"), OPENAI_BASE_URL: mock.url, CODEX_API_KEY: "k" };
    const run = startExec({ args: ["--experimental-json", "--skip-git-repo-check", "hi"], env, sandboxHelper: binary });
    assert.match(run.threadId, /^[0-9a-f-]{36}$/);
    const lines = [];
    const first = run.next();
    // While a next() is under way, tryNext() takes nothing (no line twice, none out of order).
    assert.deepEqual(run.tryNext(), []);
    let batch = await first;
    for (; batch !== null && !lines.concat(batch).some((l) => JSON.parse(l).type === "turn.completed"); batch = await run.next()) lines.push(...batch);
    lines.push(...batch);
    assert.deepEqual(lines.map((l) => JSON.parse(l).type), ["thread.started", "turn.started", "item.completed", "turn.completed"]);
    assert.equal(JSON.parse(lines[0]).thread_id, run.threadId);
    assert.equal(run.exitCode, 0);
    // Once the last line is handed over, the end is known without waiting.
    assert.equal(run.tryNext(), null);
    assert.equal(await run.next(), null);
  } finally {
    mock.stop();
  }
});

test("startExec and open throw what the binary would refuse, with its message", () => {
  const { startExec } = createRequire(import.meta.url)(addonFile);
  assert.throws(() => startExec({ args: ["--sandbox", "sideways", "x"], sandboxHelper: binary }), /invalid value 'sideways' for '--sandbox <SANDBOX>'/);
  assert.throws(() => startExec({ args: ["--cd", "/nonexistent/dir", "x"], sandboxHelper: binary }), /--cd \/nonexistent\/dir: no such directory/);
  // The copied addon has no exec-bridge beside it: nothing may run unconfined for want of one.
  assert.throws(() => startExec({ args: ["x"] }), /the sandbox helper .*exec-bridge is not an executable file/);
  assert.throws(() => AppServerConnection.open({}), /the sandbox helper .*exec-bridge is not an executable file/);
});
