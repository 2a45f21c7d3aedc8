// The newcomer's path: `npm pack`, install the tarball into a new project, run the README's
// example against the scripted model server.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { binary, env, message, scratch, startMock } from "./support.mjs";

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

test("the packed tarball installs into a fresh project and the README example runs", async () => {
  const packDir = await scratch("pack");
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: packageDir, encoding: "utf8" }).trim().split("\n").pop();
  const project = await scratch("project");
  execFileSync("npm", ["init", "-y"], { cwd: project, stdio: "ignore" });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", path.join(packDir, tarball)], { cwd: project, stdio: "ignore" });
  // The example of sdk-ts/README.md, as a newcomer would paste it.
  const readme = await fs.readFile(path.join(packageDir, "README.md"), "utf8");
  const example = readme.match(/```js\n([\s\S]*?)```/)[1];
  await fs.writeFile(path.join(project, "example.mjs"), example);

  const mock = await startMock([[message("Hello from the scripted model.")]]);
  try {
    const output = execFileSync("node", ["example.mjs"], {
      cwd: project,
      env: { ...(await env(mock)), AGENTWIRE_EXEC_BRIDGE_PATH: binary() },
      encoding: "utf8",
    });
    assert.match(output, /Hello from the scripted model\./);
  } finally {
    mock.stop();
  }
});
