// The two transports of the SDK, the engine in this process (the napi addon) and a spawned
// binary, side by side: every conformance scenario (conformance/scenarios/*.json) is replayed
// through both and the normalised transcripts must be equal; then what only the in-process
// transport has to get right: choosing it, cancelling, many threads at once, backpressure,
// approval handlers that throw, and letting Node exit.
// Needs AGENTWIRE_ADDON (the built addon), AGENTWIRE_EXEC_BRIDGE_PATH and, for the MCP scenarios,
// AGENTWIRE_MCP_TEST_SERVER; scripts/test.sh sets them.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, promises as fs, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { AppServerClient, Codex, ClientRequestMethod, ServerNotificationMethod } from "../dist/index.js";
import { engineEnv, nativeExecutor, processExecutor } from "../dist/exec.js";
import { nativeLink, processLink } from "../dist/link.js";
import { loadNative } from "../dist/native.js";
import { binary, env, message, scratch, shell, startMock } from "./support.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const scenarios = path.join(here, "../../conformance/scenarios");

if (!process.env.AGENTWIRE_ADDON || !existsSync(process.env.AGENTWIRE_ADDON)) {
  throw new Error("set AGENTWIRE_ADDON to the built addon (cargo build -p agentwire-node: target/debug/libagentwire_node.so), or run scripts/test.sh");
}
const addon = loadNative();

/** A world for one transport: a scripted model playing `scenario.script`, a home, a working directory with the scenario's files. */
async function world(scenario) {
  const mock = await startMock(scenario.script);
  const work = await scratch("work");
  for (const [name, content] of Object.entries(scenario.files ?? {})) {
    const file = path.join(work, name);
    if (name.endsWith("/")) await fs.mkdir(file, { recursive: true });
    else {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
    }
  }
  const vars = await env(mock, scenario.env ?? {});
  if (scenario.config) {
    const config = await withMcp(scenario.config.replaceAll("$MODEL_BASE_URL", mock.url), mock);
    await fs.writeFile(path.join(vars.CODEX_HOME, "config.toml"), config);
  }
  return { mock, work: await fs.realpath(work), vars };
}

/**
 * `config` with the MCP test server in place of its placeholders, as the conformance suite does:
 * `$MCP_TEST_SERVER` is its path (stdio), `$MCP_TEST_SERVER_URL` the URL of one started over
 * streamable HTTP, stopped with `mock`.
 */
async function withMcp(config, mock) {
  if (!config.includes("$MCP_TEST_SERVER")) return config;
  const server = process.env.AGENTWIRE_MCP_TEST_SERVER;
  if (!server || !existsSync(server)) {
    throw new Error("set AGENTWIRE_MCP_TEST_SERVER to the built MCP test server (cargo build -p test-mcp-server: target/debug/mcp-test-server), or run scripts/test.sh");
  }
  if (config.includes("$MCP_TEST_SERVER_URL")) {
    const urlFile = path.join(await scratch("mcp"), "url");
    const child = spawn(server, ["--http", urlFile], { stdio: "ignore" });
    const stop = mock.stop.bind(mock);
    mock.stop = () => {
      child.kill("SIGKILL");
      return stop();
    };
    let url = "";
    for (let waited = 0; !url; waited += 20) {
      if (waited > 10000) throw new Error("the MCP test server did not say its URL within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
      url = existsSync(urlFile) ? readFileSync(urlFile, "utf8") : "";
    }
    config = config.replaceAll("$MCP_TEST_SERVER_URL", url);
  }
  return config.replaceAll("$MCP_TEST_SERVER", server);
}

/** The exec side: each run's lines. */
async function execSide(scenario, transport) {
  const w = await world(scenario);
  const exec = transport === "native" ? nativeExecutor(addon) : processExecutor(binary);
  const runs = [];
  // As the conformance suite runs the binary: in the working directory (a scenario's relative
  // paths are relative to it), which a spawned binary inherits and the engine in process shares.
  const cwd = process.cwd();
  process.chdir(w.work);
  try {
    for (const run of scenario.exec.runs) {
      const args = ["--experimental-json", "--skip-git-repo-check", ...(run.args ?? []), run.prompt];
      const lines = [];
      try {
        for await (const line of exec({ args, input: "", env: w.vars })) lines.push(line);
      } catch (error) {
        lines.push(`exit: ${error.exitCode}`); // a failed turn: the exit code, not the wording of stderr
      }
      runs.push(lines);
    }
  } finally {
    process.chdir(cwd);
    w.mock.stop();
  }
  return normalise(runs.map((lines) => lines.join("\n")).join("\n# next run\n"), w);
}

/** The app-server side, as the conformance suite drives it: its requests, one thread, its turns (approvals answered in order), its requests after. */
async function appServerSide(scenario, transport) {
  const w = await world(scenario);
  const received = [];
  let nextId = 1;
  const waiting = new Map();
  let answers = [];
  let onNotification = () => {};
  const onMessage = (message) => {
    received.push(JSON.stringify(message));
    if (message.method && message.id !== undefined) {
      const answer = answers.shift() ?? "decline";
      link.send(JSON.stringify({ id: message.id, result: typeof answer === "string" ? { decision: answer } : answer }));
    } else if (message.method) onNotification(message);
    else waiting.get(message.id)?.(message);
  };
  const vars = engineEnv({ env: w.vars });
  const link = transport === "native" ? nativeLink(addon, vars, onMessage) : processLink(binary(), ["app-server"], vars, onMessage);
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      link.send(JSON.stringify({ id, method, params }));
    });
  try {
    await request(ClientRequestMethod.initialize, { clientInfo: { name: "conformance", version: "1" } });
    link.send(JSON.stringify({ method: "initialized" }));
    const side = scenario.app_server;
    // A scenario's other requests (account/*, …), before the thread and after its turns; their
    // notifications are recorded as they come.
    for (const extra of side.requests ?? []) await request(extra.method, extra.params ?? null);
    const started = await request(ClientRequestMethod.threadStart, { ...(side.thread ?? {}), cwd: w.work });
    const threadId = started.result.thread.id;
    for (const turn of side.turns) {
      answers = [...(turn.approvals ?? [])];
      const completed = new Promise((resolve) => (onNotification = (m) => m.method === ServerNotificationMethod.turnCompleted && resolve()));
      await request(ClientRequestMethod.turnStart, { threadId, input: [{ type: "text", text: turn.prompt }] });
      await completed;
    }
    // After the turns, "$threadId" in params is the thread's id (as in conformance/src/scenario.rs);
    // a request whose notifications end with turn/completed is waited for to its end.
    for (const extra of side.requests_after ?? []) {
      const params = JSON.parse(JSON.stringify(extra.params ?? null), (_key, value) => (value === "$threadId" ? threadId : value));
      const ends = (extra.then ?? []).includes(ServerNotificationMethod.turnCompleted);
      const completed = ends ? new Promise((resolve) => (onNotification = (m) => m.method === ServerNotificationMethod.turnCompleted && resolve())) : null;
      await request(extra.method, params);
      if (completed) await completed;
    }
  } finally {
    await link.close();
    w.mock.stop();
  }
  return normalise(received.join("\n"), w);
}

