/**
 * agentwire: typed access to the Codex agent protocol.
 *
 * - {@link Codex} / {@link Thread}: `exec` turns, API-compatible with `@openai/codex-sdk`.
 * - {@link AppServerClient}: the app-server v2 surface, with typed requests, notifications and
 *   approval handlers.
 * - Both run the engine inside this process through the native addon (`transport: "native"`) or
 *   spawn the `exec-bridge` binary (`"process"`); `"auto"`, the default, takes the addon when it
 *   loads.
 * - `exec` and `v2`: every wire type, generated from the Rust protocol crate.
 * - `ClientRequestMethod`, `ServerNotificationMethod`, `ThreadEventType`, `JsonRpcErrorCode`, …:
 *   the wire names as constants, generated from the same crate.
 */
export * from "./generated/index.js";
export { Codex, type CodexOptions } from "./codex.js";
export {
  Thread,
  TurnFailedError,
  type ApprovalMode,
  type Input,
  type ModelReasoningEffort,
  type RunResult,
  type RunStreamedResult,
  type SandboxMode,
  type StreamEvent,
  type StreamedTurn,
  type StreamedTurnOptions,
  type StreamedTurnWithUnknown,
  type ThreadOptions,
  type Turn,
  type TurnOptions,
  type UnknownEvent,
  type UserInput,
} from "./thread.js";
export { ExecError } from "./exec.js";
export { ADDON_ENV, NativeUnavailableError, type Transport } from "./native.js";
export { platformKey, platformPackageName } from "./platform.js";
export { BINARY_ENV, BinaryNotFoundError, resolveBinary } from "./binary.js";
export { configArgs, type ConfigObject, type ConfigValue } from "./config.js";
export {
  AppServerClient,
  AppServerError,
  type AppServerOptions,
  type CommandApprovalHandler,
  type FileChangeApprovalHandler,
  type LegacyEventOf,
  type NotificationParams,
} from "./appServer.js";

import type * as execTypes from "./generated/exec/index.js";
import type { ThreadEventType, ThreadItemType } from "./generated/wireNames.js";
/** The events of the `exec` stream (as `@openai/codex-sdk` names them). */
export type ThreadEvent = execTypes.ThreadEvent;
/** An item of the `exec` stream. */
export type ThreadItem = execTypes.ThreadItem;
/** Token usage of a turn. */
export type Usage = execTypes.Usage;
/** Each kind of item, by its `type`. */
export type AgentMessageItem = Extract<ThreadItem, { type: typeof ThreadItemType.agentMessage }>;
export type ReasoningItem = Extract<ThreadItem, { type: typeof ThreadItemType.reasoning }>;
export type CommandExecutionItem = Extract<ThreadItem, { type: typeof ThreadItemType.commandExecution }>;
export type FileChangeItem = Extract<ThreadItem, { type: typeof ThreadItemType.fileChange }>;
export type McpToolCallItem = Extract<ThreadItem, { type: typeof ThreadItemType.mcpToolCall }>;
export type WebSearchItem = Extract<ThreadItem, { type: typeof ThreadItemType.webSearch }>;
export type TodoListItem = Extract<ThreadItem, { type: typeof ThreadItemType.todoList }>;
export type ErrorItem = Extract<ThreadItem, { type: typeof ThreadItemType.error }>;
/** Each kind of event, by its `type`. */
export type ThreadStartedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.threadStarted }>;
export type TurnStartedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.turnStarted }>;
export type TurnCompletedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.turnCompleted }>;
export type TurnFailedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.turnFailed }>;
export type ItemStartedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.itemStarted }>;
export type ItemUpdatedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.itemUpdated }>;
export type ItemCompletedEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.itemCompleted }>;
export type ThreadErrorEvent = Extract<ThreadEvent, { type: typeof ThreadEventType.error }>;
