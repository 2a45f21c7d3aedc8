import { spawn } from "node:child_process";
import readline from "node:readline";

import type { NativeAddon } from "./native.js";

/**
 * A JSON-RPC link to an app-server, one message a line: a spawned binary's stdin and stdout, or
 * the addon's in-process connection. Both deliver the server's messages, parsed, in order to
 * `onMessage` (a line that is not JSON is dropped: there is nothing to route).
 */
export interface Link {
  /** Sends one message (a line of JSON, without its line ending). Lines keep their order. */
  send(line: string): void;
  /** Ends the server's input; resolves with its exit code once it has ended. */
  close(): Promise<number | null>;
  /** Resolves with the exit code once the server has ended (0 for one in process). */
  readonly ended: Promise<number | null>;
  /** What the server wrote on standard error (in process: why the link ended early, if it did). */
  stderr(): string;
}

/** Spawns `binary` with `args` and `env`. */
export function processLink(binary: string, args: string[], env: Record<string, string>, onMessage: (message: unknown) => void): Link {
  const child = spawn(binary, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.on("error", () => {}); // the server may have exited
  const ended = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    onMessage(message);
  });
  return {
    send: (line) => void child.stdin.write(`${line}\n`),
    close: () => {
      child.stdin.end();
      return ended;
    },
    ended,
    stderr: () => stderr,
  };
}

/** Opens an app-server inside this process with `env` as its environment. */
export function nativeLink(addon: NativeAddon, env: Record<string, string>, onMessage: (message: unknown) => void): Link {
  const connection = addon.AppServerConnection.open({ env });
  // Sends are chained: each waits for the one before, so that lines keep their order.
  let sending = Promise.resolve();
  const send = (line: string) => {
    sending = sending.then(() => connection.send(line)).catch(() => {}); // closed: as a dead process's stdin
  };
  let failure = "";
  const ended = (async () => {
    // Each wait is followed by a round that takes what came meanwhile without waiting: fewer
    // waits, and the event loop still gets its turn however fast the server writes.
    for (let waited = false; ; waited = !waited) {
      const batch = waited ? connection.tryRecv() : await connection.recv();
      if (batch === null) return 0;
      let messages: unknown[];
      try {
        messages = JSON.parse(batch) as unknown[];
      } catch (error) {
        // The server writes nothing but JSON; should it not, the link ends rather than guess.
        failure = `the in-process app-server wrote what is not JSON: ${String(error)}`;
        await connection.close();
        return null;
      }
      for (const message of messages) onMessage(message);
    }
  })();
  return {
    send,
    close: async () => {
      await sending;
      await connection.close();
      return ended;
    },
    ended,
    stderr: () => failure,
  };
}
