// Type-level tests of the generated wire-name constants, against the generated files alone (no
// other SDK module): `npm run typecheck` checks the committed ones, and codegen's test
// `the_constants_type_check_and_match_the_generated_unions` checks what it generates in memory.
import type { exec, v2 } from "../src/generated/index.js";
import {
  ClientNotificationMethod,
  ClientRequestMethod,
  JsonRpcErrorCode,
  ServerNotificationMethod,
  ServerRequestMethod,
  ThreadEventType,
  ThreadItemType,
} from "../src/generated/index.js";

// The wire-name constants are values whose members are exactly the generated unions' members.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const sameNames: true[] = [
  true satisfies Equal<ClientRequestMethod, v2.ClientRequest["method"]>,
  true satisfies Equal<ClientRequestMethod, keyof v2.ClientRequestMap>,
  true satisfies Equal<ServerRequestMethod, v2.ServerRequest["method"]>,
  true satisfies Equal<ServerRequestMethod, keyof v2.ServerRequestMap>,
  true satisfies Equal<ServerNotificationMethod, v2.ServerNotification["method"]>,
  true satisfies Equal<ClientNotificationMethod, v2.ClientNotification["method"]>,
  true satisfies Equal<ThreadEventType, exec.ThreadEvent["type"]>,
  true satisfies Equal<ThreadItemType, exec.ThreadItem["type"]>,
  true satisfies Equal<JsonRpcErrorCode, -32700 | -32600 | -32601 | -32602 | -32603>,
];

// The constants are values, and their members narrow the unions.
export function params(request: v2.ClientRequest): v2.ThreadStartParams | undefined {
  return request.method === ClientRequestMethod.threadStart ? request.params : undefined;
}
export const code: number = JsonRpcErrorCode.methodNotFound;