/** What differs between runs: ids, times, durations, user agents, the world's paths. */
function normalise(text, w) {
  const ids = [];
  return text
    .replaceAll(w.work, "<work>")
    .replaceAll(w.vars.CODEX_HOME, "<codex-home>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.includes(id)) ids.push(id);
      return `<id-${ids.indexOf(id)}>`;
    })
    .replace(/"(createdAt|durationMs)":\d+/g, '"$1":"<n>"')
    .replace(/"duration":\{"secs":\d+,"nanos":\d+\}/g, '"duration":"<n>"')
    .replace(/"userAgent":"[^"]*"/g, '"userAgent":"<user-agent>"')
    .replace(/rollout-[^"]*\.jsonl/g, "rollout-<timestamp>.jsonl")
    .replace(/sessions\/\d{4}\/\d{2}\/\d{2}/g, "sessions/<date>");
}

const files = readdirSync(scenarios).filter((f) => f.endsWith(".json")).sort();

test("there are conformance scenarios to replay", () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
});

for (const file of files) {
  const scenario = JSON.parse(readFileSync(path.join(scenarios, file), "utf8"));
  if (scenario.exec) {
    test(`${file}: exec, in process and spawned, the same events`, async () => {
      const [native, spawned] = [await execSide(scenario, "native"), await execSide(scenario, "process")];
      assert.ok(spawned.includes("turn."), `no turn ended: ${spawned}`);
      assert.equal(native, spawned);
    });
  }
  if (scenario.app_server) {
    test(`${file}: app-server, in process and spawned, the same messages`, async () => {
      const [native, spawned] = [await appServerSide(scenario, "native"), await appServerSide(scenario, "process")];
      assert.ok(spawned.includes("turn/completed"), `no turn completed: ${spawned}`);
      assert.equal(native, spawned);
    });
  }
}

test("a refused start has the binary's exit code and message in process and spawned", async () => {
  const mock = await startMock([]);
  const vars = await env(mock);
  // Outside Git and not trusted: exit code 1 and the reference's message alone; a bad flag: 2.
  const cases = [
    [[], 1, "Not inside a trusted directory and --skip-git-repo-check was not specified.\n"],
    [["--sandbox", "sideways"], 2, null],
  ];
  const cwd = process.cwd();
  process.chdir(await scratch("untrusted"));
  try {
    for (const [args, code, stderr] of cases) {
      for (const exec of [nativeExecutor(addon), processExecutor(binary)]) {
        const run = exec({ args: ["--experimental-json", ...args, "hi"], input: "", env: vars });
        await assert.rejects(
          (async () => {
            for await (const _ of run);
          })(),
          (error) => {
            assert.equal(error.exitCode, code, `${args}: ${error.stderr}`);
            if (stderr !== null) assert.equal(error.stderr, stderr);
            return true;
          },
        );
      }
    }
  } finally {
    process.chdir(cwd);
    mock.stop();
  }
});
