import { resolveBinary } from "./binary.js";
import { engineEnv } from "./exec.js";
import { nativeLink, processLink, type Link } from "./link.js";
import { chooseTransport, loadNative, type Transport } from "./native.js";
import type * as v1 from "./generated/v1/index.js";
import type * as v2 from "./generated/v2/index.js";
import { ClientNotificationMethod, ClientRequestMethod, JsonRpcErrorCode, ServerRequestMethod } from "./generated/wireNames.js";

/** The params of notification `M`. */
export type NotificationParams<M extends v2.ServerNotification["method"]> = Extract<v2.ServerNotification, { method: M }>["params"];
/** A legacy `codex/event/<type>` notification's params whose event is of type `T`. */
export type LegacyEventOf<T extends v1.EventMsg["type"]> = Omit<v1.LegacyEvent, "msg"> & { msg: Extract<v1.EventMsg, { type: T }> };
/** Decides on a command the agent wants to run. */
export type CommandApprovalHandler = (
  params: v2.CommandExecutionRequestApprovalParams,
) => v2.CommandExecutionRequestApprovalResponse | Promise<v2.CommandExecutionRequestApprovalResponse>;
/** Decides on a patch the agent wants to apply. */
export type FileChangeApprovalHandler = (
  params: v2.FileChangeRequestApprovalParams,
) => v2.FileChangeRequestApprovalResponse | Promise<v2.FileChangeRequestApprovalResponse>;

/** Options of {@link AppServerClient.start}. */
export type AppServerOptions = {
  /**
   * Where the server runs: `"native"`, inside this process through the addon (an error says why
   * when it cannot load); `"process"`, a spawned binary; `"auto"` (the default), native when the
   * addon loads and neither `codexPathOverride` nor `args` is given, else process.
   */
  transport?: Transport;
  /** The binary (process transport); found as for `Codex` otherwise. The reference's `codex` works too. */
  codexPathOverride?: string;
  /** Its arguments (default `["app-server"]`). */
  args?: string[];
  /** Replaces the inherited environment of the server when given. */
  env?: Record<string, string>;
  /** The model server's base URL (`OPENAI_BASE_URL`). */
  baseUrl?: string;
  /** The API key (`CODEX_API_KEY`). */
  apiKey?: string;
  /** Sent with `initialize`. */
  clientInfo?: v2.ClientInfo;
  /**
   * Sent with `initialize`: for example `{ optOutNotificationMethods: ["codex/event/*"] }` to
   * decline the legacy `codex/event/*` stream a v2-only client does not read.
   */
  capabilities?: v2.InitializeCapabilities;
  /** Answers command approvals; without it, `defaultDecision` applies. */
  onCommandApproval?: CommandApprovalHandler;
  /** Answers patch approvals; without it, `defaultDecision` applies. */
  onFileChangeApproval?: FileChangeApprovalHandler;
  /** The answer when no handler is set, or a handler throws (default `decline`). */
  defaultDecision?: v2.ApprovalDecision;
};

/** The server answered a request with a JSON-RPC error. */
export class AppServerError extends Error {
  override name = "AppServerError";
  readonly code: number;
  readonly data: unknown;
  constructor(error: v2.JSONRPCErrorError) {
    super(error.message);
    this.code = error.code;
    this.data = error.data;
  }
}

/** A message from the server, as far as routing it goes. */
type Message = { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: v2.JSONRPCErrorError };

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

/** A client of the app-server v2 surface: typed requests, notifications and approval handlers. */
export class AppServerClient {
  #link: Link;
  #options: AppServerOptions;
  #nextId = 1;
  #pending = new Map<number | string, Pending>();
  #listeners = new Map<string, Set<(params: unknown) => void>>();
  /** Where the server runs: `"native"` or `"process"`. */
  readonly transport: "native" | "process";

