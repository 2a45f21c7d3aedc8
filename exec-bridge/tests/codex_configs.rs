//! `config.toml` files as Codex 0.63 users have them: each starts and runs a turn, with a
//! warning for each key that has no effect here; profiles; the trust check outside Git.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use serde_json::json;
use test_support::script::message;
use test_support::World;

/// Five files Codex 0.63 accepts, each with the warnings they give (the keys this runtime
/// does not use).
const FILES: [(&str, &[&str]); 5] = [
    (
        // Reasoning summary, a trusted project and an MCP server that is not installed here
        // (reported once as an error item; the turn goes on), with a key the runtime skips.
        "model = \"gpt-5.1-codex\"\nmodel_reasoning_summary = \"detailed\"\n\n[projects.\"/home/me/app\"]\ntrust_level = \"trusted\"\n\n[mcp_servers.docs]\ncommand = \"docs-mcp-not-installed\"\nargs = [\"--stdio\"]\nhttp_headers = { X-Team = \"docs\" }\n",
        &["`model_reasoning_summary`", "`mcp_servers.docs.http_headers`"],
    ),
    (
        // A provider that names its wire API, selected.
        "model_provider = \"azure\"\n\n[model_providers.azure]\nname = \"Azure\"\nbase_url = \"BASE_URL\"\nenv_key = \"CODEX_API_KEY\"\nwire_api = \"responses\"\nquery_params = { api-version = \"2025-04-01-preview\" }\n",
        &["`model_providers.azure.query_params`"],
    ),
    (
        // Verbosity, notifications and the TUI.
        "model_verbosity = \"low\"\nnotify = [\"notify-send\", \"Codex\"]\nhide_agent_reasoning = true\n\n[tui]\nnotifications = true\n",
        &["`hide_agent_reasoning`", "`model_verbosity`", "`notify`", "`tui`"],
    ),
    (
        // Profiles, one of them active.
        "profile = \"fast\"\n\n[profiles.fast]\nmodel = \"gpt-5.1-codex-mini\"\nmodel_reasoning_effort = \"low\"\napproval_policy = \"never\"\n\n[profiles.deep]\nmodel = \"gpt-5.1-codex-max\"\nmodel_reasoning_effort = \"xhigh\"\n",
        &[],
    ),
    (
        // Old keys Codex still reads or ignores, and a feature table.
        "include_plan_tool = true\ninclude_view_image_tool = true\nexperimental_use_exec_command_tool = false\noss_provider = \"ollama\"\ncli_auth_credentials_store = \"file\"\n\n[features]\nweb_search_request = false\nview_image_tool = true\n",
        &[
            "`experimental_use_exec_command_tool`",
            "`features.view_image_tool`",
            "`include_plan_tool`",
            "`include_view_image_tool`",
        ],
    ),
];

#[test]
fn five_codex_config_files_each_run_a_turn_with_their_warnings() {
    for (n, (file, expected)) in FILES.iter().enumerate() {
        let world = World::new(json!([[message("Done.")]]));
        let file = file.replace("BASE_URL", &world.model.base_url());
        std::fs::write(world.home.path().join("config.toml"), &file).unwrap();
        let run = world.exec_json(&["hi"]);
        run.assert_ok();
        assert_eq!(run.kinds().last().map(String::as_str), Some("turn.completed"), "file {n}");
        let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("warning:")).collect();
        assert_eq!(warnings.len(), expected.len(), "file {n}:\n{file}\nstderr:\n{}", run.stderr);
        for key in *expected {
            let said = warnings.iter().any(|w| w.contains(key) && w.contains("no effect"));
            assert!(said, "file {n}: no warning names {key}: {warnings:?}");
        }
        let failed_servers = run
            .completed()
            .iter()
            .filter(|item| {
                matches!(item, protocol::exec::ThreadItemDetails::Error(e) if e.message.starts_with("MCP client for `docs` failed to start"))
            })
            .count();
        assert_eq!(
            failed_servers,
            usize::from(file.contains("[mcp_servers.docs]")),
            "file {n}: {}",
            run.stdout
        );
    }
}

#[test]
fn the_active_profile_and_the_profile_flag_choose_the_model() {
    let world = World::new(json!([[message("a")], [message("b")]]));
    std::fs::write(
        world.home.path().join("config.toml"),
        "model = \"root\"\nprofile = \"fast\"\n[profiles.fast]\nmodel = \"quick\"\n[profiles.deep]\nmodel = \"slow\"\n",
    )
    .unwrap();
    world.exec_json(&["hi"]).assert_ok();
    world.exec_json(&["--profile", "deep", "hi"]).assert_ok();
    let models: Vec<_> = world.requests().iter().map(|r| r.body["model"].clone()).collect();
    assert_eq!(models, [json!("quick"), json!("slow")]);
    let missing = world.exec_json(&["-p", "nope", "hi"]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("config profile `nope` not found"), "{}", missing.stderr);
}

#[test]
fn outside_git_only_a_trusted_directory_runs_without_the_flag() {
    let world = World::new(json!([[message("Trusted.")]]));
    // The credential store is not read for a refused run: a corrupt auth.json does not matter
    // yet (no environment key, so the stored one would be used).
    std::fs::write(world.home.path().join("auth.json"), "{ not json").unwrap();
    let run = world.run(&["exec", "--experimental-json", "hi"], None, &[("CODEX_API_KEY", "")]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr, "Not inside a trusted directory and --skip-git-repo-check was not specified.\n");
    assert!(run.stdout.is_empty());
    std::fs::remove_file(world.home.path().join("auth.json")).unwrap();
    let cwd = test_support::canonical(world.cwd());
    std::fs::write(
        world.home.path().join("config.toml"),
        format!("[projects.\"{}\"]\ntrust_level = \"trusted\"\n", cwd.display()),
    )
    .unwrap();
    world.run(&["exec", "--experimental-json", "hi"], None, &[]).assert_ok();
}

#[test]
fn an_ill_typed_value_points_at_the_users_file() {
    let world = World::new(json!([]));
    std::fs::write(
        world.home.path().join("config.toml"),
        "model = \"m\"\n\n[sandbox_workspace_write]\nnetwork_access = \"yes\"\n",
    )
    .unwrap();
    let run = world.exec_json(&["hi"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("config.toml") && run.stderr.contains("line 4, column 18"), "{}", run.stderr);
}

#[test]
fn the_app_server_logs_each_warning_once() {
    let world = World::new(json!([]));
    std::fs::write(world.home.path().join("config.toml"), "modle = \"x\"\n").unwrap();
    let cwd = world.cwd().display().to_string();
    let lines = [
        json!({"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}}),
        json!({"method": "initialized"}),
        json!({"id": 2, "method": "thread/start", "params": {"cwd": cwd}}),
        json!({"id": 3, "method": "thread/start", "params": {"cwd": cwd}}),
        json!({"id": 4, "method": "account/read", "params": {}}),
    ];
    let input: String = lines.iter().map(|line| format!("{line}\n")).collect();
    let run = world.run(&["app-server"], Some(&input), &[]);
    let answered = run.stdout.lines().filter(|line| line.contains("\"result\"")).count();
    assert_eq!(answered, 4, "{}", run.stdout);
    let said = run.stderr.matches("unknown key `modle` is ignored").count();
    assert_eq!(said, 1, "once, however often the configuration is read:\n{}", run.stderr);
}
