import { spawn } from "node:child_process";
import readline from "node:readline";

import type { NativeAddon } from "./native.js";

/** The originator the SDK announces, unless the caller's environment sets one. */
export const SDK_ORIGINATOR = "codex_sdk_ts";
const ORIGINATOR_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE";

/** The run ended with a non-zero exit code (the process's, or what it would have been in process). */
export class ExecError extends Error {
  override name = "ExecError";
  /** The exit code (null when a signal ended it). */
  readonly exitCode: number | null;
  /** What the process wrote on standard error (in process: the error it would have written). */
  readonly stderr: string;
  constructor(exitCode: number | null, stderr: string) {
    super(`exec-bridge exited with code ${exitCode}: ${stderr.trim()}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** What reaches the engine's environment. */
export interface EngineEnv {
  /** Replaces the inherited environment when given. */
  env?: Record<string, string> | undefined;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
}

/** One `exec` run: `exec-bridge exec ARGS` with `input` on standard input. */
export interface ExecRun extends EngineEnv {
  /** The arguments after `exec`. */
  args: string[];
  /** Written to standard input, then closed. */
  input: string;
  signal?: AbortSignal | undefined;
}

/** An `AbortError` whose `cause` is `reason`, as Node's own aborted operations reject (and as `@openai/codex-sdk` does). */
export function abortError(reason: unknown): Error {
  const error = new Error("The operation was aborted", { cause: reason });
  error.name = "AbortError";
  Object.assign(error, { code: "ABORT_ERR" });
  return error;
}

/** Throws {@link abortError} of the signal's reason once `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal.reason);
}

/** Runs an `exec` and yields each line of its `exec` stream. */
export type Executor = (run: ExecRun) => AsyncGenerator<string>;

/**
 * The engine's environment, the same for a spawned binary and the in-process engine: `env` (or
 * this process's), the SDK's originator unless one is set, then `baseUrl` as `OPENAI_BASE_URL`
 * and `apiKey` as `CODEX_API_KEY`.
 */
export function engineEnv(options: EngineEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined) env[key] = value;
  }
  if (!env[ORIGINATOR_ENV]) env[ORIGINATOR_ENV] = SDK_ORIGINATOR;
  if (options.baseUrl) env.OPENAI_BASE_URL = options.baseUrl;
  if (options.apiKey) env.CODEX_API_KEY = options.apiKey;
  return env;
}

/** Runs each `exec` as a process of the binary `binary()` finds, found at the first run (so that
 * a missing binary fails the turn, not the constructor, as in `@openai/codex-sdk`). */
export function processExecutor(binary: () => string): Executor {
  let found: string | undefined;
  return (run) => processLines((found ??= binary()), run);
}

async function* processLines(binary: string, run: ExecRun): AsyncGenerator<string> {
  throwIfAborted(run.signal);
  const child = spawn(binary, ["exec", ...run.args], { env: engineEnv(run), signal: run.signal, stdio: ["pipe", "pipe", "pipe"] });
  let spawnError: Error | null = null;
  child.once("error", (error) => (spawnError = error));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on("error", () => {}); // the child may exit before reading its input
  child.stdin.end(run.input);

  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      // Once aborted, what the child still prints (a SIGTERM'd exec reports turn.failed) is not
      // the caller's concern: the run rejects with the AbortError.
      throwIfAborted(run.signal);
      yield line;
    }
    const code = await exited;
    if (spawnError) throw spawnError;
    throwIfAborted(run.signal);
    if (code !== 0) throw new ExecError(code, Buffer.concat(stderr).toString("utf8"));
  } finally {
    lines.close();
    if (child.exitCode === null && !child.killed) child.kill();
  }
}

/** How many batches are taken without waiting before the event loop is given its turn. */
const YIELD_AFTER = 16;

/** Runs each `exec` inside this process, through the addon. */
export function nativeExecutor(addon: NativeAddon): Executor {
  return (run) => nativeLines(addon, run);
}

async function* nativeLines(addon: NativeAddon, run: ExecRun): AsyncGenerator<string> {
  throwIfAborted(run.signal);
  let started;
  try {
    started = addon.startExec({ args: run.args, input: run.input, env: engineEnv(run) });
  } catch (error) {
    // Where the binary would print the error and exit: with the code the addon gives
    // (`EXIT_1`: the message alone, as the binary prints it; else code 2, after the program's
    // name).
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { code?: unknown })?.code === "EXIT_1") throw new ExecError(1, `${message}\n`);
    throw new ExecError(2, `exec-bridge: ${message}\n`);
  }
  const turn = started;
  // Aborting stops the turn at once, as killing the process does; the run rejects with the AbortError.
  const stop = () => turn.close();
  run.signal?.addEventListener("abort", stop, { once: true });
  try {
    // What is ready is taken without waiting (`thread.started` is, at once, and so is the end
    // once the last lines were handed over); the engine is waited for only when nothing is
    // ready. After a run of lines taken without waiting, the event loop gets its turn.
    for (let unwaited = 0; ; ) {
      let batch = turn.tryNext();
      if (batch !== null && batch.length === 0) {
        batch = await turn.next();
        unwaited = 0;
      } else if (++unwaited === YIELD_AFTER) {
        await new Promise((resolve) => setImmediate(resolve));
        unwaited = 0;
      }
      if (batch === null) break;
      for (const line of batch) {
        throwIfAborted(run.signal);
        yield line;
      }
    }
    throwIfAborted(run.signal);
    if (turn.exitCode !== 0) throw new ExecError(turn.exitCode, "");
  } finally {
    run.signal?.removeEventListener("abort", stop);
    turn.close(); // a consumer that stopped early stops the turn, as the process is killed
  }
}
