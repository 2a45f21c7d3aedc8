import { resolveBinary } from "./binary.js";
import type { ConfigObject } from "./config.js";
import type { ThreadOptions } from "./thread.js";
import { Thread } from "./thread.js";

/** Options of {@link Codex}. */
export type CodexOptions = {
  /** The `exec-bridge` binary; found otherwise (see `resolveBinary`). */
  codexPathOverride?: string;
  /** The model server's base URL (`OPENAI_BASE_URL`). */
  baseUrl?: string;
  /** The API key (`CODEX_API_KEY`). */
  apiKey?: string;
  /** Replaces the inherited environment of the process when given. */
  env?: Record<string, string>;
  /** Configuration overrides, passed as `--config key=<TOML>` (nested objects give dotted keys). */
  config?: ConfigObject;
};

/** The entry point: starts and resumes threads, each turn an `exec-bridge exec` process. */
export class Codex {
  #options: CodexOptions;
  #binary: string;

  constructor(options: CodexOptions = {}) {
    this.#options = options;
    this.#binary = resolveBinary(options.codexPathOverride, options.env ?? process.env);
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
    return { binary: this.#binary, baseUrl: o.baseUrl, apiKey: o.apiKey, env: o.env, config: o.config };
  }
}
