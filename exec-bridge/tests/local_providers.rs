//! `--oss` against stand-ins for LM Studio and Ollama (the scripted model server listing the
//! models each has, speaking the Responses API and Chat Completions, streaming): which server
//! is chosen with each alone, both and neither, named by flag or by config; a missing model;
//! and a Chat Completions provider's turn with a tool call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use exec_bridge::mock_model::{MockModel, Script};
use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::World;

/// A turn that runs a command, then answers.
fn tool_turn() -> Value {
    json!([[shell("call_1", &["echo", "from-tool"])], [message("Done.")]])
}

/// A URL where nothing listens (a port just given back by the kernel).
fn closed_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/v1")
}

/// A second scripted server standing in for a local one, listing `models`.
fn local_server(script: Value, models: &[&str]) -> MockModel {
    let server = MockModel::spawn(Script::from_json(&script.to_string()).unwrap()).unwrap();
    server.set_models(models.iter().map(|m| m.to_string()).collect());
    server
}

/// `-c` overrides that put LM Studio and Ollama at these URLs.
fn at(lmstudio: &str, ollama: &str) -> [String; 4] {
    [
        "-c".into(),
        format!("model_providers.lmstudio.base_url=\"{lmstudio}\""),
        "-c".into(),
        format!("model_providers.ollama.base_url=\"{ollama}\""),
    ]
}

fn run_oss(world: &World, extra: &[String]) -> test_support::Run {
    let mut args = vec!["exec", "--experimental-json", "--skip-git-repo-check", "--full-auto", "--oss"];
    args.extend(extra.iter().map(String::as_str));
    args.push("run it");
    world.run(&args, None, &[])
}

#[test]
fn oss_uses_the_only_server_that_answers_in_the_api_it_speaks() {
    // LM Studio alone: the Responses API, its default model.
    let world = World::new(tool_turn());
    world.model.set_models(vec!["openai/gpt-oss-20b".into()]);
    let run = run_oss(&world, &at(&world.model.base_url(), &closed_url()));
    run.assert_ok();
    assert!(run.stderr.contains("--oss: using LM Studio at"), "{}", run.stderr);
    assert!(run.stderr.contains("Ollama does not answer"), "{}", run.stderr);
    let requests = world.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.path == "/v1/responses" && r.body["model"] == "openai/gpt-oss-20b"));
    assert_eq!(requests[0].body["reasoning"], Value::Null, "gpt-oss gets no reasoning summaries");
    // The world's CODEX_API_KEY is an OpenAI key: a local server does not get it.
    assert!(requests.iter().all(|r| !r.headers.contains_key("authorization")), "{:?}", requests[0].headers);

    // Ollama alone: Chat Completions, its default model, the command's output sent back.
    let world = World::new(tool_turn());
    world.model.set_models(vec!["gpt-oss:20b".into()]);
    let run = run_oss(&world, &at(&closed_url(), &world.model.base_url()));
    run.assert_ok();
    assert!(run.stderr.contains("--oss: using Ollama at"), "{}", run.stderr);
    let listed: Vec<String> =
        world.model.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(listed, ["GET /api/tags", "POST /v1/chat/completions", "POST /v1/chat/completions"]);
    let requests = world.requests();
    assert!(requests.iter().all(|r| r.body["model"] == "gpt-oss:20b" && r.body["stream"] == true));
    let messages = requests[1].body["messages"].as_array().unwrap();
    let tool = messages.iter().find(|m| m["role"] == "tool").expect("the command's output goes back");
    assert_eq!(tool["tool_call_id"], "call_1");
    assert!(tool["content"].as_str().unwrap().contains("from-tool"), "{tool}");
    let texts: Vec<&str> = run.lines.iter().filter_map(|e| e["item"]["text"].as_str()).collect();
    assert!(texts.contains(&"Done."), "{texts:?}");
}

#[test]
fn with_both_servers_the_one_that_has_the_model_is_chosen() {
    let lmstudio = local_server(json!([[message("from LM Studio")]]), &["openai/gpt-oss-20b"]);
    let world = World::new(json!([[message("from Ollama")]]));
    world.model.set_models(vec!["gpt-oss:20b".into()]);
    // Both have their default: LM Studio, first in order, and a word about Ollama.
    let run = run_oss(&world, &at(&lmstudio.base_url(), &world.model.base_url()));
    run.assert_ok();
    assert!(run.stderr.contains("using LM Studio"), "{}", run.stderr);
    assert!(run.stderr.contains("Ollama answers too; pass --local-provider ollama"), "{}", run.stderr);
    assert_eq!(lmstudio.model_requests().len(), 1);
    assert!(world.requests().is_empty());

    // `-m` names a model only Ollama has: Ollama.
    let mut args = at(&lmstudio.base_url(), &world.model.base_url()).to_vec();
    args.extend(["-m".into(), "gpt-oss:20b".into()]);
    let run = run_oss(&world, &args);
    run.assert_ok();
    assert!(run.stderr.contains("using Ollama"), "{}", run.stderr);
    assert_eq!(world.requests().len(), 1);
}