  private constructor(options: AppServerOptions) {
    this.#options = options;
    const named = options.codexPathOverride !== undefined || options.args !== undefined;
    this.transport = chooseTransport(options.transport, named);
    const env = engineEnv(options);
    const onMessage = (message: unknown) => this.#receive(message as Message);
    this.#link =
      this.transport === "native"
        ? nativeLink(loadNative(), env, onMessage)
        : processLink(resolveBinary(options.codexPathOverride, options.env ?? process.env), options.args ?? ["app-server"], env, onMessage);
    void this.#link.ended.then(() => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`the app-server exited: ${this.stderr.trim()}`));
      this.#pending.clear();
    });
  }

  /** What the server wrote on standard error (nothing in process). */
  get stderr(): string {
    return this.#link.stderr();
  }

  /** Starts the server and completes the `initialize` handshake. */
  static async start(options: AppServerOptions = {}): Promise<AppServerClient> {
    const client = new AppServerClient(options);
    const clientInfo = options.clientInfo ?? { name: "agentwire-sdk", version: "0.1.0" };
    const capabilities = options.capabilities;
    await client.request(ClientRequestMethod.initialize, capabilities ? { clientInfo, capabilities } : { clientInfo });
    client.#send({ method: ClientNotificationMethod.initialized });
    return client;
  }

  /** Sends request `method` and resolves with its typed result; rejects with {@link AppServerError}. */
  request<M extends keyof v2.ClientRequestMap>(method: M, params: v2.ClientRequestMap[M]["params"]): Promise<v2.ClientRequestMap[M]["result"]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#send({ id, method, params });
    });
  }

  /**
   * Runs `command` (a command line for the user's shell) in thread `threadId` as a turn of its
   * own, outside the model's history: resolves once it started; its `turn/started`, the
   * `commandExecution` item with its `item/commandExecution/outputDelta` deltas, and
   * `turn/completed` follow as notifications. Stop it with `turn/interrupt`.
   */
  shellCommand(threadId: string, command: string): Promise<v2.ThreadShellCommandResponse> {
    return this.request(ClientRequestMethod.threadShellCommand, { threadId, command });
  }

  /**
   * Reviews code in thread `threadId` (`review/start`): resolves with the review's turn, in
   * progress, whose one item is the request as the user's message. A reviewer of its own then
   * works as the turn's notifications show: a `codeReview` item starts with what is reviewed,
   * the reviewer's commands and reasoning stream as any turn's, and the `codeReview` item
   * completes with the review as text, before `turn/completed`. With
   * `appendToOriginalThread`, the next turns see the review too. Stop it with `turn/interrupt`.
   */
  review(threadId: string, target: v2.ReviewTarget, options: { appendToOriginalThread?: boolean } = {}): Promise<v2.TurnStartResponse> {
    return this.request(ClientRequestMethod.reviewStart, { threadId, target, ...options });
  }

  /** Calls `handler` with the params of every notification `method`; returns an unsubscribe function. */
  on<M extends v2.ServerNotification["method"]>(method: M, handler: (params: NotificationParams<M>) => void): () => void {
    const set = this.#listeners.get(method) ?? new Set();
    set.add(handler as (params: unknown) => void);
    this.#listeners.set(method, set);
    return () => set.delete(handler as (params: unknown) => void);
  }

  /**
   * Calls `handler` with every legacy `codex/event/<type>` notification of event type `type`
   * (the v1 stream the server sends beside v2; see `v1.EventMsg`); returns an unsubscribe function.
   */
  onLegacy<T extends v1.EventMsg["type"]>(type: T, handler: (event: LegacyEventOf<T>) => void): () => void {
    const method = `codex/event/${type}`;
    const set = this.#listeners.get(method) ?? new Set();
    set.add(handler as (params: unknown) => void);
    this.#listeners.set(method, set);
    return () => set.delete(handler as (params: unknown) => void);
  }

  /** Resolves with the params of the next notification `method` that `match` accepts. */
  next<M extends v2.ServerNotification["method"]>(method: M, match: (params: NotificationParams<M>) => boolean = () => true): Promise<NotificationParams<M>> {
    // TypeScript cannot relate a deferred conditional type to itself through Promise's resolver.
    return new Promise<unknown>((resolve) => {
      const off = this.on(method, (params) => {
        if (match(params)) {
          off();
          resolve(params);
        }
      });
    }) as Promise<NotificationParams<M>>;
  }

  /** Sets the command approval handler. */
  onCommandApproval(handler: CommandApprovalHandler): void {
    this.#options.onCommandApproval = handler;
  }

  /** Sets the patch approval handler. */
  onFileChangeApproval(handler: FileChangeApprovalHandler): void {
    this.#options.onFileChangeApproval = handler;
  }

  /** Closes the connection; the server cancels running turns and ends. Resolves with its exit code (0 in process). */
  async close(): Promise<number | null> {
    return this.#link.close();
  }

  #send(message: unknown): void {
    this.#link.send(JSON.stringify(message));
  }

  #receive(message: Message): void {
    if (message === null || typeof message !== "object") return; // nothing to route
    if (message.method !== undefined && message.id !== undefined) {
      void this.#answer(message.id, message.method, message.params);
    } else if (message.method !== undefined) {
      for (const handler of this.#listeners.get(message.method) ?? []) handler(message.params);
    } else if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.reject(new AppServerError(message.error));
      else pending?.resolve(message.result);
    }
  }

  async #answer(id: number | string, method: string, params: unknown): Promise<void> {
    const fallback = { decision: this.#options.defaultDecision ?? "decline" };
    let result: unknown;
    try {
      if (method === ServerRequestMethod.itemCommandExecutionRequestApproval) {
        const handler = this.#options.onCommandApproval;
        result = handler ? await handler(params as v2.CommandExecutionRequestApprovalParams) : fallback;
      } else if (method === ServerRequestMethod.itemFileChangeRequestApproval) {
        const handler = this.#options.onFileChangeApproval;
        result = handler ? await handler(params as v2.FileChangeRequestApprovalParams) : fallback;
      } else {
        this.#send({ id, error: { code: JsonRpcErrorCode.methodNotFound, message: `this client does not handle ${method}` } });
        return;
      }
    } catch {
      result = fallback;
    }
    this.#send({ id, result });
  }
}
