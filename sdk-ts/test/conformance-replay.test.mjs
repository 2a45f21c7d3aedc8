// The conformance transcripts (conformance/tests/snapshots/*.snap), replayed through the SDK's
// parser: every exec line becomes the typed event it is, none is unknown, nothing is lost.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { Codex } from "../dist/index.js";
import { fakeBinary, scratch } from "./support.mjs";

const snapshots = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../conformance/tests/snapshots");

/** The exec runs of a snapshot: each a list of JSON lines. */
function execRuns(text) {
  const runs = [];
  let current = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("# exec run")) {
      current = [];
      runs.push(current);
    } else if (line.startsWith("#")) {
      current = null;
    } else if (current && line.startsWith("{")) {
      current.push(line);
    }
  }
  return runs;
}

const files = readdirSync(snapshots).filter((f) => f.endsWith(".snap") && !f.startsWith("seed_examples"));

test("there are conformance transcripts to replay", () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
});

for (const file of files) {
  const runs = execRuns(readFileSync(path.join(snapshots, file), "utf8"));
  runs.forEach((lines, n) => {
    test(`${file} exec run ${n} parses to the typed events`, async () => {
      const recorded = path.join(await scratch("replay"), "stream.jsonl");
      writeFileSync(recorded, lines.join("\n") + "\n");
      const fake = await fakeBinary(`exec cat ${recorded}`);
      const events = [];
      for await (const event of (await new Codex({ codexPathOverride: fake.file }).startThread().runStreamed("x")).events) {
        events.push(event);
      }
      assert.equal(events.length, lines.length);
      events.forEach((event, i) => {
        assert.notEqual(event.type, "unknown", `line ${i} of ${file} is unknown to the SDK: ${lines[i]}`);
        assert.deepEqual(event, JSON.parse(lines[i]));
      });
    });
  });
}
