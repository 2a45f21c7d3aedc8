//! Property-based fuzzing of every parser that reads hostile input, on stable Rust (proptest):
//! the JSON-RPC reader (the whole app-server, in process), `exec`'s arguments, configuration
//! overrides, patches, the SSE parser, the model's items and stream events, and Chat Completions
//! chunks. Each target runs
//! its cases with a time check per case; a panic, an error where none may be, or a case slower
//! than the limit is a failure.
//!
//! `cargo test -p exec-bridge --test fuzz` runs a short round (CI); `scripts/fuzz.sh N` runs N
//! cases in all, spread over the targets (`FUZZ_CASES` per target), and prints the cases run,
//! the failures and the slowest case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use exec_bridge::engine::config::{CliSettings, Config};
use exec_bridge::engine::model::chat;
use exec_bridge::engine::model::events::ResponseEvent;
use exec_bridge::engine::model::sse::SseParser;
use exec_bridge::engine::model::ResponseItem;
use exec_bridge::engine::tools::apply_patch;
use exec_bridge::frontend::exec::ExecArgs;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};

/// A case slower than this is a failure (a hang or a quadratic blow-up shows here).
const SLOW: Duration = Duration::from_secs(2);
/// Cases per target when `FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 300;

/// What one target did.
struct Outcome {
    name: &'static str,
    cases: u32,
    failure: Option<String>,
    slowest: Duration,
}

/// Runs `check` on `cases` values of `strategy`, timing each.
fn target<S: Strategy>(
    name: &'static str,
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> Outcome {
    let mut runner =
        TestRunner::new(RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() });
    let slowest = std::cell::Cell::new(Duration::ZERO);
    let result = runner.run(&strategy, |value| {
        let started = Instant::now();
        check(value)?;
        let took = started.elapsed();
        slowest.set(slowest.get().max(took));
        prop_assert!(took < SLOW, "one case took {took:?}");
        Ok(())
    });
    Outcome { name, cases, failure: result.err().map(|e| e.to_string()), slowest: slowest.get() }
}

/// One of `words` most of the time, else a string of the regex `other`.
fn word(words: &'static [&'static str], other: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(words).prop_map(str::to_owned), 1 => other]
}

/// Bytes that look like a line of JSON-RPC more often than chance would, invalid UTF-8 included.
fn jsonrpc_line() -> impl Strategy<Value = Vec<u8>> {
    let method = word(
        &[
            "initialize",
            "thread/start",
            "thread/resume",
            "turn/start",
            "turn/interrupt",
            "model/list",
            "thread/list",
        ],
        ".{0,12}",
    );
    let id =
        prop_oneof![Just("1".to_owned()), Just("\"a\"".to_owned()), Just("null".to_owned()), "-?[0-9]{1,20}"];
    let params = prop_oneof![
        Just("{}".to_owned()),
        Just("null".to_owned()),
        Just(r#"{"threadId":"x","input":[]}"#.to_owned()),
        Just(r#"{"path":"/dev/null"}"#.to_owned()),
        "\\PC{0,40}",
    ];
    let structured = (id, method, params).prop_map(|(id, method, params)| {
        format!(r#"{{"id":{id},"method":"{method}","params":{params}}}"#).into_bytes()
    });
    prop_oneof![
        structured,
        proptest::collection::vec(any::<u8>(), 0..200),
        "\\PC{0,200}".prop_map(String::into_bytes)
    ]
    .prop_map(|mut line| {
        line.retain(|&b| b != b'\n');
        line
    })
}

/// The app-server, in process, fed `lines` then a valid request: it must answer that request.
fn app_server_survives(lines: Vec<Vec<u8>>, home: &Path) -> Result<(), TestCaseError> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        // One pipe each way, so that closing the client's side ends the server's input.
        let (mut client_out, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, client_in) = tokio::io::duplex(1 << 20);
        let options = exec_bridge::frontend::app_server::Options {
            codex_home: home.to_path_buf(),
            sandbox_helper: test_support::binary(),
            vars: exec_bridge::engine::config::Vars::process(),
        };
        let serving =
            tokio::spawn(exec_bridge::frontend::app_server::serve(BufReader::new(server_in), server_out, options));
        let mut input = Vec::new();
        for line in &lines {
            input.extend_from_slice(line);
            input.push(b'\n');
        }
        input.extend_from_slice(b"{\"id\":\"probe\",\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"f\",\"version\":\"1\"}}}\n");
        client_out.write_all(&input).await.unwrap();
        let mut replies = BufReader::new(client_in).lines();
        let answered = tokio::time::timeout(Duration::from_secs(5), async {
            while let Ok(Some(line)) = replies.next_line().await {
                if line.contains("\"probe\"") {
                    return true;
                }
            }
            false
        })
        .await;
        drop(client_out);
        let ended = tokio::time::timeout(Duration::from_secs(5), serving).await;
        prop_assert!(matches!(answered, Ok(true)), "the server stopped answering after {lines:?}");
        prop_assert!(matches!(ended, Ok(Ok(Ok(())))), "the server did not end cleanly: {ended:?}");
        Ok(())
    })
}

