// The checks of the install test (scripts/install-test.sh copies this file into a project where
// only the two packed tarballs were installed, and runs it with a clean environment):
//   a. the scripted model server shipped in the package starts: `npx exec-bridge mock-model`;
//   b. the README's example (quickstart.mjs, the same bytes as the README's first `js` block)
//      runs a turn against it;
//   c. an approval is answered from JavaScript through the addon, in this process
//      (`transport: "native"`), and the approved command runs in the working directory;
//   d. the shipped binary writes the protocol's JSON Schema: `npx exec-bridge
//      generate-json-schema --out DIR`.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const project = process.cwd();
const platformPackage = path.join(project, "node_modules", "@agentwire", "sdk-linux-x64-gnu");

const counts = { passed: 0, failed: 0 };

/** Runs `check`, printing its name, how long it took, and why it failed; the next check runs all the same. */
async function step(name, check) {
  const started = performance.now();
  process.stdout.write(`-- ${name}\n`);
  try {
    await check();
    counts.passed++;
    process.stdout.write(`   ok (${Math.round(performance.now() - started)} ms)\n`);
  } catch (error) {
    counts.failed++;
    process.stdout.write(`   FAILED (${Math.round(performance.now() - started)} ms): ${error?.stack ?? error}\n`);
  }
}

/** A script entry: an assistant message. */
function message(text) {
  return { type: "message", role: "assistant", id: "msg_1", content: [{ type: "output_text", text }] };
}

/**
 * Starts the shipped scripted model server as a user would (`npx exec-bridge mock-model --script
 * FILE`) playing `turns`; resolves with its base URL (its first line of output) and a stop
 * function. It leads a process group of its own, so that stopping it stops npx, the bin shim and
 * the binary alike.
 */
async function startMock(turns) {
  const dir = mkdtempSync(path.join(tmpdir(), "mock-"));
  const script = path.join(dir, "script.json");
  writeFileSync(script, JSON.stringify(turns));
  const child = spawn("npx", ["--no-install", "exec-bridge", "mock-model", "--script", script], {
    cwd: project,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`npx exec-bridge mock-model exited (${code}) before printing its URL`)));
  });
  const url = first.split("OPENAI_BASE_URL=")[1];
  assert.ok(url?.startsWith("http://127.0.0.1:"), `the mock model printed: ${first}`);
  return { url, stop: () => process.kill(-child.pid, "SIGTERM") };
}

/** The processes whose parent is this one, as [pid, argv]. */
function children() {
  const found = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) found.push([Number(pid), readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)]);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

const sdk = await import("@agentwire/sdk");

await step("the SDK finds exec-bridge in the platform package (no AGENTWIRE_*, no cargo on PATH)", async () => {
  assert.deepEqual(Object.keys(process.env).filter((name) => name.startsWith("AGENTWIRE_")), []);
  assert.equal(sdk.resolveBinary(), path.join(platformPackage, "exec-bridge"));
  assert.ok(existsSync(path.join(platformPackage, "agentwire.linux-x64-gnu.node")), "the addon is in the platform package");
});

await step("a. the shipped scripted model server: npx exec-bridge mock-model --script script.json", async () => {
  const mock = await startMock([[message("unused")]]);
  mock.stop();
});

await step("b. the README's example (examples/sdk/quickstart.mjs) runs a turn", async () => {
  const readme = readFileSync(path.join(project, "node_modules", "@agentwire", "sdk", "README.md"), "utf8");
  const example = readFileSync(path.join(project, "quickstart.mjs"), "utf8");
  assert.equal(readme.match(/```js\n([\s\S]*?)```/)?.[1], example, "the README's first js block is examples/sdk/quickstart.mjs, verbatim");
  const mock = await startMock([[message("Hello from the scripted model.")]]);
  try {
    const { stdout } = await promisify(execFile)("node", ["quickstart.mjs"], {
      cwd: project,
      env: { ...process.env, OPENAI_BASE_URL: mock.url },
    });
    process.stdout.write(`${stdout.trimEnd().replace(/^/gm, "   | ")}\n`);
    assert.match(stdout, /^Hello from the scripted model\.$/m);
  } finally {
    mock.stop();
  }
});

await step('c. an approval answered from JavaScript through the addon (AppServerClient, transport: "native")', async () => {
  const mock = await startMock([
    [{ type: "function_call", id: "fc_1", call_id: "call_1", name: "shell", arguments: JSON.stringify({ command: ["touch", "approved.txt"] }) }],
    [message("Touched it.")],
  ]);
  const work = mkdtempSync(path.join(tmpdir(), "work-"));
  const asked = [];
  let client;
  try {
    client = await sdk.AppServerClient.start({
      transport: "native",
      baseUrl: mock.url,
      apiKey: "test",
      onCommandApproval: (params) => {
        asked.push(params);
        return { decision: "accept" };
      },
    });
    // The engine must be this process's: the addon mapped in, no app-server child (an SDK that
    // ignored the option would spawn the binary and still pass the rest).
    const server = children().find(([, argv]) => argv.includes("app-server"));
    const addonLoaded = readFileSync("/proc/self/maps", "utf8").includes("agentwire.linux-x64-gnu.node");
    assert.ok(
      addonLoaded && server === undefined,
      `transport: "native" was not honoured: ${server ? `AppServerClient spawned \`${server[1].join(" ")}\` (pid ${server[0]})` : "no app-server child"}, ` +
        `the addon is ${addonLoaded ? "" : "not "}loaded: this @agentwire/sdk ignores the transport option, or the addon ran the app-server in a child process.`,
    );
    const completed = [];
    client.on("item/completed", ({ item }) => completed.push(item));
    const { thread } = await client.request("thread/start", { cwd: work, approvalPolicy: "unlessTrusted", sandbox: "workspaceWrite" });
    const done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "touch approved.txt" }] });
    const { turn } = await done;
    assert.equal(turn.status, "completed");
    assert.equal(asked.length, 1, "the approval handler was called once");
    assert.equal(asked[0].itemId, "call_1");
    assert.equal(completed.find((item) => item.id === "call_1")?.status, "completed");
    assert.ok(existsSync(path.join(work, "approved.txt")), "the approved command ran in the working directory");
    assert.equal(completed.find((item) => item.type === "agentMessage")?.text, "Touched it.");
  } finally {
    await client?.close();
    mock.stop();
  }
});

await step("d. the shipped binary writes the JSON Schema: npx exec-bridge generate-json-schema --out DIR", async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "schema-")), "schema");
  const { stdout } = await promisify(execFile)("npx", ["--no-install", "exec-bridge", "generate-json-schema", "--out", out], { cwd: project });
  assert.equal(stdout.replace(/\d+/, "N"), `wrote N JSON Schema files to ${out}\n`);
  const bundle = JSON.parse(readFileSync(path.join(out, "agentwire.schemas.json"), "utf8"));
  assert.equal(typeof bundle.definitions?.v2?.ThreadItem, "object", "the bundle defines v2/ThreadItem");
  assert.equal(JSON.parse(readFileSync(path.join(out, "exec", "ThreadEvent.json"), "utf8")).title, "ThreadEvent");
});

process.stdout.write(`install-check: ${counts.passed} passed, ${counts.failed} failed\n`);
process.exitCode = counts.failed === 0 ? 0 : 1;
