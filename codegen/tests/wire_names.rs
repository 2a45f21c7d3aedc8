//! The wire-name constants (`sdk-ts/src/generated/wireNames.ts`): each list holds exactly the
//! names of its Rust enum, the TypeScript type-checks against the generated unions, and the
//! hand-written SDK (`sdk-ts/src/*.ts`) spells none of them itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::wire_names::{self, WireTable, WireValue};
use codegen::TS_DIR;
use protocol::v2::JsonRpcErrorError;
use protocol::{exec, v2};
use serde_json::{json, Value};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn table(name: &str) -> WireTable {
    let tables = wire_names::tables().unwrap();
    tables.into_iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no table {name}"))
}

fn names(table: &WireTable) -> Vec<String> {
    table
        .values()
        .map(|value| match value {
            WireValue::Name(name) => name.clone(),
            WireValue::Code(code) => panic!("{} holds the code {code}", table.name),
        })
        .collect()
}

/// The variant names serde itself knows for an enum tagged by `tag`, in declaration order: read
/// from the error it gives for a tag that is no variant (`expected one of `a`, `b``).
fn serde_variants(tag: &str, parse: impl Fn(Value) -> Result<(), serde_json::Error>) -> Vec<String> {
    let error = parse(json!({ tag: "\u{1}probe", "params": {} })).expect_err("the probe is no variant");
    let message = error.to_string();
    let (_, expected) =
        message.split_once("expected ").unwrap_or_else(|| panic!("unexpected error: {message}"));
    expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn request_methods_are_those_of_the_requests_macro() {
    assert_eq!(names(&table("ClientRequestMethod")), v2::ClientRequest::METHODS);
    assert_eq!(names(&table("ServerRequestMethod")), v2::ServerRequest::METHODS);
}

#[test]
fn every_variant_serde_knows_is_a_constant_in_order() {
    let cases: [(&str, &str, Vec<String>); 6] = [
        (
            "ClientRequestMethod",
            "method",
            serde_variants("method", |v| serde_json::from_value::<v2::ClientRequest>(v).map(drop)),
        ),
        (
            "ServerRequestMethod",
            "method",
            serde_variants("method", |v| serde_json::from_value::<v2::ServerRequest>(v).map(drop)),
        ),
        (
            "ServerNotificationMethod",
            "method",
            serde_variants("method", |v| serde_json::from_value::<v2::ServerNotification>(v).map(drop)),
        ),
        (
            "ClientNotificationMethod",
            "method",
            serde_variants("method", |v| serde_json::from_value::<v2::ClientNotification>(v).map(drop)),
        ),
        (
            "ThreadEventType",
            "type",
            serde_variants("type", |v| serde_json::from_value::<exec::ThreadEvent>(v).map(drop)),
        ),
        (
            "ThreadItemType",
            "type",
            serde_variants("type", |v| serde_json::from_value::<exec::ThreadItemDetails>(v).map(drop)),
        ),
    ];
    for (name, tag, variants) in cases {
        assert!(!variants.is_empty(), "serde listed no {tag} for {name}");
        assert_eq!(names(&table(name)), variants, "{name} against serde's variants");
    }
    // The lists the SDK relies on, spot-checked by hand.
    let notifications = names(&table("ServerNotificationMethod"));
    assert!(notifications.iter().any(|n| n == "item/commandExecution/outputDelta"), "{notifications:?}");
    assert_eq!(names(&table("ClientNotificationMethod")), ["initialized"]);
}

#[test]
fn error_codes_are_those_of_the_protocol_crate() {
    let table = table("JsonRpcErrorCode");
    let keyed: Vec<(&str, &WireValue)> = table.constants.iter().map(|c| (c.key.as_str(), &c.value)).collect();
    assert_eq!(
        keyed,
        [
            ("parseError", &WireValue::Code(JsonRpcErrorError::PARSE_ERROR)),
            ("invalidRequest", &WireValue::Code(JsonRpcErrorError::INVALID_REQUEST)),
            ("methodNotFound", &WireValue::Code(JsonRpcErrorError::METHOD_NOT_FOUND)),
            ("invalidParams", &WireValue::Code(JsonRpcErrorError::INVALID_PARAMS)),
            ("internalError", &WireValue::Code(JsonRpcErrorError::INTERNAL_ERROR)),
        ]
    );
    assert_eq!(table.constants[0].doc, "The message is not valid JSON.");
}

#[test]
fn the_file_declares_each_table_as_a_const_object_and_a_union_and_the_index_exports_it() {
    let files = codegen::generate().unwrap();
    let text = &files[&wire_names::path()];
    for table in wire_names::tables().unwrap() {
        let name = table.name;
        assert!(text.contains(&format!("export const {name} = {{\n")), "{name}:\n{text}");
        assert!(
            text.contains(&format!("export type {name} = (typeof {name})[keyof typeof {name}];\n")),
            "{name}:\n{text}"
        );
    }
    for line in [
        "  threadStart: \"thread/start\",\n",
        "  itemCommandExecutionRequestApproval: \"item/commandExecution/requestApproval\",\n",
        "  itemCompleted: \"item.completed\",\n",
        "  agentMessage: \"agent_message\",\n",
        "  methodNotFound: -32601,\n",
        "   * Start a new thread.\n",
    ] {
        assert!(text.contains(line), "wireNames.ts lacks {line:?}:\n{text}");
    }
    let index = &files[&Path::new(TS_DIR).join("index.ts")];
    assert!(index.contains("export * from \"./wireNames.js\";\n"), "{index}");
}

/// Type-checks the generated TypeScript, as generated in memory, under the SDK's strict settings,
/// with a probe that each constant's union equals the union the generated types give (the
/// schema's tags and ts-rs's types agree). Needs `npm ci` in `sdk-ts/` (CI runs it first);
/// without its `tsc` the test says so and passes.
#[test]
fn the_constants_type_check_and_match_the_generated_unions() {
    let tsc = repo_root().join("sdk-ts/node_modules/.bin/tsc");
    if !tsc.is_file() {
        eprintln!("no {}; run `npm ci --prefix sdk-ts` to type-check the constants", tsc.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in codegen::generate().unwrap() {
        if let Ok(relative) = path.strip_prefix(TS_DIR) {
            let target = dir.path().join("src/generated").join(relative);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, content).unwrap();
        }
    }
    fs::write(dir.path().join("package.json"), "{\"type\": \"module\"}\n").unwrap();
    fs::write(dir.path().join("tsconfig.json"), TSCONFIG).unwrap();
    // The SDK's own type test of the constants, against these files instead of the committed.
    fs::create_dir(dir.path().join("test")).unwrap();
    fs::copy(repo_root().join("sdk-ts").join(PROBE), dir.path().join(PROBE)).unwrap();
    let output = Command::new(&tsc).arg("-p").arg(dir.path().join("tsconfig.json")).output().unwrap();
    assert!(
        output.status.success(),
        "tsc failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The type test of the constants (`sdk-ts/` relative): it imports the generated files alone.
const PROBE: &str = "test/wire-names.types.ts";

/// The compiler options of `sdk-ts/tsconfig.json`, without Node's types.
const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "verbatimModuleSyntax": true,
    "types": [],
    "noEmit": true
  },
  "include": ["test", "src"]
}
"#;

/// Node's own event names, which `sdk-ts/src` may pass to `.on(` / `.once(` of a stream or a
/// child process, though the wire uses the same word.
const NODE_EVENTS: &[&str] = &["error"];

#[test]
fn no_wire_name_or_error_code_is_written_by_hand_in_sdk_ts_src() {
    let tables = wire_names::tables().unwrap();
    let src = repo_root().join("sdk-ts/src");
    let mut found = Vec::new();
    let mut scanned = Vec::new();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ts") {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            found.extend(hand_written(&file, &fs::read_to_string(&path).unwrap(), &tables));
            scanned.push(file);
        }
    }
    assert!(scanned.iter().any(|f| f == "appServer.ts"), "sdk-ts/src looks empty: {scanned:?}");
    assert!(found.is_empty(), "use the generated constants instead:\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_names_and_codes_but_not_node_events() {
    let tables = wire_names::tables().unwrap();
    let code = r#"
        if (method === "item/commandExecution/requestApproval") send({ code: -32601 });
        if (event.type === 'turn.completed') {}
        child.once("error", () => {});
        return { type: "unknown" };
        /** Set by `thread.started`. */
    "#;
    assert_eq!(
        hand_written("a.ts", code, &tables),
        [
            "a.ts: \"item/commandExecution/requestApproval\" is ServerRequestMethod.itemCommandExecutionRequestApproval",
            "a.ts: 'turn.completed' is ThreadEventType.turnCompleted",
            "a.ts: 32601 is JsonRpcErrorCode.methodNotFound",
        ]
    );
    assert_eq!(hand_written("b.ts", "this.on(\"item/completed\", f)", &tables).len(), 1);
    assert_eq!(hand_written("c.ts", "const e = \"error\";", &tables).len(), 3, "a tag of three lists");
}

/// Where `text` spells a wire name in quotes, or an error code, by hand: one line per hit, as
/// `file: spelling is Table.key`, sorted.
fn hand_written(file: &str, text: &str, tables: &[WireTable]) -> Vec<String> {
    let mut found = Vec::new();
    for table in tables {
        for constant in &table.constants {
            let spellings = match &constant.value {
                WireValue::Name(name) => vec![format!("\"{name}\""), format!("'{name}'")],
                WireValue::Code(code) => vec![code.abs().to_string()],
            };
            for spelling in spellings {
                for (at, _) in text.match_indices(&spelling) {
                    if !is_node_event(&text[..at], &spelling) {
                        found.push(format!("{file}: {spelling} is {}.{}", table.name, constant.key));
                    }
                }
            }
        }
    }
    found.sort();
    found
}

/// Whether `spelling` is one of [`NODE_EVENTS`] passed to `.on(` or `.once(`.
fn is_node_event(before: &str, spelling: &str) -> bool {
    NODE_EVENTS.iter().any(|event| spelling.trim_matches(['"', '\'']) == *event)
        && (before.ends_with(".on(") || before.ends_with(".once("))
}

#[test]
fn a_constant_edited_by_hand_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let files = codegen::generate().unwrap();
    codegen::write(dir.path(), &files).unwrap();
    let path = dir.path().join(wire_names::path());
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("\"thread/start\"", "\"thread/begin\"")).unwrap();
    assert_eq!(
        codegen::check(dir.path(), &files).unwrap(),
        [codegen::Drift { kind: codegen::DriftKind::Stale, path: wire_names::path() }]
    );
}
