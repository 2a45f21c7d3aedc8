// Benchmark (not a test) of the engine embedded in Node (the napi addon) against the same engine
// spawned as a binary, both through the SDK, in the same run:
//  1. a scripted plain turn: `new Codex({ transport }).startThread().run("hi")`, RUNS times each,
//     median wall time per turn (target: at least 20x lower in process);
//  2. DELTAS streamed deltas delivered to JavaScript: an AppServerClient counts
//     `item/agentMessage/delta` notifications from `turn/start` to `turn/completed`, the scripted
//     model streaming one message of DELTAS deltas (target: at least 500,000 events/s in process).
// Run by bench/embedding.sh (release builds): node bench/embedding.mjs EXEC_BRIDGE ADDON
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [binary, addon] = process.argv.slice(2);
process.env.AGENTWIRE_ADDON = addon;
const { AppServerClient, Codex } = await import(path.join(root, "sdk-ts/dist/index.js"));
const RUNS = Number(process.env.RUNS ?? 30);
const DELTAS = Number(process.env.DELTAS ?? 100_000);
const scratch = mkdtempSync(path.join(os.tmpdir(), "agentwire-embedding-"));

/** Starts the scripted model playing `script`; its base URL and a stop function. */
async function mock(script) {
  const file = path.join(mkdtempSync(path.join(scratch, "mock-")), "script.json");
  writeFileSync(file, JSON.stringify(script));
  const child = spawn(binary, ["mock-model", "--script", file], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve) => readline.createInterface({ input: child.stdout }).once("line", resolve));
  return { url: line.split("OPENAI_BASE_URL=")[1], stop: () => child.kill() };
}

/** The engine's environment: a scratch home, the scripted model, nothing else inherited but PATH. */
function env(url) {
  const home = mkdtempSync(path.join(scratch, "home-"));
  return { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, OPENAI_BASE_URL: url, CODEX_API_KEY: "bench" };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const message = (text) => ({ type: "message", role: "assistant", id: "msg_1", content: [{ type: "output_text", text }] });

// 1. A plain turn.
async function plainTurns(transport) {
  const model = await mock(Array.from({ length: RUNS + 1 }, () => [message("Hello.")]));
  const codex = transport === "native" ? new Codex({ transport, env: env(model.url) }) : new Codex({ transport, codexPathOverride: binary, env: env(model.url) });
  const work = mkdtempSync(path.join(scratch, "work-"));
  const run = () => codex.startThread({ skipGitRepoCheck: true, workingDirectory: work }).run("hi");
  await run(); // warm up: the first turn pays for loading what later turns share
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const turn = await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (turn.finalResponse !== "Hello.") throw new Error(`unexpected answer: ${turn.finalResponse}`);
  }
  model.stop();
  return median(times);
}

// 2. Streamed deltas: a short turn first on the same client (both transports warm up alike),
// then the measured one, timed from `turn/start` to `turn/completed` (which comes after the last
// delta), the handler only counting.
async function deltas(transport) {
  const text = (count) => Array.from({ length: count }, (_, i) => `${String(i % 10_000_000).padStart(7, "0")} `).join("");
  const model = await mock([[message(text(1000))], [message(text(DELTAS))]]);
  const options = { transport, env: env(model.url) };
  const client = await AppServerClient.start(transport === "native" ? options : { ...options, codexPathOverride: binary });
  const { thread } = await client.request("thread/start", { cwd: mkdtempSync(path.join(scratch, "work-")) });
  let count = 0;
  client.on("item/agentMessage/delta", () => count++);
  const turn = async () => {
    const done = client.next("turn/completed");
    const started = process.hrtime.bigint();
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "stream" }] });
    await done;
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  await turn();
  count = 0;
  const seconds = await turn();
  await client.close();
  model.stop();
  if (count !== DELTAS) throw new Error(`${transport}: ${count} deltas of ${DELTAS}`);
  return DELTAS / seconds;
}

const fmt = (n, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
console.log(`== a scripted plain turn through the SDK (median of ${RUNS})`);
const [spawned, inProcess] = [await plainTurns("process"), await plainTurns("native")];
console.log(`spawned binary: ${fmt(spawned)} ms   in process: ${fmt(inProcess)} ms   ratio: ${fmt(spawned / inProcess, 1)}x lower in process (target: 20x)`);
console.log(`== ${fmt(DELTAS, 0)} streamed deltas delivered to JavaScript (AppServerClient)`);
const [spawnedRate, nativeRate] = [await deltas("process"), await deltas("native")];
console.log(`spawned binary: ${fmt(spawnedRate, 0)} events/s   in process: ${fmt(nativeRate, 0)} events/s (target: 500,000)   ratio: ${fmt(nativeRate / spawnedRate, 1)}x`);
