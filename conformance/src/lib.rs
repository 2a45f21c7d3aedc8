//! The agentwire conformance suite.
//!
//! Scenarios (`conformance/scenarios/*.json`) run through the real `exec-bridge` binary in both
//! of its modes, `exec` (JSONL) and `app-server` (JSON-RPC), against the scripted model server,
//! through the `test-support` crate (its `World` and app-server `Client`, shared with
//! `exec-bridge`'s tests). Every message is checked against the JSON Schema that `codegen`
//! generated from the protocol types ([`SchemaSet`]), the transcripts are normalised and pinned as insta snapshots, and the
//! messages seen are checked to cover every event, item, status, notification, server request
//! and approval decision that the schema defines ([`coverage`]). The same scenarios run against
//! any other binary that speaks the protocol, the reference Codex CLI included, compared with
//! the pinned transcripts less a list of deliberate differences ([`differential`]).

// The suite is a test: a failed expectation fails it, with a message that says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod coverage;
pub mod differential;
pub mod scenario;

/// The schema validation lives in `test-support`, shared with `exec-bridge`'s tests.
pub use test_support::{SchemaSet, ValidationFailure};