/// `exec ARGS` as clap reads them.
#[derive(Debug, Parser)]
struct ExecCommandLine {
    #[command(flatten)]
    args: ExecArgs,
}

fn argv() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        Just("--json".to_owned()),
        Just("--full-auto".to_owned()),
        Just("-s".to_owned()),
        Just("workspace-write".to_owned()),
        Just("-c".to_owned()),
        Just("--cd".to_owned()),
        Just("resume".to_owned()),
        Just("--last".to_owned()),
        Just("--image".to_owned()),
        Just("--output-schema".to_owned()),
        "\\PC{0,16}",
    ];
    proptest::collection::vec(word, 0..8)
}

/// `-c key=value` overrides: dotted keys (known and not) with TOML-ish values.
fn overrides() -> impl Strategy<Value = Vec<String>> {
    let key = word(
        &[
            "model",
            "sandbox_mode",
            "approval_policy",
            "model_provider",
            "model_providers.x.base_url",
            "sandbox_workspace_write.writable_roots",
            "a.b.c",
        ],
        ".{0,10}",
    );
    let value = prop_oneof![
        Just("\"read-only\"".to_owned()),
        Just("true".to_owned()),
        Just("[1, \"x\"]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        "\\PC{0,20}",
    ];
    proptest::collection::vec((key, value).prop_map(|(k, v)| format!("{k}={v}")), 0..4)
}

/// Patch-shaped text: the markers, edits and paths in random order, or anything.
fn patch_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("*** Begin Patch".to_owned()),
        Just("*** End Patch".to_owned()),
        Just("*** Add File: a.txt".to_owned()),
        Just("*** Update File: a.txt".to_owned()),
        Just("*** Delete File: a.txt".to_owned()),
        Just("*** Move to: b/c.txt".to_owned()),
        Just("*** End of File".to_owned()),
        Just("@@".to_owned()),
        Just("@@ fn main".to_owned()),
        "[-+ ]\\PC{0,12}",
        "\\PC{0,20}",
    ];
    prop_oneof![
        proptest::collection::vec(line, 0..12).prop_map(|lines| {
            let mut text = vec!["*** Begin Patch".to_owned()];
            text.extend(lines);
            text.push("*** End Patch".to_owned());
            text.join("\n")
        }),
        "\\PC{0,200}",
    ]
}

