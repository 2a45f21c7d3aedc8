//! What generation produces, checked in memory: one schema and one TypeScript file per registered
//! type, the wire-name constants and nothing else, deterministic, no `bigint`, every type and
//! field documented, and a clear error for a type that uses an unregistered one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::{GenerateError, BUNDLE_FILE, SCHEMA_DIR, TS_DIR};
use protocol::registry::{Registry, WireTypeVisitor};
use serde_json::Value;

fn files() -> codegen::Files {
    codegen::generate().expect("generation succeeds")
}

#[test]
fn one_schema_and_one_typescript_file_per_registered_type_and_nothing_else() {
    let files = files();
    let entries = codegen::registered_types::<protocol::registry::Protocol>().unwrap();
    assert!(entries.len() > 90, "the registry looks truncated: {} types", entries.len());
    let mut expected = BTreeSet::new();
    for entry in &entries {
        let schema = Path::new(SCHEMA_DIR).join(&entry.module).join(format!("{}.json", entry.name));
        let ts = Path::new(TS_DIR).join(&entry.module).join(format!("{}.ts", entry.name));
        assert!(files.contains_key(&schema), "{} has no schema file {}", entry.rust_name, schema.display());
        assert!(files.contains_key(&ts), "{} has no TypeScript file {}", entry.rust_name, ts.display());
        expected.insert(schema);
        expected.insert(ts);
    }
    // Besides the per-type files: the bundle, the index files and the wire-name constants.
    expected.insert(Path::new(SCHEMA_DIR).join(BUNDLE_FILE));
    expected.insert(codegen::wire_names::path());
    expected.insert(Path::new(TS_DIR).join("index.ts"));
    for module in ["exec", "v2", "v1"] {
        expected.insert(Path::new(TS_DIR).join(module).join("index.ts"));
    }
    let generated: BTreeSet<PathBuf> = files.keys().cloned().collect();
    let unregistered: Vec<_> = generated.difference(&expected).collect();
    assert!(unregistered.is_empty(), "generated files with no registered type: {unregistered:?}");
    assert_eq!(generated, expected);
}

#[test]
fn both_modules_keep_their_own_thread_item() {
    let files = files();
    let exec = &files[&Path::new(TS_DIR).join("exec/ThreadItem.ts")];
    let v2 = &files[&Path::new(TS_DIR).join("v2/ThreadItem.ts")];
    assert!(exec.contains("\"command_execution\""), "exec items are snake_case");
    assert!(v2.contains("\"commandExecution\""), "v2 items are camelCase");
    let bundle: Value = serde_json::from_str(&files[&Path::new(SCHEMA_DIR).join(BUNDLE_FILE)]).unwrap();
    for module in ["exec", "v2"] {
        let item = bundle.pointer(&format!("/definitions/{module}/ThreadItem"));
        assert!(item.is_some(), "the bundle has {module}/ThreadItem");
    }
    // References inside a module point into that module's namespace.
    let text = serde_json::to_string(&bundle["definitions"]["exec"]).unwrap();
    assert!(text.contains("#/definitions/exec/AgentMessageItem"));
    assert!(!text.contains("#/definitions/v2/"));
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(files(), files());
}

#[test]
fn every_file_is_marked_generated() {
    for (path, content) in files() {
        let marked = match path.extension().and_then(|e| e.to_str()) {
            Some("ts") => content.starts_with(&format!("// {}\n", codegen::GENERATED_MARKER)),
            Some("json") => {
                let value: Value = serde_json::from_str(&content).unwrap();
                value["$comment"] == codegen::GENERATED_MARKER
            }
            _ => false,
        };
        assert!(marked, "{} is not marked as generated", path.display());
        assert!(content.ends_with('\n'), "{} has no final newline", path.display());
    }
}

#[test]
fn integers_are_numbers_never_bigint() {
    let files = files();
    for (path, content) in &files {
        assert!(!content.contains("bigint"), "{} mentions bigint", path.display());
    }
    let item = &files[&Path::new(TS_DIR).join("v2/ThreadItem.ts")];
    assert!(item.contains("durationMs: number | null"), "durationMs is a number");
}

#[test]
fn optional_params_are_optional_in_typescript_and_not_required_in_the_schema() {
    let files = files();
    let ts = &files[&Path::new(TS_DIR).join("v2/ThreadStartParams.ts")];
    for field in ["model?: string", "cwd?: string", "approvalPolicy?: AskForApproval"] {
        assert!(ts.contains(field), "ThreadStartParams.ts lacks `{field}`:\n{ts}");
    }
    let schema: Value =
        serde_json::from_str(&files[&Path::new(SCHEMA_DIR).join("v2/ThreadStartParams.json")]).unwrap();
    assert_eq!(schema.get("required"), None, "no ThreadStartParams field is required");
    // Nullable outputs stay present: the server always writes them, as `null` when empty.
    let item = &files[&Path::new(TS_DIR).join("v2/ThreadItem.ts")];
    assert!(item.contains("exitCode: number | null"));
}

/// Every type and every field carries its Rust doc comment into the schema (and so into the
/// TypeScript, which ts-rs renders from the same comments). Members that only carry an enum's
/// representation are described by their variant: the tag (`type`, `method`, `status`), the
/// content of an adjacently tagged variant (`params`) and the key of an externally tagged one.
#[test]
fn every_type_and_field_is_documented() {
    let files = files();
    let bundle: Value = serde_json::from_str(&files[&Path::new(SCHEMA_DIR).join(BUNDLE_FILE)]).unwrap();
    let mut undocumented = Vec::new();
    for (module, definitions) in bundle["definitions"].as_object().unwrap() {
        for (name, schema) in definitions.as_object().unwrap() {
            if schema.get("description").is_none() {
                undocumented.push(format!("{module}/{name}"));
            }
            collect_undocumented(schema, &format!("{module}/{name}"), false, &mut undocumented);
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

fn collect_undocumented(schema: &Value, at: &str, variant: bool, out: &mut Vec<String>) {
    let is_tag = |property: &Value| {
        property.get("const").is_some()
            || property.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1)
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        // A described variant whose only other member is its content or its external key.
        let representation_only = variant
            && schema.get("description").is_some()
            && properties.values().filter(|p| !is_tag(p)).count() == 1
            && (properties.len() == 1 || properties.contains_key("params"));
        for (name, property) in properties {
            if !is_tag(property) && !representation_only && property.get("description").is_none() {
                out.push(format!("{at}.{name}"));
            }
            collect_undocumented(property, &format!("{at}.{name}"), false, out);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for (i, part) in schema.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            collect_undocumented(part, &format!("{at}[{key} {i}]"), key != "allOf", out);
        }
    }
}

/// A registry that lists `ItemStartedEvent` but not the `ThreadItem` it uses.
struct Incomplete;

impl Registry for Incomplete {
    fn visit_all(visitor: &mut impl WireTypeVisitor) {
        visitor.visit::<protocol::exec::ItemStartedEvent>();
    }
}

#[test]
fn a_type_using_an_unregistered_type_is_an_error_naming_both() {
    let error = codegen::generate_for::<Incomplete>().unwrap_err();
    assert!(matches!(error, GenerateError::Unregistered { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("ItemStartedEvent"), "{message}");
    assert!(message.contains("ThreadItem"), "{message}");
    assert!(message.contains("protocol::registry"), "{message}");
}
