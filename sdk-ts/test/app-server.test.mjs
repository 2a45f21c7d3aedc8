// AppServerClient against the real binary and the scripted model server.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { AppServerClient, AppServerError } from "../dist/index.js";
import { binary, env, message, scratch, shell, startMock } from "./support.mjs";

for (const decision of ["accept", "decline"]) {
  test(`a command approval answered ${decision} through onCommandApproval`, async () => {
    const mock = await startMock([[shell("call_1", ["touch", "made.txt"])], [message("done")]]);
    const cwd = await scratch("work");
    const client = await AppServerClient.start({ codexPathOverride: binary(), env: await env(mock) });
    try {
      const asked = [];
      client.onCommandApproval((params) => {
        asked.push(params);
        return { decision };
      });
      const completed = [];
      client.on("item/completed", ({ item }) => completed.push(item));
      const { thread } = await client.request("thread/start", { cwd, approvalPolicy: "unlessTrusted", sandbox: "workspaceWrite" });
      const done = client.next("turn/completed");
      const { turn } = await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "touch it" }] });
      assert.equal(turn.status, "inProgress");
      const finished = await done;
      assert.equal(finished.turn.status, "completed");
      assert.equal(asked.length, 1);
      assert.equal(asked[0].itemId, "call_1");
      assert.equal(asked[0].threadId, thread.id);
      const command = completed.find((item) => item.id === "call_1");
      assert.equal(command.status, decision === "accept" ? "completed" : "declined");
      assert.equal(existsSync(path.join(cwd, "made.txt")), decision === "accept");
    } finally {
      assert.equal(await client.close(), 0);
      mock.stop();
    }
  });
}

test("without a handler approvals are declined, and request errors reject", async () => {
  const mock = await startMock([[shell("call_1", ["touch", "x"])], [message("done")]]);
  const cwd = await scratch("work");
  const client = await AppServerClient.start({ codexPathOverride: binary(), env: await env(mock) });
  try {
    const { thread } = await client.request("thread/start", { cwd, approvalPolicy: "unlessTrusted", sandbox: "workspaceWrite" });
    const item = client.next("item/completed", ({ item }) => item.id === "call_1");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "go" }] });
    assert.equal((await item).item.status, "declined");
    await assert.rejects(client.request("turn/start", { threadId: "nope", input: [] }), (e) => e instanceof AppServerError && e.code === -32602);
  } finally {
    await client.close();
    mock.stop();
  }
});

test("onLegacy() reads the legacy codex/event/* stream; capabilities decline it", async () => {
  const mock = await startMock([[message("One.")], [message("Two.")]]);
  const cwd = await scratch("work");
  const client = await AppServerClient.start({ codexPathOverride: binary(), env: await env(mock) });
  const quiet = await AppServerClient.start({
    codexPathOverride: binary(),
    env: await env(mock),
    capabilities: { optOutNotificationMethods: ["codex/event/*"] },
  });
  try {
    const said = [];
    client.onLegacy("agent_message", (event) => said.push([event.id, event.msg.message]));
    const counts = [];
    client.onLegacy("token_count", (event) => counts.push(event.msg.info));
    const { thread } = await client.request("thread/start", { cwd });
    const done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "hi" }] });
    await done;
    assert.deepEqual(said, [["0", "One."]]);
    assert.equal(counts[0], null, "no usage before the first response");
    assert.ok(counts.at(-1).total_token_usage.total_tokens > 0);

    let legacy = 0;
    quiet.onLegacy("agent_message", () => legacy++);
    quiet.onLegacy("task_complete", () => legacy++);
    const other = await quiet.request("thread/start", { cwd });
    const finished = quiet.next("turn/completed");
    await quiet.request("turn/start", { threadId: other.thread.id, input: [{ type: "text", text: "hi" }] });
    await finished;
    assert.equal(legacy, 0);
  } finally {
    await client.close();
    await quiet.close();
    mock.stop();
  }
});

test("review() runs a review as a turn whose codeReview item completes with the review", async () => {
  const findings = {
    findings: [{ title: "[P1] Off by one", body: "The loop skips the last line.", confidence_score: 0.8, priority: 1, code_location: { absolute_file_path: "/w/a.txt", line_range: { start: 3, end: 3 } } }],
    overall_correctness: "patch is incorrect",
    overall_explanation: "One bug found.",
    overall_confidence_score: 0.7,
  };
  const mock = await startMock([[message(JSON.stringify(findings))]]);
  const cwd = await scratch("work");
  const client = await AppServerClient.start({ codexPathOverride: binary(), env: await env(mock) });
  try {
    const { thread } = await client.request("thread/start", { cwd });
    const reviews = [];
    client.on("item/started", ({ item }) => item.type === "codeReview" && reviews.push(item.review));
    client.on("item/completed", ({ item }) => item.type === "codeReview" && reviews.push(item.review));
    const done = client.next("turn/completed");
    const { turn } = await client.review(thread.id, { type: "uncommittedChanges" });
    assert.deepEqual(turn.items, [{ type: "userMessage", id: turn.id, content: [{ type: "text", text: "Review uncommitted changes" }] }]);
    assert.equal((await done).turn.status, "completed");
    assert.deepEqual(reviews, ["current changes", "One bug found.\n\nReview comment:\n\n- [P1] Off by one \u2014 /w/a.txt:3-3\n  The loop skips the last line."]);
    const [request] = await mock.requests(1);
    assert.equal(request.headers["x-openai-subagent"], "review");
    await assert.rejects(client.review(thread.id, { type: "custom", instructions: " " }), (e) => e instanceof AppServerError && e.code === -32600 && e.message === "instructions must not be empty");
  } finally {
    await client.close();
    mock.stop();
  }
});

// Opt-in: the same client against the reference's app-server (Codex CLI 0.63.0). Set
// CODEX_REFERENCE_BIN to its `codex` binary (see shared/peer/README.md) to run it.
test("the client also drives the reference app-server", { skip: !process.env.CODEX_REFERENCE_BIN && "CODEX_REFERENCE_BIN is not set" }, async () => {
  const mock = await startMock([[shell("call_1", ["touch", "ref.txt"])], [message("done")]]);
  const cwd = await scratch("work");
  const client = await AppServerClient.start({ codexPathOverride: process.env.CODEX_REFERENCE_BIN, env: await env(mock) });
  try {
    let asked = 0;
    client.onCommandApproval(() => {
      asked++;
      return { decision: "accept" };
    });
    const { thread } = await client.request("thread/start", { cwd, approvalPolicy: "unlessTrusted", sandbox: "workspaceWrite" });
    const done = client.next("turn/completed");
    await client.request("turn/start", { threadId: thread.id, input: [{ type: "text", text: "touch it" }] });
    assert.equal((await done).turn.status, "completed");
    assert.equal(asked, 1);
    assert.ok(existsSync(path.join(cwd, "ref.txt")));
  } finally {
    await client.close();
    mock.stop();
  }
});
