/**
 * agentwire: typed access to the Codex agent protocol.
 *
 * - {@link Codex} / {@link Thread}: the `exec` transport, API-compatible with `@openai/codex-sdk`.
 * - {@link AppServerClient}: the app-server v2 surface, with typed requests, notifications and
 *   approval handlers.
 * - `exec` and `v2`: every wire type, generated from the Rust protocol crate.
 */
export type * from "./generated/index.js";
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
  type ThreadOptions,
  type Turn,
  type TurnOptions,
  type UnknownEvent,
  type UserInput,
} from "./thread.js";
export { ExecError } from "./exec.js";
export { BINARY_ENV, BinaryNotFoundError, resolveBinary } from "./binary.js";
export { configArgs, type ConfigObject, type ConfigValue } from "./config.js";
export {
  AppServerClient,
  AppServerError,
  type AppServerOptions,
  type CommandApprovalHandler,
  type FileChangeApprovalHandler,
  type NotificationParams,
} from "./appServer.js";

import type * as execTypes from "./generated/exec/index.js";
/** The events of the `exec` stream (as `@openai/codex-sdk` names them). */
export type ThreadEvent = execTypes.ThreadEvent;
/** An item of the `exec` stream. */
export type ThreadItem = execTypes.ThreadItem;
/** Token usage of a turn. */
export type Usage = execTypes.Usage;
/** Each kind of item, by its `type`. */
export type AgentMessageItem = Extract<ThreadItem, { type: "agent_message" }>;
export type ReasoningItem = Extract<ThreadItem, { type: "reasoning" }>;
export type CommandExecutionItem = Extract<ThreadItem, { type: "command_execution" }>;
export type FileChangeItem = Extract<ThreadItem, { type: "file_change" }>;
export type McpToolCallItem = Extract<ThreadItem, { type: "mcp_tool_call" }>;
export type WebSearchItem = Extract<ThreadItem, { type: "web_search" }>;
export type TodoListItem = Extract<ThreadItem, { type: "todo_list" }>;
export type ErrorItem = Extract<ThreadItem, { type: "error" }>;
/** Each kind of event, by its `type`. */
export type ThreadStartedEvent = Extract<ThreadEvent, { type: "thread.started" }>;
export type TurnStartedEvent = Extract<ThreadEvent, { type: "turn.started" }>;
export type TurnCompletedEvent = Extract<ThreadEvent, { type: "turn.completed" }>;
export type TurnFailedEvent = Extract<ThreadEvent, { type: "turn.failed" }>;
export type ItemStartedEvent = Extract<ThreadEvent, { type: "item.started" }>;
export type ItemUpdatedEvent = Extract<ThreadEvent, { type: "item.updated" }>;
export type ItemCompletedEvent = Extract<ThreadEvent, { type: "item.completed" }>;
export type ThreadErrorEvent = Extract<ThreadEvent, { type: "error" }>;
