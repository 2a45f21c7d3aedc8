/**
 * agentwire: typed access to the Codex agent protocol.
 *
 * The wire types are generated from the Rust protocol crate (`cargo run -p codegen`), in two
 * namespaces because the two surfaces share type names:
 * - `exec`: the `exec --experimental-json` JSONL event stream (`ThreadEvent`, `ThreadItem`, …);
 * - `v2`: the app-server JSON-RPC surface (`ClientRequest`, `ServerNotification`, …), with
 *   `v2.ClientRequestMap` giving each method's params and result types.
 */
export type * from "./generated/index.js";
