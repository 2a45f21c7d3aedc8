import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { ConfigObject } from "./config.js";
import { configArgs } from "./config.js";
import type { Executor } from "./exec.js";
import type * as exec from "./generated/exec/index.js";
import type * as v2 from "./generated/v2/index.js";
import { ThreadEventType, ThreadItemType } from "./generated/wireNames.js";

/** An event of the `exec` stream this SDK does not know (from a newer binary), or a line that is not JSON. */
export type UnknownEvent = { type: "unknown"; original: unknown };
/** What `runStreamed` yields: the events of the `exec` stream, and any it does not know. */
export type StreamEvent = exec.ThreadEvent | UnknownEvent;

/** The kinds of event this SDK knows. */
const KNOWN_EVENTS: ReadonlySet<string> = new Set<string>(Object.values(ThreadEventType));

/** `onRequest` becomes `on-request`: how `config.toml` and the CLI spell the v2 enums. */
type KebabCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${KebabCase<Tail>}`
  : S;

/**
 * Approval policies, as `config.toml` spells them: the v2 `AskForApproval` in kebab-case, except
 * that `unlessTrusted` is spelled `untrusted` there (and in `@openai/codex-sdk`).
 */
export type ApprovalMode = Exclude<KebabCase<v2.AskForApproval>, "unless-trusted"> | "untrusted";
/** Sandbox modes, as `config.toml` and `--sandbox` spell them: the v2 `SandboxMode` in kebab-case. */
export type SandboxMode = KebabCase<v2.SandboxMode>;
/** Reasoning efforts (`model_reasoning_effort`): the v2 `ReasoningEffort`, spelled alike. */
export type ModelReasoningEffort = v2.ReasoningEffort;

/** Settings of a thread, passed to every turn. */
export type ThreadOptions = {
  model?: string;
  sandboxMode?: SandboxMode;
  workingDirectory?: string;
  skipGitRepoCheck?: boolean;
  modelReasoningEffort?: ModelReasoningEffort;
  networkAccessEnabled?: boolean;
  webSearchEnabled?: boolean;
  approvalPolicy?: ApprovalMode;
  /** Further writable directories; each becomes its own `--add-dir`. */
  additionalDirectories?: string[];
};

/** Options of one turn. */
export type TurnOptions = {
  /** A JSON Schema the final answer must follow. */
  outputSchema?: unknown;
  /**
   * Aborting stops the turn (kills the process, or cancels it in process) and rejects with an
   * `AbortError` whose `cause` is the signal's reason, before the turn starts as well as during it.
   */
  signal?: AbortSignal;
};

/** Options of a streamed turn. */
export type StreamedTurnOptions = TurnOptions & {
  /**
   * Also yield the events this SDK does not know, as `{ type: "unknown", original }` (a newer
   * binary's, or a line that is not JSON). Left out by default, so that `events` is exactly
   * `AsyncGenerator<ThreadEvent>`, as in `@openai/codex-sdk`.
   */
  includeUnknownEvents?: boolean;
};

/** One input of a turn. */
export type UserInput = { type: "text"; text: string } | { type: "local_image"; path: string };
/** A turn's input: a string, or text and local images. */
export type Input = string | UserInput[];

/** A completed turn. */
export type Turn = {
  items: exec.ThreadItem[];
  finalResponse: string;
  usage: exec.Usage | null;
};
/** Alias of {@link Turn}. */
export type RunResult = Turn;
/** The result of `runStreamed`: the `exec` stream's events. */
export type StreamedTurn = { events: AsyncGenerator<exec.ThreadEvent> };
/** The result of `runStreamed` with `includeUnknownEvents: true`. */
export type StreamedTurnWithUnknown = { events: AsyncGenerator<StreamEvent> };
/** Alias of {@link StreamedTurn}. */
export type RunStreamedResult = StreamedTurn;

/** What a thread needs of its {@link Codex}. */
export interface ThreadContext {
  /** Runs each turn: a spawned binary, or the engine in this process. */
  exec: Executor;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  env?: Record<string, string> | undefined;
  config?: ConfigObject | undefined;
}

/** Thrown by `run()` when the turn fails (`turn.failed`). */
export class TurnFailedError extends Error {
  override name = "TurnFailedError";
}

/** A conversation with the agent; each turn is one `exec` run (a process, or in this process). */
export class Thread {
  #context: ThreadContext;
  #options: ThreadOptions;
  #id: string | null;

  /** @internal */
  constructor(context: ThreadContext, options: ThreadOptions, id: string | null = null) {
    this.#context = context;
    this.#options = options;
    this.#id = id;
  }

  /** The thread's id: set by `thread.started`, or given to `resumeThread`. */
  get id(): string | null {
    return this.#id;
  }

  /** Runs a turn and streams its events as they come (see {@link StreamedTurnOptions}). */
  async runStreamed(input: Input, turnOptions?: StreamedTurnOptions & { includeUnknownEvents?: false }): Promise<StreamedTurn>;
  async runStreamed(input: Input, turnOptions: StreamedTurnOptions & { includeUnknownEvents: true }): Promise<StreamedTurnWithUnknown>;
  async runStreamed(input: Input, turnOptions: StreamedTurnOptions = {}): Promise<StreamedTurn | StreamedTurnWithUnknown> {
    const events = this.#stream(input, turnOptions);
    return { events: turnOptions.includeUnknownEvents ? events : known(events) };
  }

  /** Runs a turn to its end. Rejects when it fails. */
  async run(input: Input, turnOptions: TurnOptions = {}): Promise<Turn> {
    const items: exec.ThreadItem[] = [];
    let finalResponse = "";
    let usage: exec.Usage | null = null;
    for await (const event of this.#stream(input, turnOptions)) {
      if (event.type === ThreadEventType.itemCompleted) {
        if (event.item.type === ThreadItemType.agentMessage) finalResponse = event.item.text;
        items.push(event.item);
      } else if (event.type === ThreadEventType.turnCompleted) {
        usage = event.usage;
      } else if (event.type === ThreadEventType.turnFailed) {
        throw new TurnFailedError(event.error.message);
      }
    }
    return { items, finalResponse, usage };
  }

  async *#stream(input: Input, turnOptions: TurnOptions): AsyncGenerator<StreamEvent> {
    const schema = await writeOutputSchema(turnOptions.outputSchema);
    try {
      const { prompt, images } = normalize(input);
      const args = this.#args(images, schema?.file);
      const lines = this.#context.exec({
        args,
        input: prompt,
        env: this.#context.env,
        baseUrl: this.#context.baseUrl,
        apiKey: this.#context.apiKey,
        signal: turnOptions.signal,
      });
      for await (const line of lines) {
        const event = parse(line);
        if (event.type === ThreadEventType.threadStarted) this.#id = event.thread_id;
        yield event;
      }
    } finally {
      await schema?.remove();
    }
  }

  #args(images: string[], schemaFile: string | undefined): string[] {
    const o = this.#options;
    const args = ["--experimental-json"];
    if (o.model) args.push("--model", o.model);
    if (o.sandboxMode) args.push("--sandbox", o.sandboxMode);
    if (o.workingDirectory) args.push("--cd", o.workingDirectory);
    for (const dir of o.additionalDirectories ?? []) args.push("--add-dir", dir);
    if (o.skipGitRepoCheck) args.push("--skip-git-repo-check");
    if (schemaFile) args.push("--output-schema", schemaFile);
    args.push(...configArgs(this.#context.config));
    if (o.modelReasoningEffort) args.push("--config", `model_reasoning_effort="${o.modelReasoningEffort}"`);
    if (o.networkAccessEnabled !== undefined) {
      args.push("--config", `sandbox_workspace_write.network_access=${o.networkAccessEnabled}`);
    }
    if (o.webSearchEnabled !== undefined) args.push("--config", `features.web_search_request=${o.webSearchEnabled}`);
    if (o.approvalPolicy) args.push("--config", `approval_policy="${o.approvalPolicy}"`);
    for (const image of images) args.push("--image", image);
    if (this.#id) args.push("resume", this.#id);
    return args;
  }
}

/** The known events of `events`. */
async function* known(events: AsyncGenerator<StreamEvent>): AsyncGenerator<exec.ThreadEvent> {
  for await (const event of events) {
    if (event.type !== "unknown") yield event;
  }
}

/** One line of the stream, read as an event; anything unexpected is passed on as unknown. */
function parse(line: string): StreamEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { type: "unknown", original: line };
  }
  if (value !== null && typeof value === "object" && KNOWN_EVENTS.has((value as { type?: unknown }).type as string)) {
    return value as exec.ThreadEvent;
  }
  return { type: "unknown", original: value };
}

function normalize(input: Input): { prompt: string; images: string[] } {
  if (typeof input === "string") return { prompt: input, images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of input) {
    if (part.type === "text") texts.push(part.text);
    else images.push(part.path);
  }
  return { prompt: texts.join("\n\n"), images };
}

/** Writes the schema to a temporary file, removed by `remove()` (also after errors and aborts). */
async function writeOutputSchema(schema: unknown): Promise<{ file: string; remove: () => Promise<void> } | undefined> {
  if (schema === undefined) return undefined;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    throw new TypeError("outputSchema must be a JSON object (a JSON Schema)");
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agentwire-output-schema-"));
  const remove = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, "schema.json");
    await fs.writeFile(file, JSON.stringify(schema), "utf8");
    return { file, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
