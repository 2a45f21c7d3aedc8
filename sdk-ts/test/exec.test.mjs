// The exec transport against the real binary and the scripted model server.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { Codex, ExecError, TurnFailedError, BinaryNotFoundError, configArgs, resolveBinary } from "../dist/index.js";
import { binary, env, fakeBinary, message, scratch, shell, startMock } from "./support.mjs";

test("run returns the items, the final response and the usage", async () => {
  const mock = await startMock([[shell("c1", ["echo", "hi"])], [message("All done.")]]);
  try {
    const codex = new Codex({ codexPathOverride: binary(), env: await env(mock) });
    const thread = codex.startThread({ skipGitRepoCheck: true, sandboxMode: "workspace-write", workingDirectory: await scratch() });
    assert.equal(thread.id, null);
    const turn = await thread.run("run echo");
    assert.equal(turn.finalResponse, "All done.");
    assert.deepEqual(turn.items.map((i) => i.type), ["command_execution", "agent_message"]);
    assert.equal(turn.items[0].aggregated_output, "hi\n");
    assert.deepEqual(turn.usage, { input_tokens: 201, cached_input_tokens: 20, output_tokens: 41 });
    assert.match(thread.id, /^[0-9a-f-]{36}$/);
  } finally {
    mock.stop();
  }
});

test("runStreamed yields every event in order", async () => {
  const mock = await startMock([[message("Streamed.")]]);
  try {
    const codex = new Codex({ codexPathOverride: binary(), env: await env(mock) });
    const thread = codex.startThread({ skipGitRepoCheck: true });
    const { events } = await thread.runStreamed("hello");
    const types = [];
    for await (const event of events) types.push(event.type);
    assert.deepEqual(types, ["thread.started", "turn.started", "item.completed", "turn.completed"]);
  } finally {
    mock.stop();
  }
});

test("resumeThread continues a thread with its history", async () => {
  const mock = await startMock([[message("first")], [message("second")]]);
  try {
    const codex = new Codex({ codexPathOverride: binary(), env: await env(mock) });
    const thread = codex.startThread({ skipGitRepoCheck: true });
    await thread.run("remember the word kiwi");
    const resumed = codex.resumeThread(thread.id, { skipGitRepoCheck: true });
    const turn = await resumed.run("what was the word?");
    assert.equal(turn.finalResponse, "second");
    assert.equal(resumed.id, thread.id);
    const requests = await mock.requests(2);
    assert.match(JSON.stringify(requests[1].body.input), /remember the word kiwi/);
  } finally {
    mock.stop();
  }
});

test("options become the exec flags: --add-dir per directory, config flattened", async () => {
  const mock = await startMock([[message("ok")]]);
  const argvFile = path.join(await scratch(), "argv");
  const fake = await fakeBinary(`printf '%s\\n' "$@" > ${argvFile}\nexec ${binary()} "$@"`);
  try {
    const codex = new Codex({ codexPathOverride: fake.file, env: await env(mock), config: { sandbox_workspace_write: { exclude_slash_tmp: true }, model_reasoning_summary: "auto" } });
    const thread = codex.startThread({
      skipGitRepoCheck: true,
      model: "gpt-test",
      sandboxMode: "workspace-write",
      additionalDirectories: ["/tmp/one", "/tmp/two"],
      approvalPolicy: "on-request",
      networkAccessEnabled: false,
    });
    await thread.run("hi").catch(() => {});
    const argv = readFileSync(argvFile, "utf8").trim().split("\n");
    assert.deepEqual(argv.slice(0, 2), ["exec", "--experimental-json"]);
    const flag = (name) => argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []));
    assert.deepEqual(flag("--add-dir"), ["/tmp/one", "/tmp/two"]);
    assert.deepEqual(flag("--model"), ["gpt-test"]);
    assert.deepEqual(flag("--config"), [
      "sandbox_workspace_write.exclude_slash_tmp=true",
      'model_reasoning_summary="auto"',
      "sandbox_workspace_write.network_access=false",
      'approval_policy="on-request"',
    ]);
  } finally {
    mock.stop();
  }
});

test("configArgs writes TOML values", () => {
  assert.deepEqual(configArgs({ a: { b: true, c: [1, "x"] }, s: 'say "hi"', n: 2.5 }), [
    "--config", "a.b=true", "--config", 'a.c=[1, "x"]', "--config", 's="say \\"hi\\""', "--config", "n=2.5",
  ]);
  assert.throws(() => configArgs({ bad: Infinity }), /config.bad/);
});

test("the originator is codex_sdk_ts unless the caller sets one", async () => {
  const mock = await startMock([[message("a")], [message("b")]]);
  try {
    await new Codex({ codexPathOverride: binary(), env: await env(mock) }).startThread({ skipGitRepoCheck: true }).run("a");
    const own = await env(mock, { CODEX_INTERNAL_ORIGINATOR_OVERRIDE: "my_app" });
    await new Codex({ codexPathOverride: binary(), env: own }).startThread({ skipGitRepoCheck: true }).run("b");
    const requests = await mock.requests(2);
    assert.equal(requests[0].headers.originator, "codex_sdk_ts");
    assert.equal(requests[1].headers.originator, "my_app");
  } finally {
    mock.stop();
  }
});