/// An SSE stream: events with data lines, comments and both line endings, cut into chunks.
fn sse_stream() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    let part = prop_oneof![
        "data: \\PC{0,30}\n".prop_map(String::into_bytes),
        Just(b"\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b": comment\n".to_vec()),
        Just(b"event: x\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    (
        proptest::collection::vec(part, 0..30).prop_map(|parts| parts.concat()),
        proptest::collection::vec(0usize..400, 0..8),
    )
}

fn sse_chunks_do_not_matter((stream, cuts): (Vec<u8>, Vec<usize>)) -> Result<(), TestCaseError> {
    // The inputs are far below the event size cap: every push succeeds.
    let whole = SseParser::new().push(&stream).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(stream.len())).collect();
    cuts.sort_unstable();
    let mut parser = SseParser::new();
    let mut pieces = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([stream.len()]) {
        pieces.extend(parser.push(&stream[from..cut]).map_err(|e| TestCaseError::fail(e.to_string()))?);
        from = cut;
    }
    prop_assert_eq!(whole, pieces, "events depend on how the stream was cut");
    Ok(())
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        word(
            &[
                "message",
                "function_call",
                "reasoning",
                "response.completed",
                "response.output_text.delta",
                "response.failed",
                "[DONE]",
                "stop",
                "tool_calls",
            ],
            ".{0,8}",
        )
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("call_id".to_owned()),
                    Just("content".to_owned()),
                    Just("response".to_owned()),
                    Just("item_id".to_owned()),
                    Just("delta".to_owned()),
                    Just("choices".to_owned()),
                    Just("tool_calls".to_owned()),
                    Just("index".to_owned()),
                    Just("function".to_owned()),
                    Just("arguments".to_owned()),
                    Just("finish_reason".to_owned()),
                    Just("usage".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

/// One piece of a streamed tool call: any index (huge ones too), id, name and arguments, each
/// possibly missing or `null`.
fn chat_piece() -> impl Strategy<Value = serde_json::Value> {
    (
        proptest::option::of(prop_oneof![3 => 0u64..4, 1 => any::<u64>()]),
        proptest::option::of("[a-c]{0,2}"),
        proptest::option::of(word(&["shell", "update_plan"], ".{0,4}")),
        proptest::option::of(".{0,6}"),
    )
        .prop_map(|(index, id, name, arguments)| {
            serde_json::json!({"index": index, "id": id, "function": {"name": name, "arguments": arguments}})
        })
}

/// The data of one Chat Completions event: mostly chunk-shaped (content, reasoning, tool-call
/// pieces, a finish reason, usage; any field `null`), else `[DONE]` or any JSON.
fn chat_chunk() -> impl Strategy<Value = String> {
    let chunk = (
        proptest::option::of(".{0,6}"),
        proptest::option::of(".{0,6}"),
        proptest::option::of(proptest::collection::vec(chat_piece(), 0..4)),
        proptest::option::of(word(&["stop", "tool_calls", "length"], ".{0,3}")),
        any::<bool>(),
    )
        .prop_map(|(content, reasoning, calls, finish, usage)| {
            let usage = if usage { serde_json::json!({"prompt_tokens": 1, "completion_tokens": null}) } else { serde_json::Value::Null };
            serde_json::json!({
                "choices": [{"delta": {"content": content, "reasoning": reasoning, "tool_calls": calls}, "finish_reason": finish}],
                "usage": usage
            })
            .to_string()
        });
    prop_oneof![6 => chunk, 1 => Just("[DONE]".to_owned()), 1 => json_value().prop_map(|value| value.to_string())]
}

fn main() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(DEFAULT_CASES);
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let outcomes = [
        target(
            "json-rpc reader",
            cases.div_ceil(10).max(20),
            proptest::collection::vec(jsonrpc_line(), 1..6),
            |lines| app_server_survives(lines, home.path()),
        ),
        target("exec arguments", cases, argv(), |argv| {
            let _ = ExecCommandLine::try_parse_from(std::iter::once("exec".to_owned()).chain(argv));
            Ok(())
        }),
        target("config overrides", cases, overrides(), |overrides| {
            let cli = CliSettings { overrides, ..CliSettings::default() };
            let _ = Config::load(home.path(), &cli, &Default::default());
            Ok(())
        }),
        target("apply_patch", cases, patch_text(), |text| {
            if let Ok(files) = apply_patch::parse(&text) {
                let _ = apply_patch::describe(work.path(), &files);
                let targets = apply_patch::targets(work.path(), &files);
                let writer =
                    apply_patch::write::Writer::Confined { roots: vec![work.path().canonicalize().unwrap()] };
                let _ = apply_patch::apply(work.path(), &files, &targets, &writer);
            }
            Ok(())
        }),
        target("sse parser", cases, sse_stream(), sse_chunks_do_not_matter),
        target("model items and events", cases, json_value(), |value| {
            let _ = ResponseItem::from_value(value.clone());
            let _ = serde_json::from_value::<ResponseEvent>(value).map(ResponseEvent::interpret);
            Ok(())
        }),
        target("chat completions chunks", cases, proptest::collection::vec(chat_chunk(), 0..12), |events| {
            let _ = chat::stream::decode(events.iter().map(String::as_str));
            Ok(())
        }),
    ];
    let total: u32 = outcomes.iter().map(|o| o.cases).sum();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
    for outcome in &outcomes {
        let verdict = outcome.failure.as_deref().unwrap_or("ok");
        println!(
            "fuzz {:<24} {:>8} cases  slowest {:>10.3?}  {verdict}",
            outcome.name, outcome.cases, outcome.slowest
        );
    }
    let slowest = outcomes.iter().max_by_key(|o| o.slowest).map(|o| (o.name, o.slowest));
    if let Some((name, took)) = slowest {
        println!(
            "fuzz: {total} cases in all, {} failed targets, slowest case {took:.3?} ({name})",
            failed.len()
        );
    }
    println!("{} passed, {} failed", outcomes.len() - failed.len(), failed.len());
    if !failed.is_empty() {
        std::process::exit(1);
    }
}
