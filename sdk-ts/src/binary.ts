import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

import { BINARY_FILE, platformFile, platformPackageName } from "./platform.js";

/** The environment variable naming the `exec-bridge` binary to run. */
export const BINARY_ENV = "AGENTWIRE_EXEC_BRIDGE_PATH";

/** Thrown when no `exec-bridge` binary can be found or run. */
export class BinaryNotFoundError extends Error {
  override name = "BinaryNotFoundError";
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the `exec-bridge` binary: the explicit path, then `$AGENTWIRE_EXEC_BRIDGE_PATH`, then the
 * one in this platform's package (`@agentwire/sdk-linux-x64-gnu`, …, an optional dependency
 * installed with this package), then `exec-bridge` on `PATH`.
 */
export function resolveBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined) {
    if (!isExecutable(explicit)) {
      throw new BinaryNotFoundError(`codexPathOverride ${explicit} is not an executable file; pass the path of an exec-bridge binary`);
    }
    return explicit;
  }
  const fromEnv = env[BINARY_ENV];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new BinaryNotFoundError(`${BINARY_ENV}=${fromEnv} is not an executable file; point it at an exec-bridge binary or unset it`);
    }
    return fromEnv;
  }
  const shipped = platformFile(BINARY_FILE);
  if (shipped !== null && isExecutable(shipped)) {
    return shipped;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, BINARY_FILE);
    if (dir && isExecutable(candidate)) {
      return candidate;
    }
  }
  const name = platformPackageName();
  const why = shipped === null ? `${name} (the engine for this platform) is not installed` : `${shipped} is not executable`;
  throw new BinaryNotFoundError(
    `exec-bridge was not found: ${why}. ` +
      `npm installs it with @agentwire/sdk as an optional dependency where one is published for the platform: ` +
      `reinstall without --omit=optional or --no-optional, or \`npm install ${name}\`. ` +
      `Otherwise pass codexPathOverride, set ${BINARY_ENV}, or put exec-bridge on PATH (build it with \`cargo build -p exec-bridge\`)`,
  );
}
