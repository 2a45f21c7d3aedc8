import { spawn } from "node:child_process";
import readline from "node:readline";

/** The originator the SDK announces, unless the caller's environment sets one. */
export const SDK_ORIGINATOR = "codex_sdk_ts";
const ORIGINATOR_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE";

/** The process exited with a non-zero code. */
export class ExecError extends Error {
  override name = "ExecError";
  /** The exit code (null when a signal ended it). */
  readonly exitCode: number | null;
  /** What the process wrote on standard error. */
  readonly stderr: string;
  constructor(exitCode: number | null, stderr: string) {
    super(`exec-bridge exited with code ${exitCode}: ${stderr.trim()}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** How to run one `exec` process. */
export interface ExecRun {
  binary: string;
  args: string[];
  /** Written to standard input, then closed. */
  input: string;
  /** Replaces the inherited environment when given. */
  env?: Record<string, string> | undefined;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Runs the binary and yields each line of its standard output. */
export async function* execLines(run: ExecRun): AsyncGenerator<string> {
  const env: Record<string, string> = {};
  if (run.env) {
    Object.assign(env, run.env);
  } else {
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined) env[key] = value;
    }
  }
  if (!env[ORIGINATOR_ENV]) env[ORIGINATOR_ENV] = SDK_ORIGINATOR;
  if (run.baseUrl) env.OPENAI_BASE_URL = run.baseUrl;
  if (run.apiKey) env.CODEX_API_KEY = run.apiKey;

  run.signal?.throwIfAborted();
  const child = spawn(run.binary, run.args, { env, signal: run.signal, stdio: ["pipe", "pipe", "pipe"] });
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
      run.signal?.throwIfAborted();
      yield line;
    }
    const code = await exited;
    if (spawnError) throw spawnError;
    run.signal?.throwIfAborted();
    if (code !== 0) throw new ExecError(code, Buffer.concat(stderr).toString("utf8"));
  } finally {
    lines.close();
    if (child.exitCode === null && !child.killed) child.kill();
  }
}
