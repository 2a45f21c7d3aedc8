//! End-to-end tests of `exec-bridge login --with-api-key`, `login status` and `logout`: the
//! real binary, its credential store in a scratch `CODEX_HOME`, and turns against the scripted
//! model that must carry the stored key, with no key in any file but the store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use serde_json::json;
use test_support::script::message;
use test_support::{files_containing, Run, World};

const KEY: &str = "sk-e2e-stored-key-1234567";
/// The runs below have no environment key unless they say so (an empty value is unset).
const NO_ENV_KEY: (&str, &str) = ("CODEX_API_KEY", "");

fn world(turns: usize) -> World {
    World::new(json!((0..turns).map(|i| json!([message(&format!("answer {i}"))])).collect::<Vec<_>>()))
}

fn with_mode(world: &World, mode: &str) {
    std::fs::write(
        world.home.path().join("config.toml"),
        format!("cli_auth_credentials_store = \"{mode}\"\n"),
    )
    .unwrap();
}

fn login(world: &World, stdin: &str) -> Run {
    world.run(&["login", "--with-api-key"], Some(stdin), &[NO_ENV_KEY])
}

fn status(world: &World) -> Run {
    world.run(&["login", "status"], None, &[NO_ENV_KEY])
}

fn logout(world: &World) -> Run {
    world.run(&["logout"], None, &[NO_ENV_KEY])
}

/// Runs one exec turn with `env`; the `authorization` header the model received.
fn turn_authorization(world: &World, env: &[(&str, &str)]) -> String {
    let before = world.requests().len();
    let run = world.run(&["exec", "--experimental-json", "--skip-git-repo-check", "hi"], None, env);
    run.assert_ok();
    let requests = world.requests();
    assert_eq!(requests.len(), before + 1);
    requests[before].headers.get("authorization").cloned().unwrap_or_default()
}

fn assert_stderr(run: &Run, code: i32, stderr: &str) {
    assert_eq!((run.code, run.stderr.as_str(), run.stdout.as_str()), (Some(code), stderr, ""), "{run:?}");
}

#[test]
fn file_mode_login_a_turn_with_the_stored_key_then_logout() {
    let world = world(2);
    let auth = world.home.path().join("auth.json");
    assert_stderr(&status(&world), 1, "Not logged in\n");

    assert_stderr(
        &login(&world, &format!("  {KEY}\n")),
        0,
        "Reading API key from stdin...\nSuccessfully logged in\n",
    );
    assert_eq!(std::fs::metadata(&auth).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&auth).unwrap(), format!("{{\n  \"OPENAI_API_KEY\": \"{KEY}\"\n}}"));
    assert_stderr(&status(&world), 0, "Logged in using an API key - sk-e2e-s***34567\n");

    // No environment key: the stored one is sent.
    assert_eq!(turn_authorization(&world, &[NO_ENV_KEY]), format!("Bearer {KEY}"));
    // An environment key wins over it.
    assert_eq!(
        turn_authorization(&world, &[NO_ENV_KEY, ("OPENAI_API_KEY", "sk-from-env")]),
        "Bearer sk-from-env"
    );

    // The key is in auth.json and nowhere else: not in the session files, not in the work dir.
    assert_eq!(files_containing(world.home.path(), KEY), std::slice::from_ref(&auth));
    assert_eq!(files_containing(world.cwd(), KEY), Vec::<PathBuf>::new());

    assert_stderr(&logout(&world), 0, "Successfully logged out\n");
    assert!(!auth.exists());
    assert_stderr(&logout(&world), 0, "Not logged in\n");
    assert_stderr(&status(&world), 1, "Not logged in\n");
}

#[test]
fn an_empty_key_or_no_api_key_flag_is_refused() {
    let world = world(0);
    assert_stderr(
        &login(&world, " \n\t"),
        1,
        "Reading API key from stdin...\nNo API key provided via stdin.\n",
    );
    assert_stderr(&login(&world, ""), 1, "Reading API key from stdin...\nNo API key provided via stdin.\n");
    assert!(!world.home.path().join("auth.json").exists());
    let run = world.run(&["login"], None, &[NO_ENV_KEY]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("--with-api-key"), "{run:?}");
    let run = world.run(
        &["login", "-c", "cli_auth_credentials_store_mode=sideways", "status"],
        None,
        &[NO_ENV_KEY],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("sideways"), "{run:?}");
}

/// Keyring mode with the platform's keyring (keyutils on Linux). Where this machine's keyring
/// cannot give a key back, login must fail with the way out named and write no file.
#[test]
fn keyring_mode_keeps_the_key_in_no_file() {
    let world = world(1);
    with_mode(&world, "keyring");
    let run = login(&world, KEY);
    if run.code != Some(0) {
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(
            run.stderr.contains("Error logging in: cannot use the OS keyring")
                && run.stderr.contains("cli_auth_credentials_store = \"file\""),
            "{run:?}"
        );
        assert_eq!(files_containing(world.home.path(), KEY), Vec::<PathBuf>::new());
        eprintln!("no usable keyring here; checked the refusal only: {}", run.stderr);
        return;
    }
    assert_stderr(&run, 0, "Reading API key from stdin...\nSuccessfully logged in\n");
    assert!(!world.home.path().join("auth.json").exists());
    assert_stderr(&status(&world), 0, "Logged in using an API key - sk-e2e-s***34567\n");
    assert_eq!(turn_authorization(&world, &[NO_ENV_KEY]), format!("Bearer {KEY}"));
    assert_eq!(files_containing(world.home.path(), KEY), Vec::<PathBuf>::new());
    assert_eq!(files_containing(world.cwd(), KEY), Vec::<PathBuf>::new());
    assert_stderr(&logout(&world), 0, "Successfully logged out\n");
    assert_stderr(&status(&world), 1, "Not logged in\n");
}

/// Auto mode: the keyring when it works here, else auth.json; either way it says which, and the
/// key is used.
#[test]
fn auto_mode_says_where_the_key_went_and_uses_it() {
    let world = world(1);
    with_mode(&world, "auto");
    let auth = world.home.path().join("auth.json");
    let run = login(&world, KEY);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("(cli_auth_credentials_store = auto"), "{run:?}");
    if run.stderr.contains("Storing credentials in the OS keyring") {
        assert!(!auth.exists());
        assert_eq!(files_containing(world.home.path(), KEY), Vec::<PathBuf>::new());
    } else {
        assert!(run.stderr.contains("no OS keyring is usable"), "{run:?}");
        assert_eq!(std::fs::metadata(&auth).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(files_containing(world.home.path(), KEY), std::slice::from_ref(&auth));
    }
    assert!(run.stderr.ends_with("Successfully logged in\n"), "{run:?}");
    assert_stderr(&status(&world), 0, "Logged in using an API key - sk-e2e-s***34567\n");
    assert_eq!(turn_authorization(&world, &[NO_ENV_KEY]), format!("Bearer {KEY}"));
    assert_stderr(&logout(&world), 0, "Successfully logged out\n");
    assert!(!auth.exists());
    assert_stderr(&status(&world), 1, "Not logged in\n");
}
