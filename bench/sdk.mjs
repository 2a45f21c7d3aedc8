// Benchmark (not a test) of the TypeScript SDK:
//  1. events per second the SDK parses from a recorded stream (a fake binary replays it);
//  2. the latency the SDK adds per turn over running the bare binary, against the scripted model.
// Run: node bench/sdk.mjs   (after scripts/build.sh; uses target/release or target/debug exec-bridge)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { Codex } = await import(path.join(root, "sdk-ts/dist/index.js"));
const bin = [path.join(root, "target/release/exec-bridge"), path.join(root, "target/debug/exec-bridge")].find(existsSync);
if (!bin) throw new Error("build exec-bridge first: scripts/build.sh");
const scratch = mkdtempSync(path.join(os.tmpdir(), "agentwire-bench-"));

// 1. Parsing throughput.
const turnLines = [
  { type: "item.completed", item: { id: "item_0", type: "reasoning", text: "Thinking about the task at hand." } },
  { type: "item.started", item: { id: "item_1", type: "command_execution", command: "bash -lc 'ls -la'", aggregated_output: "", exit_code: null, status: "in_progress" } },
  { type: "item.completed", item: { id: "item_1", type: "command_execution", command: "bash -lc 'ls -la'", aggregated_output: "total 8\ndrwxr-xr-x 2 a a 4096 .\n", exit_code: 0, status: "completed" } },
  { type: "item.completed", item: { id: "item_2", type: "agent_message", text: "Here is the listing you asked for." } },
].map((e) => JSON.stringify(e));
const repeats = 50_000;
const recorded = path.join(scratch, "stream.jsonl");
writeFileSync(recorded, [JSON.stringify({ type: "thread.started", thread_id: "t" }), ...Array(repeats).fill(turnLines).flat(), JSON.stringify({ type: "turn.completed", usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 } })].join("\n") + "\n");
const replay = path.join(scratch, "replay");
writeFileSync(replay, `#!/bin/sh\nexec cat ${recorded}\n`, { mode: 0o755 });
let count = 0;
let started = performance.now();
for await (const _ of (await new Codex({ codexPathOverride: replay }).startThread().runStreamed("x")).events) count++;
const seconds = (performance.now() - started) / 1000;
console.log(`parse: ${count} events in ${seconds.toFixed(2)} s = ${Math.round(count / seconds).toLocaleString("en")} events/s`);

// 2. Per-turn latency: the SDK against the bare binary, same scripted turn, same server.
const turns = 20;
const script = path.join(scratch, "script.json");
writeFileSync(script, JSON.stringify(Array(2 * turns).fill([{ type: "message", role: "assistant", id: "m", content: [{ type: "output_text", text: "ok" }] }])));
const mock = spawn(bin, ["mock-model", "--script", script], { stdio: ["ignore", "pipe", "inherit"] });
const url = (await new Promise((r) => readline.createInterface({ input: mock.stdout }).once("line", r))).split("OPENAI_BASE_URL=")[1];
const env = { PATH: process.env.PATH, HOME: scratch, CODEX_HOME: path.join(scratch, "home"), OPENAI_BASE_URL: url, CODEX_API_KEY: "bench" };
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = [];
for (let i = 0; i < turns; i++) {
  started = performance.now();
  execFileSync(bin, ["exec", "--experimental-json", "--skip-git-repo-check", "hi"], { env, stdio: ["ignore", "pipe", "ignore"] });
  bare.push(performance.now() - started);
}
const sdk = [];
const codex = new Codex({ codexPathOverride: bin, env });
for (let i = 0; i < turns; i++) {
  started = performance.now();
  await codex.startThread({ skipGitRepoCheck: true }).run("hi");
  sdk.push(performance.now() - started);
}
mock.kill();
const [b, s] = [median(bare), median(sdk)];
console.log(`turn: bare binary ${b.toFixed(1)} ms, through the SDK ${s.toFixed(1)} ms (median of ${turns}): the SDK adds ${(s - b).toFixed(1)} ms`);
