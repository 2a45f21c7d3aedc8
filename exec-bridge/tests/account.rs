//! End-to-end tests of the app-server's `account/*` methods: the real binary over stdio (every
//! message checked against the generated schema), its credential store in a scratch
//! `CODEX_HOME`, and turns against the scripted model that must carry the stored key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use test_support::script::message;
use test_support::{files_containing, AppServer, World, API_KEY};

const KEY: &str = "sk-e2e-app-server-key-98765";

/// A world whose model answers `turns` turns, with no environment key (an empty value is
/// unset) unless `env_key` names one.
fn world(turns: usize, env_key: Option<(&str, &str)>) -> World {
    let mut world =
        World::new(json!((0..turns).map(|i| json!([message(&format!("answer {i}"))])).collect::<Vec<_>>()));
    world.set_env("CODEX_API_KEY", "");
    if let Some((name, value)) = env_key {
        world.set_env(name, value);
    }
    world
}

fn server(world: &World) -> AppServer {
    let mut server = AppServer::start(world);
    server.initialize();
    server
}

/// Runs one turn on a new thread; the `authorization` header the model received (`None`
/// without one).
fn turn_authorization(world: &World, server: &mut AppServer) -> Option<String> {
    let before = world.requests().len();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd}));
    let turn = server.run_turn(&thread, "hi", |_| json!({"decision": "decline"}));
    assert_eq!(test_support::turn_status(&turn), "completed");
    let requests = world.requests();
    assert_eq!(requests.len(), before + 1);
    requests[before].headers.get("authorization").cloned()
}

fn error_of(response: &Value) -> (i64, String) {
    let error = &response["error"];
    assert!(error.is_object(), "expected an error: {response}");
    (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_owned())
}

fn expect_notification(server: &mut AppServer, wanted: Value) {
    let got = server.recv();
    assert_eq!(got, wanted);
}

#[test]
fn an_api_key_login_is_stored_announced_used_and_removed_by_logout() {
    let world = world(2, None);
    let auth = world.home.path().join("auth.json");
    let mut server = server(&world);
    assert_eq!(server.call("account/read", json!({})), json!({"account": null, "requiresOpenaiAuth": true}));

    // The response first, then account/login/completed, then account/updated, as the reference.
    let result = server.call("account/login/start", json!({"type": "apiKey", "apiKey": KEY}));
    assert_eq!(result, json!({"type": "apiKey"}));
    expect_notification(
        &mut server,
        json!({"method": "account/login/completed", "params": {"loginId": null, "success": true, "error": null}}),
    );
    expect_notification(&mut server, json!({"method": "account/updated", "params": {"authMode": "apikey"}}));
    assert_eq!(std::fs::metadata(&auth).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&auth).unwrap(), format!("{{\n  \"OPENAI_API_KEY\": \"{KEY}\"\n}}"));
    let read = server.call("account/read", json!({"refreshToken": true}));
    assert_eq!(read, json!({"account": {"type": "apiKey"}, "requiresOpenaiAuth": true}));

    // A thread started after the login sends the key; it is in no file but auth.json (not in
    // the session file of that turn).
    assert_eq!(turn_authorization(&world, &mut server), Some(format!("Bearer {KEY}")));
    assert_eq!(files_containing(world.home.path(), KEY), std::slice::from_ref(&auth));
    assert_eq!(files_containing(world.cwd(), KEY), Vec::<std::path::PathBuf>::new());

    // Logout: the response, then account/updated with no auth mode; nothing stored any more.
    assert_eq!(server.call("account/logout", Value::Null), json!({}));
    expect_notification(&mut server, json!({"method": "account/updated", "params": {"authMode": null}}));
    assert!(!auth.exists());
    assert_eq!(server.call("account/read", json!({})), json!({"account": null, "requiresOpenaiAuth": true}));
    // Logging out again is no error, and is announced all the same (as the reference does).
    assert_eq!(server.call("account/logout", json!({})), json!({}));
    expect_notification(&mut server, json!({"method": "account/updated", "params": {"authMode": null}}));
    // A thread started after the logout has no key to send; no file holds it.
    assert_eq!(turn_authorization(&world, &mut server), None);
    assert_eq!(files_containing(world.home.path(), KEY), Vec::<std::path::PathBuf>::new());

    // The key never came back: in no message the server sent, and in no file but auth.json.
    for message in server.log() {
        assert!(!message.to_string().contains(KEY), "the key was echoed: {message}");
    }
    server.close();
    server.wait(Duration::from_secs(20));
}

#[test]
fn chatgpt_login_is_refused_at_once_and_says_to_use_an_api_key() {
    let world = world(0, None);
    let mut server = AppServer::start(&world).with_timeout(Duration::from_secs(5));
    server.initialize();
    let started = Instant::now();
    let (code, message) = error_of(&server.request("account/login/start", json!({"type": "chatgpt"})));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code, -32600);
    assert!(
        message.starts_with("ChatGPT sign-in is not supported by this runtime")
            && message.contains(r#"`account/login/start` with {"type": "apiKey""#)
            && message.contains("`exec-bridge login --with-api-key`"),
        "{message}"
    );
    // No login runs, so none can be cancelled; the reference's wording for an id that is not a
    // UUID, and for one it does not know.
    let (code, message) = error_of(&server.request("account/login/cancel", json!({"loginId": "l-1"})));
    assert_eq!(code, -32600);
    assert!(message.starts_with("invalid login id: l-1: "), "{message}");
    let id = "46ce9025-661e-43d8-b6a7-cff26f311bac";
    let (code, message) = error_of(&server.request("account/login/cancel", json!({"loginId": id})));
    assert_eq!(code, -32600);
    assert!(
        message.starts_with(&format!("login id not found: {id}: no ChatGPT sign-in is in progress")),
        "{message}"
    );
    assert!(!world.home.path().join("auth.json").exists());
    assert_eq!(server.call("account/read", json!({}))["account"], Value::Null);
}