#[test]
fn with_no_server_the_error_names_both_ports() {
    let world = World::new(json!([]));
    let (lmstudio, ollama) = (closed_url(), closed_url());
    let run = run_oss(&world, &at(&lmstudio, &ollama));
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let port = |url: &str| url.rsplit(':').next().unwrap().trim_end_matches("/v1").to_owned();
    for (name, url) in [("LM Studio", &lmstudio), ("Ollama", &ollama)] {
        assert!(run.stderr.contains(&format!("{name} on port {}", port(url))), "{}", run.stderr);
    }
    assert!(run.stderr.contains("no local model server answers"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing starts: {}", run.stdout);
}

#[test]
fn a_named_server_is_the_only_one_asked() {
    // By flag: Ollama is down, with the reference's advice; LM Studio, which answers, is not asked.
    let world = World::new(json!([[message("hi")]]));
    world.model.set_models(vec!["openai/gpt-oss-20b".into()]);
    let mut args = at(&world.model.base_url(), &closed_url()).to_vec();
    args.extend(["--local-provider".into(), "ollama".into()]);
    let run = run_oss(&world, &args);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("OSS setup failed: No running Ollama server detected. Start it with: `ollama serve`"),
        "{}",
        run.stderr
    );
    assert!(world.model.requests().is_empty());

    // By config: `oss_provider`, and no word about the choice.
    std::fs::write(world.home.path().join("config.toml"), "oss_provider = \"lmstudio\"\n").unwrap();
    let run = run_oss(&world, &at(&world.model.base_url(), &closed_url()));
    run.assert_ok();
    assert!(!run.stderr.contains("--oss: using"), "{}", run.stderr);
    assert_eq!(world.requests().len(), 1);

    std::fs::write(world.home.path().join("config.toml"), "oss_provider = \"vllm\"\n").unwrap();
    let run = run_oss(&world, &[]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("oss_provider = \"vllm\" names no local model server"), "{}", run.stderr);
}

#[test]
fn a_missing_model_is_reported_with_the_command_that_fetches_it() {
    let world = World::new(json!([[message("hi")]]));
    world.model.set_models(vec!["llama3:8b".into()]);
    let run = run_oss(&world, &at(&closed_url(), &world.model.base_url()));
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("Ollama does not have the model `gpt-oss:20b`; fetch it with `ollama pull gpt-oss:20b`, or pass -m with one it has: llama3:8b"),
        "{}",
        run.stderr
    );
    assert!(world.requests().is_empty(), "no model request without the model");
}

#[test]
fn a_chat_completions_provider_runs_a_turn_with_a_tool_call() {
    let world = World::new(tool_turn());
    let config = format!(
        "model_provider = \"local\"\nmodel = \"qwen3-coder\"\n\n[model_providers.local]\nname = \"Local\"\nbase_url = \"{}\"\nwire_api = \"chat\"\n",
        world.model.base_url()
    );
    std::fs::write(world.home.path().join("config.toml"), config).unwrap();
    let run = world.exec_json(&["--full-auto", "run it"]);
    run.assert_ok();
    assert!(run.stderr.lines().all(|line| !line.contains("warning")), "{}", run.stderr);
    let requests = world.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.path == "/v1/chat/completions"));
    let body = &requests[0].body;
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["tools"][0]["type"], "function");
    assert_eq!(body["tools"][0]["function"]["name"], "shell");
    let call =
        &requests[1].body["messages"].as_array().unwrap().iter().rev().nth(1).unwrap()["tool_calls"][0];
    assert_eq!(call["id"], "call_1");
    let command =
        run.lines.iter().find(|e| e["item"]["type"] == "command_execution" && e["type"] == "item.completed");
    let command = command.expect("the command ran");
    assert!(command["item"]["aggregated_output"].as_str().unwrap().contains("from-tool"), "{command}");
    let end = run.lines.last().unwrap();
    assert_eq!(end["type"], "turn.completed");
    // The usage the server reported, over both requests (the scripted server's defaults).
    assert_eq!(end["usage"], json!({"input_tokens": 201, "cached_input_tokens": 20, "output_tokens": 41}));

    std::fs::write(
        world.home.path().join("config.toml"),
        "model_provider = \"local\"\n[model_providers.local]\nbase_url = \"http://x\"\nwire_api = \"grpc\"\n",
    )
    .unwrap();
    let bad = world.exec_json(&["hi"]);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("wire_api = \"grpc\" names no API: use \"responses\""), "{}", bad.stderr);
}
