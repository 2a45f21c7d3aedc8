//! What environment a command the model runs gets, through the real binary: never the runtime's
//! API keys (so neither the model nor the session file can see them), and otherwise what
//! `[shell_environment_policy]` says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;

use protocol::exec::ThreadItemDetails;
use serde_json::json;
use test_support::script::{message, shell};
use test_support::{tool_output, Run, World};

/// The runtime's own key (`CODEX_API_KEY`), its provider's (`OPENAI_API_KEY`), and a secret of
/// the user's that only the default excludes keep out (`MY_SECRET_TOKEN`).
const CODEX_KEY: &str = "sk-codex-env-test-0123456789";
const OPENAI_KEY: &str = "sk-openai-env-test-0123456789";
const USER_TOKEN: &str = "user-token-env-test-0123456789";

/// A world whose model runs `argv` once, with the keys above and `MY_PLAIN=visible` in the
/// runtime's environment.
fn world_running(argv: &[&str]) -> World {
    let mut world = World::new(json!([[shell("c1", argv)], [message("done")]]));
    world
        .set_env("CODEX_API_KEY", CODEX_KEY)
        .set_env("OPENAI_API_KEY", OPENAI_KEY)
        .set_env("MY_SECRET_TOKEN", USER_TOKEN)
        .set_env("MY_PLAIN", "visible");
    world
}

/// The output of the (only) command item.
fn command_output(run: &Run) -> String {
    run.completed()
        .iter()
        .find_map(|item| match item {
            ThreadItemDetails::CommandExecution(c) => Some(c.aggregated_output.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no command item in {:?}\n{}", run.kinds(), run.stderr))
}

/// The names of the `NAME=value` lines of `env`'s output, sorted.
fn names(env_output: &str) -> Vec<String> {
    let mut names: Vec<String> =
        env_output.lines().filter_map(|line| line.split_once('=')).map(|(n, _)| n.to_owned()).collect();
    names.sort();
    names
}

/// Every file under `dir`, read as text.
fn all_text_under(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&all_text_under(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

fn exec(world: &World, mode: &str, config: &[&str]) -> Run {
    let mut args = vec!["-s", mode];
    for setting in config {
        args.extend(["-c", setting]);
    }
    args.push("show the environment");
    let run = world.exec_json(&args);
    run.assert_ok();
    run
}

#[test]
fn no_key_reaches_a_command_the_model_or_the_session_file() {
    for mode in ["workspace-write", "danger-full-access"] {
        let world = world_running(&["env"]);
        let run = exec(&world, mode, &[]);
        let output = command_output(&run);
        assert!(output.contains("MY_PLAIN=visible\n") && output.contains("PATH="), "{mode}: {output}");
        let bodies: String = world.requests().iter().map(|r| r.body.to_string()).collect();
        assert!(tool_output(&world.requests(), "c1").contains("MY_PLAIN=visible"));
        let sessions = all_text_under(world.home.path());
        assert!(sessions.contains("MY_PLAIN=visible"), "{mode}: the session file holds the output");
        for secret in [CODEX_KEY, OPENAI_KEY, USER_TOKEN] {
            for (place, text) in
                [("command output", &output), ("model request", &bodies), ("CODEX_HOME", &sessions)]
            {
                assert!(!text.contains(secret), "{mode}: {secret} reached the {place}");
            }
        }
    }
}

#[test]
fn the_runtime_keys_stay_out_even_when_the_policy_lets_secrets_in() {
    let world =
        world_running(&["bash", "-c", "echo \"[$CODEX_API_KEY|$OPENAI_API_KEY|$MY_SECRET_TOKEN|$ALIAS]\""]);
    let config = [
        "shell_environment_policy.ignore_default_excludes=true",
        "shell_environment_policy.set.CODEX_API_KEY=\"set-by-the-user\"",
        &format!("shell_environment_policy.set.ALIAS=\"{OPENAI_KEY}\""),
    ];
    let run = exec(&world, "danger-full-access", &config);
    // The user's secret comes in (the default excludes are off); the runtime's keys do not, even
    // set by hand or copied under another name.
    assert_eq!(command_output(&run), format!("[||{USER_TOKEN}|]\n"));
}

#[test]
fn inherit_none_with_set_gives_exactly_the_set_variables() {
    for mode in ["workspace-write", "danger-full-access"] {
        let world = world_running(&["/usr/bin/env"]);
        let config = [
            "shell_environment_policy.inherit=none",
            "shell_environment_policy.set={A=\"1\", B=\"two words\"}",
        ];
        let run = exec(&world, mode, &config);
        assert_eq!(command_output(&run), "A=1\nB=two words\n", "{mode}");
    }
}

#[test]
fn inherit_core_keeps_the_core_variables() {
    let world = world_running(&["/usr/bin/env"]);
    let run = exec(&world, "workspace-write", &["shell_environment_policy.inherit=core"]);
    // The world's environment: PATH, HOME, CODEX_HOME, OPENAI_BASE_URL, the keys, MY_PLAIN.
    assert_eq!(names(&command_output(&run)), ["HOME", "PATH"]);
}

#[test]
fn include_only_and_exclude_filter_by_pattern() {
    let world = world_running(&["/usr/bin/env"]);
    let config = ["shell_environment_policy.include_only=[\"path\", \"MY_*\", \"*_HOME\"]"];
    let run = exec(&world, "danger-full-access", &config);
    assert_eq!(names(&command_output(&run)), ["CODEX_HOME", "MY_PLAIN", "PATH"]);

    let world = world_running(&["/usr/bin/env"]);
    let config = ["shell_environment_policy.exclude=[\"*home\", \"OPENAI_*\"]"];
    let run = exec(&world, "danger-full-access", &config);
    assert_eq!(names(&command_output(&run)), ["MY_PLAIN", "PATH"]);
}

#[test]
fn an_unknown_policy_key_is_a_warning_and_an_unknown_value_an_error() {
    let world = world_running(&["true"]);
    let run = world.exec_json(&["-c", "shell_environment_policy.inherits=core", "hi"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let warning = "unknown key `shell_environment_policy.inherits` is ignored; did you mean `shell_environment_policy.inherit`?";
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    let requests = world.requests().len();

    std::fs::write(world.home.path().join("config.toml"), "[shell_environment_policy]\ninherit = \"most\"\n")
        .unwrap();
    let run = world.exec_json(&["hi"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("most") && run.stderr.contains("line 2"), "{}", run.stderr);
    assert_eq!(world.requests().len(), requests, "nothing ran");
}
