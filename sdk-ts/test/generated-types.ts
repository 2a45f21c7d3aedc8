// Type-level tests of the generated TypeScript: `npm run typecheck` fails if any line below
// stops compiling, or if a line marked @ts-expect-error starts compiling.
import type { ApprovalMode, exec, ModelReasoningEffort, SandboxMode, Thread, ThreadEvent, v2 } from "../src/index.js";
import { ClientRequestMethod, ServerRequestMethod } from "../src/index.js";

// The method map types requests and results by method name.
type Params<M extends keyof v2.ClientRequestMap> = v2.ClientRequestMap[M]["params"];
type Result<M extends keyof v2.ClientRequestMap> = v2.ClientRequestMap[M]["result"];

// Every thread/start param is optional.
export const startEverythingDefault: Params<"thread/start"> = {};
export const startSome: Params<"thread/start"> = { cwd: "/w", approvalPolicy: "onRequest", sandbox: "workspaceWrite" };
// @ts-expect-error enums are camelCase on the v2 surface
export const badPolicy: Params<"thread/start"> = { approvalPolicy: "on-request" };

export function threadId(result: Result<"thread/start">): string {
  return result.thread.id;
}

// Integers are numbers, never bigint.
export const finished: v2.ThreadItem = {
  type: "commandExecution",
  id: "call_1",
  command: "ls",
  cwd: "/w",
  status: "declined",
  commandActions: [{ type: "unknown", command: "ls" }],
  aggregatedOutput: null,
  exitCode: null,
  durationMs: 12,
};
// @ts-expect-error durationMs is a number
export const bigDuration: v2.ThreadItem = { ...finished, durationMs: 12n };

// Narrowing on the tag reaches each kind's fields.
export function describe(event: exec.ThreadEvent): string {
  switch (event.type) {
    case "thread.started":
      return event.thread_id;
    case "turn.completed":
      return `${event.usage.input_tokens + event.usage.output_tokens} tokens`;
    case "item.completed":
      return event.item.type === "command_execution" ? `${event.item.command}: ${event.item.exit_code}` : event.item.id;
    default:
      return event.type;
  }
}

// Approval answers: the server request names the method, the map names the answer.
export function answer(request: v2.ServerRequest): v2.ServerRequestMap[typeof request.method]["result"] {
  return request.method === "item/commandExecution/requestApproval"
    ? { decision: "accept", acceptSettings: { forSession: true } }
    : { decision: "decline" };
}

// Notifications are told apart by method.
export function delta(notification: v2.ServerNotification): string | undefined {
  return notification.method === "item/agentMessage/delta" ? notification.params.delta : undefined;
}

// The constants name methods in the types (that their unions are the generated ones:
// wire-names.types.ts).
export const startWithConstant: Params<typeof ClientRequestMethod.threadStart> = { cwd: "/w" };
export function isApproval(method: string): method is ServerRequestMethod {
  return (Object.values(ServerRequestMethod) as string[]).includes(method);
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// The SDK's settings types are derived from the generated v2 enums: each v2 value has exactly one
// spelling, and the spellings are those of `@openai/codex-sdk@0.63.0` (reasoning efforts: a
// superset of its "minimal" | "low" | "medium" | "high").
const sandboxSpelling = {
  readOnly: "read-only",
  workspaceWrite: "workspace-write",
  dangerFullAccess: "danger-full-access",
} as const satisfies Record<v2.SandboxMode, SandboxMode>;
const approvalSpelling = {
  unlessTrusted: "untrusted",
  onFailure: "on-failure",
  onRequest: "on-request",
  never: "never",
} as const satisfies Record<v2.AskForApproval, ApprovalMode>;
export const sameSettings: true[] = [
  true satisfies Equal<SandboxMode, (typeof sandboxSpelling)[v2.SandboxMode]>,
  true satisfies Equal<SandboxMode, "read-only" | "workspace-write" | "danger-full-access">,
  true satisfies Equal<ApprovalMode, (typeof approvalSpelling)[v2.AskForApproval]>,
  true satisfies Equal<ApprovalMode, "never" | "on-request" | "on-failure" | "untrusted">,
  true satisfies Equal<ModelReasoningEffort, v2.ReasoningEffort>,
  true satisfies ("minimal" | "low" | "medium" | "high" extends ModelReasoningEffort ? true : false),
];

// The account methods: typed params and results, a tagged login, and params-less methods.
export const readAccount: Params<"account/read"> = {};
export const loginWithKey: Params<"account/login/start"> = { type: "apiKey", apiKey: "sk-…" };
// @ts-expect-error an API key login needs the key
export const loginWithoutKey: Params<"account/login/start"> = { type: "apiKey" };
export const logoutParams: Params<"account/logout"> = null;
export function accountLabel(result: Result<"account/read">): string {
  const account = result.account;
  if (account === null) return result.requiresOpenaiAuth ? "log in" : "no login needed";
  return account.type === "chatgpt" ? `${account.email} (${account.planType})` : "API key";
}
export function authMode(notification: v2.ServerNotification): v2.AuthMode | null | undefined {
  return notification.method === "account/updated" ? notification.params.authMode : undefined;
}

// User shell commands: typed by method name, and the convenience method.
export const userCommand: Params<"thread/shellCommand"> = { threadId: "t1", command: "ls | wc -l" };
export const oneOff: Params<"execOneOffCommand"> = { command: ["ls"], sandboxPolicy: { type: "read-only" } };
export function oneOffText(result: Result<"execOneOffCommand">): string {
  return `${result.exitCode}: ${result.stdout}${result.stderr}`;
}
export async function runUserCommand(client: import("../src/index.js").AppServerClient): Promise<void> {
  await client.shellCommand("t1", "make test");
}

// Code review: each target, typed by method name, and the convenience method.
export const reviewChanges: Params<"review/start"> = { threadId: "t1", target: { type: "uncommittedChanges" } };
export const reviewCommit: Params<"review/start"> = {
  threadId: "t1",
  target: { type: "commit", sha: "abc1234", title: "Fix it" },
  appendToOriginalThread: true,
};
// @ts-expect-error a base branch needs the branch
export const reviewBranchless: Params<"review/start"> = { threadId: "t1", target: { type: "baseBranch" } };
export function reviewText(item: v2.ThreadItem): string | undefined {
  return item.type === "codeReview" ? item.review : undefined;
}
export async function reviewBranch(client: import("../src/index.js").AppServerClient): Promise<string> {
  const { turn } = await client.review("t1", { type: "baseBranch", branch: "main" }, { appendToOriginalThread: true });
  await client.review("t1", { type: "custom", instructions: "check the docs" });
  return turn.id;
}

// Code written for @openai/codex-sdk compiles: streamed events are exactly its ThreadEvent.
export async function referenceStyle(thread: Thread): Promise<AsyncGenerator<ThreadEvent>> {
  const events: AsyncGenerator<ThreadEvent> = (await thread.runStreamed("hi")).events;
  return events;
}
// Unknown events only when asked for, and then typed as such.
export async function withUnknown(thread: Thread): Promise<string[]> {
  const seen: string[] = [];
  for await (const event of (await thread.runStreamed("hi", { includeUnknownEvents: true })).events) {
    if (event.type === "unknown") seen.push(String(event.original));
  }
  // @ts-expect-error unknown events are not ThreadEvents
  const narrow: AsyncGenerator<ThreadEvent> = (await thread.runStreamed("hi", { includeUnknownEvents: true })).events;
  void narrow;
  return seen;
}
