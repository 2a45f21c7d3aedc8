import { addonFileName, platformFile, platformKey, platformPackageName } from "./platform.js";

/** The environment variable naming an addon file to load instead of the platform package's (for development). */
export const ADDON_ENV = "AGENTWIRE_ADDON";

/** The in-process app-server connection of the addon (see `bindings/node`). */
export interface NativeConnection {
  send(message: string): Promise<void>;
  /** The next messages (at least one) as the text of a JSON array, or `null` once the server has ended. */
  recv(): Promise<string | null>;
  /** The messages ready now (maybe none) as the text of a JSON array, or `null` once the server has ended. */
  tryRecv(): string | null;
  close(): Promise<void>;
}

/** One in-process `exec` run of the addon. */
export interface NativeExecRun {
  readonly threadId: string;
  /** 0 completed, 1 failed or cancelled; `null` while running. */
  readonly exitCode: number | null;
  /** The next lines of the `exec` stream (at least one), or `null` after the last. */
  next(): Promise<string[] | null>;
  /** The lines ready now (maybe none), or `null` after the last. */
  tryNext(): string[] | null;
  cancel(): void;
  close(): void;
}

/** What the engine inside this process is given (see `bindings/node`). */
export interface NativeEngineOptions {
  /** The engine's environment, as a spawned binary would get it. */
  env?: Record<string, string>;
  /** The sandbox helper; default the `exec-bridge` beside the addon (the SDK leaves it so). */
  sandboxHelper?: string;
}

/** The addon's surface. */
export interface NativeAddon {
  AppServerConnection: { open(options: NativeEngineOptions & { codexHome?: string }): NativeConnection };
  /** Starts the turn before it returns; throws what the binary would print before exiting with code 2. */
  startExec(options: NativeEngineOptions & { args: string[]; input?: string }): NativeExecRun;
}

/** How a client reaches the engine: in this process, through a spawned binary, or the first that works. */
export type Transport = "native" | "process" | "auto";

/** The native transport was asked for, but the addon cannot be loaded here. */
export class NativeUnavailableError extends Error {
  override name = "NativeUnavailableError";
}

/** The addon, or why it cannot load: the outcome of the one attempt per process. */
let loaded: NativeAddon | NativeUnavailableError | undefined;

/**
 * The addon, loaded once into this process: the file `$AGENTWIRE_ADDON` names (this process's
 * environment), else the one of this platform's package. The addon runs each command through the
 * `exec-bridge` beside it, its sandbox helper. Throws {@link NativeUnavailableError} saying why it cannot be loaded.
 */
export function loadNative(): NativeAddon {
  if (loaded === undefined) loaded = tryLoad(process.env);
  if (loaded instanceof NativeUnavailableError) throw loaded;
  return loaded;
}

function tryLoad(env: NodeJS.ProcessEnv): NativeAddon | NativeUnavailableError {
  const file = env[ADDON_ENV] || platformFile(addonFileName());
  if (!file) {
    const name = platformPackageName();
    return new NativeUnavailableError(
      `the in-process engine for ${platformKey()} is not installed: ${name} is missing. npm installs it with @agentwire/sdk as an optional dependency where one is published for the platform; reinstall without --omit=optional (or add ${name}), or pass transport: "process"`,
    );
  }
  try {
    const module = { exports: {} as NativeAddon };
    // dlopen takes any file name (the development build is `libagentwire_node.so`).
    process.dlopen(module, file);
    return module.exports;
  } catch (failure) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    return new NativeUnavailableError(`the in-process engine ${file} cannot be loaded: ${reason}; pass transport: "process" to spawn the binary instead`);
  }
}

/**
 * Which transport `requested` means here: `native` and `process` as they are; `auto` is native
 * when the addon loads and no binary was named, else process.
 */
export function chooseTransport(requested: Transport | undefined, binaryNamed: boolean): "native" | "process" {
  if (requested === "native" || requested === "process") return requested;
  if (requested !== undefined && requested !== "auto") {
    throw new TypeError(`transport ${JSON.stringify(requested)} is not one of "native", "process", "auto"`);
  }
  if (binaryNamed) return "process";
  try {
    loadNative();
    return "native";
  } catch {
    return "process";
  }
}
