//! The seed payloads (`tests/fixtures/seed/`, copied from `shared/spec/examples/`): each one
//! deserializes into our types, its re-serialization validates against the generated schema,
//! and that re-serialization is pinned as a snapshot (`tests/snapshots/`).
//!
//! The seed predates Codex 0.63 (see the fixtures' README): we read its older spellings and
//! write the 0.63 form, which is what the snapshots show.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::{Path, PathBuf};

use conformance::SchemaSet;
use protocol::v2::{
    CommandExecutionRequestApprovalResponse, FileChangeRequestApprovalResponse, JsonRpcResponse,
    ServerNotification, ServerRequest,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// How to read each fixture.
enum Shape {
    /// A response to an approval request; `result` is the named type.
    ApprovalResponse(fn(Value) -> Result<Value, serde_json::Error>, &'static str),
    /// A server-to-client request.
    ServerRequest,
    /// A server notification.
    ServerNotification,
    /// A notification whose `method` the seed left out; the README says which it is.
    NotificationMissingMethod(&'static str),
}

const FIXTURES: &[(&str, Shape)] = &[
    (
        "command_execution_approval_response.json",
        Shape::ApprovalResponse(
            typed::<CommandExecutionRequestApprovalResponse>,
            "CommandExecutionRequestApprovalResponse",
        ),
    ),
    ("command_execution_completed.json", Shape::NotificationMissingMethod("item/completed")),
    ("command_execution_request_approval.json", Shape::ServerRequest),
    ("command_execution_started.json", Shape::ServerNotification),
    (
        "file_change_approval_response.json",
        Shape::ApprovalResponse(
            typed::<FileChangeRequestApprovalResponse>,
            "FileChangeRequestApprovalResponse",
        ),
    ),
    ("file_change_completed.json", Shape::ServerNotification),
    ("file_change_request_approval.json", Shape::ServerRequest),
    ("file_change_started.json", Shape::ServerNotification),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed")
}

/// Reads `value` as a `T` and writes it back.
fn typed<T: DeserializeOwned + Serialize>(value: Value) -> Result<Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_value::<T>(value)?)
}

/// Reads one fixture into our types, validates the re-serialization, and returns it.
fn reserialize(file: &str, shape: &Shape, schemas: &mut SchemaSet) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(file)).unwrap();
    let mut seed: Value = serde_json::from_str(&text).unwrap();
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("{file} does not read into our types: {e}") };
    let (written, schema) = match shape {
        Shape::ApprovalResponse(read_result, result_type) => {
            let response: JsonRpcResponse = serde_json::from_value(seed).unwrap_or_else(|e| fail(&e));
            let result = read_result(response.result).unwrap_or_else(|e| fail(&e));
            schemas.validate("v2", result_type, &result).unwrap_or_else(|e| panic!("{file}: {e}"));
            let written = JsonRpcResponse { id: response.id, result };
            (serde_json::to_value(written).unwrap(), "JSONRPCResponse")
        }
        Shape::ServerRequest => (typed::<ServerRequest>(seed).unwrap_or_else(|e| fail(&e)), "ServerRequest"),
        Shape::ServerNotification => {
            (typed::<ServerNotification>(seed).unwrap_or_else(|e| fail(&e)), "ServerNotification")
        }
        Shape::NotificationMissingMethod(method) => {
            assert!(seed.get("method").is_none(), "{file} has a method now; read it as a ServerNotification");
            seed["method"] = Value::from(*method);
            (typed::<ServerNotification>(seed).unwrap_or_else(|e| fail(&e)), "ServerNotification")
        }
    };
    schemas.validate("v2", schema, &written).unwrap_or_else(|e| panic!("{file}: {e}"));
    written
}

#[test]
fn every_seed_payload_reads_validates_and_is_pinned() {
    let mut schemas = SchemaSet::of_this_repository();
    for (file, shape) in FIXTURES {
        let written = reserialize(file, shape, &mut schemas);
        let name = file.trim_end_matches(".json");
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&written).unwrap());
    }
}

#[test]
fn every_fixture_file_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = FIXTURES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed, "add the new fixture to FIXTURES with its shape");
}

/// Where the project's shared material sits beside the repository (as in CI), the fixtures are
/// its examples, unchanged.
#[test]
fn the_fixtures_are_the_shared_examples() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/examples");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        eprintln!("no {} here; nothing to compare", shared.display());
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if !name.ends_with(".json") {
            continue;
        }
        let ours = std::fs::read(fixtures_dir().join(&name))
            .unwrap_or_else(|_| panic!("shared example {name} is not among the fixtures; copy it in"));
        assert_eq!(ours, std::fs::read(entry.path()).unwrap(), "{name} differs from the shared example");
    }
}
