//! `codegen diff` on real schemas: two Codex releases (the checked-in bundles of
//! `tests/fixtures/`, see its README), agentwire's own `schema/` against itself and against an
//! edited copy, and the binary's exit codes and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use codegen::diff::{self, Kind};
use common::copy_dir;
use serde_json::{json, Value};

mod common;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn release(version: &str) -> PathBuf {
    manifest().join("tests/fixtures").join(format!("codex-{version}"))
}

fn schema_dir() -> PathBuf {
    manifest().join("../schema")
}

fn codegen(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codegen")).arg("diff").args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The classified list from Codex 0.63.0 to 0.64.0, pinned. Reading it: 0.64 adds `threadId` and
/// `turnId` to the v2 notifications (additive: old clients ignore them), three config requests
/// and five notifications (additive), and breaks old clients with two new `ThreadItem` types,
/// `ToolInputSchema.type` become optional, and the removal of `appendToOriginalThread` from
/// `review/start`'s params (superseded by `delivery`).
#[test]
fn codex_0_63_0_to_0_64_0() {
    let report = diff::diff_paths(&release("0.63.0"), &release("0.64.0")).unwrap();
    assert_eq!(report.summary(), "5 breaking, 40 additive, 3 docs");
    insta::assert_snapshot!("codex_0.63.0_to_0.64.0", diff::render::table(&report));
}

#[test]
fn the_releases_against_themselves_and_the_reverse_direction() {
    for version in ["0.63.0", "0.64.0"] {
        let same = diff::diff_paths(&release(version), &release(version)).unwrap();
        assert_eq!(same.entries, vec![], "{version} against itself");
    }
    // Going back: what 0.64 added is now removed; requests removed break old (0.64) clients.
    let back = diff::diff_paths(&release("0.64.0"), &release("0.63.0")).unwrap();
    let removed = back.entries.iter().find(|e| e.path == "ClientRequest[method=config/read]").unwrap();
    assert_eq!((removed.kind, removed.detail.as_str()), (Kind::Breaking, "request removed"));
}

#[test]
fn agentwire_schema_against_itself_through_its_bundle_and_its_per_type_files() {
    let report = diff::diff_paths(&schema_dir(), &schema_dir()).unwrap();
    assert_eq!(report.entries, vec![]);
    let per_type = tempfile::tempdir().unwrap();
    copy_dir(&schema_dir(), per_type.path());
    fs::remove_file(per_type.path().join("agentwire.schemas.json")).unwrap();
    let report = diff::diff_paths(per_type.path(), &schema_dir().join("agentwire.schemas.json")).unwrap();
    assert_eq!(report.entries, vec![], "the per-type files say what the bundle says");
}

#[test]
fn agentwire_schema_against_an_edited_copy() {
    let copy = tempfile::tempdir().unwrap();
    let bundle_path = copy.path().join("agentwire.schemas.json");
    let mut bundle: Value =
        serde_json::from_str(&fs::read_to_string(schema_dir().join("agentwire.schemas.json")).unwrap())
            .unwrap();
    let v2 = &mut bundle["definitions"]["v2"];
    // A required field in what the client sends.
    let params = &mut v2["ThreadStartParams"];
    params["properties"]["workspace"] = json!({"type": "string"});
    match params.get_mut("required").and_then(Value::as_array_mut) {
        Some(required) => required.push(json!("workspace")),
        None => params["required"] = json!(["workspace"]),
    }
    // A new status in what the server sends.
    let statuses = v2["PatchApplyStatus"]["oneOf"].as_array_mut().unwrap();
    statuses.push(json!({"type": "string", "const": "reverted", "description": "Undone."}));
    // A description.
    v2["Thread"]["description"] = json!("A conversation.");
    fs::write(&bundle_path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();

    let report = diff::diff_paths(&schema_dir(), copy.path()).unwrap();
    let lines: Vec<String> = report
        .entries
        .iter()
        .map(|e| format!("{} {} {} {}", e.kind, e.direction, e.path, e.detail))
        .collect();
    assert_eq!(
        lines,
        [
            "breaking server-to-client v2/PatchApplyStatus value \"reverted\" added",
            "docs server-to-client v2/Thread description changed",
            "breaking client-to-server v2/ThreadStartParams.workspace new required field",
        ]
    );
}

#[test]
fn the_binary_exits_0_1_or_2_and_prints_the_table_the_json_and_the_counts() {
    let same = codegen(&[&schema_dir(), &schema_dir()]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout), "no changes\n0 breaking, 0 additive, 0 docs\n");

    let real = codegen(&[&release("0.63.0"), &release("0.64.0")]);
    assert_eq!(real.status.code(), Some(1));
    let table = text(&real.stdout);
    assert!(table.starts_with("KIND      DIRECTION         PATH"), "{table}");
    assert!(table.ends_with("\n5 breaking, 40 additive, 3 docs\n"), "{table}");

    let json = codegen(&[&release("0.63.0"), &release("0.64.0"), Path::new("--json")]);
    assert_eq!(json.status.code(), Some(1));
    let entries: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(entries.len(), 48);
    assert_eq!(
        entries.iter().find(|e| e["path"] == "v2/ReviewStartParams.appendToOriginalThread").unwrap(),
        &json!({"kind": "breaking", "direction": "client-to-server", "path": "v2/ReviewStartParams.appendToOriginalThread",
            "change": "optional-field-removed", "detail": "optional field removed"})
    );
    assert_eq!(text(&json.stderr), "5 breaking, 40 additive, 3 docs\n");

    let help = Command::new(env!("CARGO_BIN_EXE_codegen")).args(["diff", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("| required field added "), "the rules are in --help");
}

#[test]
fn bad_usage_and_unreadable_schemas_exit_2_saying_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("notes.json");
    fs::write(&not_json, "not json").unwrap();
    let no_definitions = dir.path().join("Thread.json");
    fs::write(&no_definitions, r#"{"type": "object"}"#).unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let no_messages = dir.path().join("other.schemas.json");
    fs::write(&no_messages, r#"{"definitions": {"Thing": {"type": "string"}}}"#).unwrap();
    let schema = schema_dir();
    let cases: [(Vec<&Path>, &str); 7] = [
        (vec![&schema], "diff needs two schemas, OLD and NEW (got 1)"),
        (vec![&schema, &schema, Path::new("--yaml")], "diff: unknown flag `--yaml`"),
        (vec![Path::new("/nonexistent/schema"), &schema], "OLD: /nonexistent/schema: no such file or folder"),
        (vec![&schema, &not_json], "is not JSON"),
        (vec![&schema, &no_definitions], "has no `definitions` object, so it is not a schema bundle"),
        (vec![&empty, &schema], "holds no *.json schema"),
        (vec![&schema, &no_messages], "NEW: "),
    ];
    for (args, expected) in cases {
        let output = codegen(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: expected `{expected}` in: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = codegen(&[&schema, &no_messages]);
    assert!(text(&output.stderr).contains("defines none of ClientRequest"), "{}", text(&output.stderr));
}