#[test]
fn rate_limits_need_a_chatgpt_plan_and_say_so_as_the_reference() {
    let world = world(0, None);
    let mut server = server(&world);
    let (code, message) = error_of(&server.request("account/rateLimits/read", Value::Null));
    assert_eq!(code, -32600);
    assert!(message.starts_with("codex account authentication required to read rate limits: "), "{message}");
    server.call("account/login/start", json!({"type": "apiKey", "apiKey": KEY}));
    let (code, message) = error_of(&server.request("account/rateLimits/read", json!({})));
    assert_eq!(code, -32600);
    assert!(message.starts_with("chatgpt authentication required to read rate limits: "), "{message}");
}

/// As in the reference, an environment key is not an account: `account/read` shows the stored
/// login only. This runtime's turns prefer the environment key, stored key or not.
#[test]
fn an_environment_key_is_no_account_but_wins_for_turns() {
    for name in ["CODEX_API_KEY", "OPENAI_API_KEY"] {
        let world = world(2, Some((name, API_KEY)));
        let mut server = server(&world);
        assert_eq!(server.call("account/read", json!({}))["account"], Value::Null, "{name}");
        assert_eq!(turn_authorization(&world, &mut server), Some(format!("Bearer {API_KEY}")), "{name}");
        server.call("account/login/start", json!({"type": "apiKey", "apiKey": KEY}));
        assert_eq!(server.call("account/read", json!({}))["account"], json!({"type": "apiKey"}), "{name}");
        assert_eq!(turn_authorization(&world, &mut server), Some(format!("Bearer {API_KEY}")), "{name}");
    }
}

#[test]
fn malformed_account_params_are_invalid_params_and_store_nothing() {
    let world = world(0, None);
    let mut server = server(&world);
    for (method, params, names) in [
        ("account/login/start", json!({"type": "apiKey"}), "apiKey"),
        ("account/login/start", json!({"type": "bogus", "apiKey": KEY}), "bogus"),
        ("account/login/start", json!({"apiKey": KEY}), "type"),
        ("account/login/start", json!({"type": "apiKey", "apiKey": 42}), "integer"),
        ("account/login/start", json!({"type": "apiKey", "apiKey": " "}), "`apiKey` is empty"),
        ("account/login/start", json!({"type": "apiKey", "apiKey": "sk-a sk-b"}), "whitespace"),
        ("account/login/cancel", json!({}), "loginId"),
        ("account/read", json!({"refreshToken": "yes"}), "boolean"),
    ] {
        let (code, message) = error_of(&server.request(method, params.clone()));
        assert_eq!(code, -32602, "{method} {params}: {message}");
        assert!(message.contains(names), "{method} {params}: {message}");
        assert!(!message.contains(KEY), "the key was echoed: {message}");
    }
    assert!(!world.home.path().join("auth.json").exists());
    // The server goes on.
    assert_eq!(server.call("account/read", json!({}))["account"], Value::Null);
}

/// The store `cli_auth_credentials_store` names is the one used; a configuration that cannot be
/// read is an error that points at the file.
#[test]
fn the_configured_store_is_used_and_a_broken_config_is_named() {
    let world = world(0, None);
    let config = world.home.path().join("config.toml");
    std::fs::write(&config, "cli_auth_credentials_store = \"sideways\"\n").unwrap();
    let mut server = server(&world);
    let (code, message) =
        error_of(&server.request("account/login/start", json!({"type": "apiKey", "apiKey": KEY})));
    assert_eq!(code, -32602, "{message}");
    assert!(message.contains("sideways") && message.contains("config.toml"), "{message}");
    assert!(!world.home.path().join("auth.json").exists());
}

/// ChatGPT tokens another Codex stored: `account/read` shows their email and plan, as the
/// reference does; this runtime cannot use them, and rate limits say so.
#[test]
fn a_chatgpt_login_codex_stored_is_shown_but_not_used() {
    use base64::Engine as _;
    let part = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let claims =
        json!({"email": "dev@example.com", "https://api.openai.com/auth": {"chatgpt_plan_type": "plus"}});
    let id_token = format!("{}.{}.sig", part(json!({"alg": "RS256"})), part(claims));
    let world = world(0, None);
    let auth = json!({"OPENAI_API_KEY": null, "tokens": {"id_token": id_token, "access_token": "at", "refresh_token": "rt"}});
    std::fs::write(world.home.path().join("auth.json"), auth.to_string()).unwrap();
    let mut server = server(&world);
    assert_eq!(
        server.call("account/read", json!({})),
        json!({"account": {"type": "chatgpt", "email": "dev@example.com", "planType": "plus"}, "requiresOpenaiAuth": true})
    );
    let (code, message) = error_of(&server.request("account/rateLimits/read", Value::Null));
    assert_eq!(code, -32600);
    assert!(message.contains("ChatGPT sign-in") && message.contains("log in with an API key"), "{message}");
}