test("outputSchema is written to a temporary file that is removed afterwards", async () => {
  const mock = await startMock([[message('{"ok":true}')]]);
  const seen = path.join(await scratch(), "schema-path");
  const fake = await fakeBinary(`prev=""; for a in "$@"; do [ "$prev" = "--output-schema" ] && { echo "$a" > ${seen}; cat "$a" > ${seen}.json; }; prev="$a"; done\nexec ${binary()} "$@"`);
  try {
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"], additionalProperties: false };
    const thread = new Codex({ codexPathOverride: fake.file, env: await env(mock) }).startThread({ skipGitRepoCheck: true });
    const turn = await thread.run("answer", { outputSchema: schema });
    assert.equal(turn.finalResponse, '{"ok":true}');
    const file = readFileSync(seen, "utf8").trim();
    assert.deepEqual(JSON.parse(readFileSync(`${seen}.json`, "utf8")), schema, "the child read the schema");
    assert.equal(existsSync(file), false, "the file is gone after the turn");
    const requests = await mock.requests(1);
    assert.deepEqual(requests[0].body.text.format.schema, schema);
  } finally {
    mock.stop();
  }
});

test("an abort kills the child, rejects with AbortError and still removes the schema file", async () => {
  const mock = await startMock([{ items: [message("too late")], delay_ms: 3000 }]);
  const seen = path.join(await scratch(), "schema-path");
  const fake = await fakeBinary(`prev=""; for a in "$@"; do [ "$prev" = "--output-schema" ] && echo "$a" > ${seen}; prev="$a"; done\nexec ${binary()} "$@"`);
  try {
    const thread = new Codex({ codexPathOverride: fake.file, env: await env(mock) }).startThread({ skipGitRepoCheck: true });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(thread.run("slow", { signal: controller.signal, outputSchema: { type: "object" } }), { name: "AbortError" });
    assert.ok(Date.now() - started < 2500, "it did not wait for the model");
    assert.equal(existsSync(readFileSync(seen, "utf8").trim()), false);
  } finally {
    mock.stop();
  }
});

test("a non-zero exit rejects with the exit code and stderr", async () => {
  const mock = await startMock([]);
  try {
    const codex = new Codex({ codexPathOverride: binary(), env: await env(mock), config: { sandbox_mode: "sideways" } });
    await assert.rejects(codex.startThread({ skipGitRepoCheck: true }).run("hi"), (error) => {
      assert.ok(error instanceof ExecError);
      assert.equal(error.exitCode, 2);
      assert.match(error.stderr, /sideways/);
      return true;
    });
  } finally {
    mock.stop();
  }
});

test("turn.failed rejects run() with its message", async () => {
  const mock = await startMock([{ status: 401, body: "bad key" }]);
  try {
    const thread = new Codex({ codexPathOverride: binary(), env: await env(mock) }).startThread({ skipGitRepoCheck: true });
    await assert.rejects(thread.run("hi"), (error) => error instanceof TurnFailedError && /401/.test(error.message));
  } finally {
    mock.stop();
  }
});

test("a malformed line or an unknown event never breaks the stream; it is yielded when asked for", async () => {
  const fake = await fakeBinary(
    [
      `echo '{"type":"thread.started","thread_id":"t-1"}'`,
      "echo 'this is not JSON'",
      `echo '{"type":"turn.paused","why":"new in a later release"}'`,
      `echo '{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"still here"}}'`,
      `echo '{"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}'`,
    ].join("\n"),
  );
  const thread = new Codex({ codexPathOverride: fake.file }).startThread();
  // By default only the events @openai/codex-sdk's ThreadEvent names.
  const known = [];
  for await (const event of (await thread.runStreamed("hi")).events) known.push(event.type);
  assert.deepEqual(known, ["thread.started", "item.completed", "turn.completed"]);
  const events = [];
  for await (const event of (await thread.runStreamed("hi", { includeUnknownEvents: true })).events) events.push(event);
  assert.deepEqual(events.map((e) => e.type), ["thread.started", "unknown", "unknown", "item.completed", "turn.completed"]);
  assert.equal(events[1].original, "this is not JSON");
  assert.equal(events[2].original.type, "turn.paused");
  assert.equal(thread.id, "t-1");
  const turn = await thread.run("again");
  assert.equal(turn.finalResponse, "still here");
});

test("a missing binary fails the turn, not new Codex(), as in @openai/codex-sdk", async () => {
  const codex = new Codex({ codexPathOverride: "/nope/exec-bridge", transport: "process" });
  const thread = codex.startThread();
  await assert.rejects(thread.run("hi"), (e) => e instanceof BinaryNotFoundError && /codexPathOverride/.test(e.message));
});

test("a signal aborted before the turn rejects with an AbortError whose cause is the reason", async () => {
  const fake = await fakeBinary(`echo '{"type":"thread.started","thread_id":"t-1"}'`);
  const thread = new Codex({ codexPathOverride: fake.file }).startThread();
  const controller = new AbortController();
  controller.abort("changed my mind");
  await assert.rejects(thread.run("hi", { signal: controller.signal }), (e) => e instanceof Error && e.name === "AbortError" && e.cause === "changed my mind");
  const streamed = await thread.runStreamed("hi", { signal: controller.signal });
  await assert.rejects(streamed.events.next(), { name: "AbortError", cause: "changed my mind" });
});

test("binary resolution says how to fix a missing binary", () => {
  assert.throws(() => resolveBinary("/nope/exec-bridge"), (e) => e instanceof BinaryNotFoundError && /codexPathOverride/.test(e.message));
  assert.throws(() => resolveBinary(undefined, { AGENTWIRE_EXEC_BRIDGE_PATH: "/nope", PATH: "" }), /AGENTWIRE_EXEC_BRIDGE_PATH=\/nope/);
  assert.throws(() => resolveBinary(undefined, { PATH: "/nonexistent" }), /cargo build -p exec-bridge/);
  assert.equal(resolveBinary(undefined, { PATH: path.dirname(binary()) }), path.join(path.dirname(binary()), "exec-bridge"));
});
