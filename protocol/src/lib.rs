//! The canonical agentwire wire types, wire-compatible with the Codex agent protocol.
//!
//! These types are the single source of truth: the JSON Schema under `schema/` and the
//! TypeScript under `sdk-ts/src/generated/` are generated from them by `cargo run -p codegen`,
//! and the runtime in `exec-bridge` speaks nothing else.
//!
//! - [`exec`]: the `exec --experimental-json` JSONL event stream (`snake_case`).
//! - [`v2`]: the app-server v2 JSON-RPC surface (`camelCase`).
//! - [`v1`]: the legacy `codex/event/*` notifications the app-server sends beside v2
//!   (`snake_case`).
//! - [`registry`]: the list of every exported type, which code generation walks.
//!
//! # Optional and nullable fields
//!
//! Two conventions, so that each field says on the wire what it means:
//! - A field a sender may leave out (request params, a client's answers) is an `Option` with
//!   `#[serde(default, skip_serializing_if = "Option::is_none")]`: it is omitted when `None`, read
//!   from absent or `null`, `field?: T` in TypeScript and not `required` in the schema.
//! - A field the server always sends but that may have no value (a running command's
//!   `exitCode`) is a plain `Option`: written as `null`, read from `null` or absent,
//!   `field: T | null` in TypeScript, and (as in the reference) not `required` in the schema.
//!
//! Integers are plain JSON numbers everywhere; the TypeScript types them `number`, never
//! `bigint`.

pub mod exec;
pub mod registry;
pub mod v1;
pub mod v2;

#[cfg(test)]
mod test_support;
