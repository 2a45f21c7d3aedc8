import { resolveBinary } from "./binary.js";
import type { ConfigObject } from "./config.js";
import { nativeExecutor, processExecutor, type Executor } from "./exec.js";
import { chooseTransport, loadNative, type Transport } from "./native.js";
import type { ThreadOptions } from "./thread.js";
import { Thread } from "./thread.js";

/** Options of {@link Codex}. */
export type CodexOptions = {
  /**
   * How turns run: `"native"`, inside this process through the addon (an error says why when it
   * cannot load); `"process"`, each an `exec-bridge exec` process; `"auto"` (the default), native
   * when the addon loads and no `codexPathOverride` is given, else process.
   */
  transport?: Transport;
  /** The `exec-bridge` binary (process transport); found otherwise (see `resolveBinary`). */
  codexPathOverride?: string;
  /** The model server's base URL (`OPENAI_BASE_URL`). */
  baseUrl?: string;
  /** The API key (`CODEX_API_KEY`). */
  apiKey?: string;
  /** Replaces the inherited environment of the engine when given. */
  env?: Record<string, string>;
  /** Configuration overrides, passed as `--config key=<TOML>` (nested objects give dotted keys). */
  config?: ConfigObject;
};

/** The entry point: starts and resumes threads. */
export class Codex {
  #options: CodexOptions;
  #exec: Executor;
  /** The transport in use: `"native"` or `"process"`. */
  readonly transport: "native" | "process";

  constructor(options: CodexOptions = {}) {
    this.#options = options;
    const env = options.env ?? process.env;
    this.transport = chooseTransport(options.transport, options.codexPathOverride !== undefined);
    this.#exec =
      this.transport === "native"
        ? nativeExecutor(loadNative())
        : processExecutor(() => resolveBinary(options.codexPathOverride, env));
  }

  /** A new thread; its id is known after its first turn starts. */
  startThread(options: ThreadOptions = {}): Thread {
    return new Thread(this.#context(), options);
  }

  /** A recorded thread (sessions live under `$CODEX_HOME/sessions`). */
  resumeThread(id: string, options: ThreadOptions = {}): Thread {
    return new Thread(this.#context(), options, id);
  }

  #context() {
    const o = this.#options;
    return { exec: this.#exec, baseUrl: o.baseUrl, apiKey: o.apiKey, env: o.env, config: o.config };
  }
}
