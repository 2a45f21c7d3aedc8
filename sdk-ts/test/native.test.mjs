// The in-process transport (the napi addon) where it must do what a spawned binary gets for
// free: choosing it, cancelling, many threads at once, backpressure, approval handlers that
// throw, and letting Node exit. Needs AGENTWIRE_ADDON and AGENTWIRE_EXEC_BRIDGE_PATH (scripts/test.sh).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { AppServerClient, Codex, NativeUnavailableError } from "../dist/index.js";
import { engineEnv } from "../dist/exec.js";
import { loadNative } from "../dist/native.js";
import { binary, env, message, scratch, shell, startMock } from "./support.mjs";

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js");
const run = promisify(execFile);

if (!process.env.AGENTWIRE_ADDON || !existsSync(process.env.AGENTWIRE_ADDON)) {
  throw new Error("set AGENTWIRE_ADDON to the built addon (cargo build -p agentwire-node: target/debug/libagentwire_node.so), or run scripts/test.sh");
}

/** Runs `code` (an ES module body with `sdk` imported) in a fresh Node; resolves with its output, or rejects. */
function node(code, extraEnv = {}, timeout = 20_000) {
  const script = `import * as sdk from ${JSON.stringify(dist)};\n${code}`;
  return run(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, ...extraEnv }, timeout });
}

test("auto takes the addon when it loads; native says why it cannot; a named binary means process", async () => {
  assert.equal(new Codex().transport, "native");
  assert.equal(new Codex({ codexPathOverride: binary() }).transport, "process");
  assert.throws(() => new Codex({ transport: "carrier-pigeon" }), TypeError);
  const missing = { AGENTWIRE_ADDON: "" };
  const { stdout } = await node(
    `try { new sdk.Codex({ transport: "native" }); } catch (e) { console.log(e.name + ": " + e.message); }
     console.log("auto:", new sdk.Codex({ env: { ...process.env } }).transport);`,
    missing,
  );
  assert.match(stdout, /NativeUnavailableError: the in-process engine for linux-x64-gnu is not installed: @agentwire\/sdk-linux-x64-gnu is missing/);
  assert.match(stdout, /auto: process/);
  const broken = await node(`try { new sdk.Codex({ transport: "native" }); } catch (e) { console.log(e.message); }`, { AGENTWIRE_ADDON: binary() });
  assert.match(broken.stdout, /cannot be loaded: .*transport: "process"/);
  assert.ok(NativeUnavailableError);
});

test("an approval handler that throws declines, and the engine goes on", async () => {
  const mock = await startMock([[shell("call_1", ["touch", "thrown.txt"])], [message("declined")], [message("still here")]]);
  const cwd = await scratch("work");
  const client = await AppServerClient.start({ transport: "native", env: await env(mock) });
  try {
    assert.equal(client.transport, "native");
    client.onCommandApproval(() => {
      throw new Error("the handler fails");
    });
    const { thread } = await client.request("thread/start", { cwd, approvalPolicy: "unlessTrusted", sandbox: "workspaceWrite" });
    const item = client.next("item/completed", ({ item }) => item.id === "call_1");
    let done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "go" }] });
    assert.equal((await item).item.status, "declined");
    assert.equal((await done).turn.status, "completed");
    assert.equal(existsSync(path.join(cwd, "thrown.txt")), false);
    done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "again" }] });
    assert.equal((await done).turn.status, "completed");
  } finally {
    assert.equal(await client.close(), 0);
    mock.stop();
  }
});

/** Whether a process whose command line contains `marker` is alive. */
function alive(marker) {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    });
}

test("aborting an in-process turn rejects with AbortError and kills its command", { timeout: 60_000 }, async (t) => {
  const marker = "41.0815";
  const mock = await startMock([[shell("call_1", ["sleep", marker])], [message("never")]]);
  t.after(() => mock.stop());
  const codex = new Codex({ transport: "native", env: await env(mock) });
  const thread = codex.startThread({ skipGitRepoCheck: true, sandboxMode: "danger-full-access", workingDirectory: await scratch("work") });
  const controller = new AbortController();
  const { events } = await thread.runStreamed("sleep", { signal: controller.signal });
  const started = Date.now();
  await assert.rejects(
    (async () => {
      for await (const event of events) {
        if (event.type === "item.started") controller.abort();
      }
    })(),
    { name: "AbortError" },
  );
  assert.ok(Date.now() - started < 5000);
  // The turn may still be starting the command when the abort comes: it is killed as soon as it
  // starts. Alive for seconds after the abort, it was left behind.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(alive(marker), false, "the command outlived the aborted turn");
});

test("many threads at once, in one process", async () => {
  const count = 32;
  const mock = await startMock(Array.from({ length: count }, () => [message("ok")]));
  const codex = new Codex({ transport: "native", env: await env(mock) });
  const work = await scratch("work");
  const turns = await Promise.all(
    Array.from({ length: count }, () => codex.startThread({ skipGitRepoCheck: true, workingDirectory: work }).run("hi")),
  );
  assert.deepEqual(turns.map((t) => t.finalResponse), Array(count).fill("ok"));
  mock.stop();
});

test("an unread in-process turn waits (backpressure), and loses nothing", async () => {
  const count = 600;
  const messages = Array.from({ length: count }, (_, i) => ({ ...message(`m${i}`), id: `msg_${i}` }));
  const mock = await startMock([messages]);
  const vars = await env(mock);
  const addon = loadNative();
  const turn = addon.startExec({ args: ["--experimental-json", "--skip-git-repo-check", "many"], env: engineEnv({ env: vars }) });
  await new Promise((r) => setTimeout(r, 500));
  // The engine writes each item to the session file as it goes: unread, it stopped well short.
  const recorded = () => {
    const sessions = path.join(vars.CODEX_HOME, "sessions");
    const files = readdirSync(sessions, { recursive: true }).map((f) => path.join(sessions, f)).filter((f) => statSync(f).isFile());
    return readFileSync(files[0], "utf8").split("\n").filter((l) => l.includes('"output_text"')).length;
  };
  assert.ok(recorded() < count / 2, `the engine ran ahead of its reader: ${recorded()} of ${count} recorded`);
  const texts = [];
  for (let batch = await turn.next(); batch !== null; batch = await turn.next()) {
    for (const line of batch) {
      const event = JSON.parse(line);
      if (event.type === "item.completed") texts.push(event.item.text);
    }
  }
  assert.deepEqual(texts, messages.map((_, i) => `m${i}`));
  assert.equal(turn.exitCode, 0);
  mock.stop();
});

test("Node exits by itself once in-process clients are done", async () => {
  const mock = await startMock([[message("one")], [message("two")]]);
  const vars = JSON.stringify(await env(mock));
  const { stdout } = await node(`
    const env = ${vars};
    const turn = await new sdk.Codex({ transport: "native", env }).startThread({ skipGitRepoCheck: true }).run("hi");
    const client = await sdk.AppServerClient.start({ transport: "native", env });
    const { thread } = await client.request("thread/start", {});
    const done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "hi" }] });
    await done;
    await client.close();
    console.log(turn.finalResponse, "exits");`);
  assert.equal(stdout.trim(), "one exits");
  mock.stop();
});
