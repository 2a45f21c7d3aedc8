//! The configuration's unit tests.
use std::time::Duration;

use super::*;

fn load(toml: &str, overrides: &[&str]) -> Result<Config, ConfigError> {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), toml).unwrap();
    let cli =
        CliSettings { overrides: overrides.iter().map(|s| s.to_string()).collect(), ..Default::default() };
    Config::load(home.path(), &cli, &Vars::default())
}

#[test]
fn overrides_win_over_the_file_and_values_are_toml() {
    let config = load(
        "model = \"a\"\nsandbox_mode = \"workspace-write\"\n[sandbox_workspace_write]\nwritable_roots = [\"/x\"]\n",
        &["model=b", "sandbox_workspace_write.network_access=true", "approval_policy=\"on-request\""],
    )
    .unwrap();
    assert_eq!(config.model, "b");
    assert_eq!(config.sandbox_mode, SandboxMode::WorkspaceWrite);
    assert_eq!(config.approval_policy, ApprovalPolicy::OnRequest);
    assert_eq!(config.workspace_write.writable_roots, [PathBuf::from("/x")]);
    assert!(config.workspace_write.network_access);
    assert!(config.view_image);
}

#[test]
fn custom_providers_and_their_retry_settings() {
    let config = load(
        "model_provider = \"local\"\n[model_providers.local]\nbase_url = \"http://127.0.0.1:9/v1\"\nenv_key = \"LOCAL_KEY\"\nrequest_max_retries = 1\nstream_idle_timeout_ms = 50\n",
        &[],
    )
    .unwrap();
    assert_eq!(config.provider.base_url, "http://127.0.0.1:9/v1");
    assert_eq!(config.provider.limits.request_max_retries, 1);
    assert_eq!(config.provider.limits.stream_idle_timeout, Duration::from_millis(50));
    assert!(matches!(load("model_provider = \"nope\"\n", &[]), Err(ConfigError::UnknownProvider(_))));
    let chat = "model_provider = \"c\"\n[model_providers.c]\nbase_url = \"http://x\"\nwire_api = \"chat\"\n";
    assert_eq!(load(chat, &[]).unwrap().provider.wire_api, crate::engine::model::WireApi::Chat);
    let error = load(&chat.replace("\"chat\"", "\"grpc\""), &[]).unwrap_err().to_string();
    assert!(error.starts_with("model_providers.c.wire_api = \"grpc\" names no API"), "{error}");
    let responses = chat.replace("\"chat\"", "\"responses\"");
    assert!(load(&responses, &[]).unwrap().warnings.is_empty());
}

#[test]
fn unknown_keys_are_warnings_and_ill_typed_values_errors_that_point_at_the_file() {
    let config = load("modle = \"x\"\nmodel_verbosity = \"low\"\n", &["sandbox_mde=read-only"]).unwrap();
    assert_eq!(config.model, DEFAULT_MODEL);
    // The file's warnings (in key order), then the overrides'.
    let [documented, typo, override_typo] = config.warnings.as_slice() else {
        panic!("{:?}", config.warnings)
    };
    assert!(typo.ends_with("config.toml: unknown key `modle` is ignored; did you mean `model`?"), "{typo}");
    assert!(documented.contains("`model_verbosity` is a Codex setting this runtime does not use yet"));
    assert_eq!(
        override_typo,
        "-c overrides: unknown key `sandbox_mde` is ignored; did you mean `sandbox_mode`?"
    );
    let error =
        load("model = \"m\"\n\n[sandbox_workspace_write]\nnetwork_access = \"yes\"\n", &[]).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, ConfigError::Syntax { .. }) && text.contains("config.toml"), "{text}");
    assert!(text.contains("line 4, column 18"), "{text}");
    let error = load("", &["sandbox_workspace_write.network_access=\"yes\""]).unwrap_err().to_string();
    assert!(error.contains("invalid type") || error.contains("expected a boolean"), "{error}");
    let error = load("", &["sandbox_mode=sideways"]).unwrap_err().to_string();
    assert!(error.contains("sideways"), "{error}");
    assert!(matches!(load("= broken", &[]), Err(ConfigError::Syntax { .. })));
    assert!(matches!(file::parse_override("novalue"), Err(ConfigError::Override(_))));
}

#[test]
fn the_shell_environment_policy_from_the_file_and_overrides() {
    use crate::engine::environment::Inherit;
    let config = load(
        "[shell_environment_policy]\nexclude = [\"FOO*\"]\n[shell_environment_policy.set]\nA = \"1\"\n",
        &["shell_environment_policy.inherit=core", "shell_environment_policy.include_only=[\"PATH\", \"A\"]"],
    )
    .unwrap();
    let policy = &config.shell_environment_policy;
    assert_eq!(policy.inherit, Inherit::Core);
    assert!(!policy.ignore_default_excludes);
    assert_eq!(
        (policy.exclude.as_slice(), policy.include_only.as_slice()),
        (&["FOO*".to_owned()][..], &["PATH".to_owned(), "A".to_owned()][..])
    );
    assert_eq!(policy.set["A"], "1");
    assert_eq!(config.credential_vars(), ["CODEX_API_KEY", "OPENAI_API_KEY"]);
    let config = load("[shell_environment_policy]\ninherit_all = true\n", &[]).unwrap();
    assert!(config.warnings[0].contains("unknown key `shell_environment_policy.inherit_all`"));
    let error = load("", &["shell_environment_policy.inherit=some"]).unwrap_err().to_string();
    assert!(error.contains("some"), "{error}");
}

#[test]
fn the_active_profile_overrides_the_root_and_flags_override_it() {
    let file = "model = \"root\"\nprofile = \"fast\"\n[profiles.fast]\nmodel = \"quick\"\napproval_policy = \"on-request\"\nmodel_verbosity = \"low\"\n[profiles.deep]\nmodel = \"slow\"\n[profiles.deep.sandbox_workspace_write]\nnetwork_access = true\n";
    let config = load(file, &[]).unwrap();
    assert_eq!((config.model.as_str(), config.approval_policy), ("quick", ApprovalPolicy::OnRequest));
    assert_eq!(config.warnings.len(), 1, "said once, at its place: {:?}", config.warnings);
    assert!(config.warnings[0].contains("`profiles.fast.model_verbosity`"));
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), file).unwrap();
    let cli = |profile: &str| CliSettings { profile: Some(profile.into()), ..Default::default() };
    let deep = Config::load(home.path(), &cli("deep"), &Vars::default()).unwrap();
    assert_eq!(deep.model, "slow");
    assert!(deep.workspace_write.network_access);
    let flagged = CliSettings { model: Some("flag".into()), ..cli("deep") };
    assert_eq!(Config::load(home.path(), &flagged, &Vars::default()).unwrap().model, "flag");
    // As Codex: `-c` chooses and changes profiles, and the active profile beats a root `-c`.
    let chosen = CliSettings { overrides: vec!["profile=deep".into()], ..Default::default() };
    assert_eq!(Config::load(home.path(), &chosen, &Vars::default()).unwrap().model, "slow");
    let changed = CliSettings {
        overrides: vec!["profiles.fast.model=x".into(), "model=y".into()],
        ..Default::default()
    };
    assert_eq!(Config::load(home.path(), &changed, &Vars::default()).unwrap().model, "x");
    let missing = Config::load(home.path(), &cli("nope"), &Vars::default()).unwrap_err();
    assert_eq!(missing.to_string(), "config profile `nope` not found; define [profiles.nope] in config.toml");
}

#[test]
fn trusted_projects() {
    let config = load(
        "[projects.\"/work/app\"]\ntrust_level = \"trusted\"\n[projects.\"/work/other\"]\ntrust_level = \"untrusted\"\n[projects.\"\"]\ntrust_level = \"trusted\"\n[projects.\"rel\"]\ntrust_level = \"trusted\"\n",
        &[],
    )
    .unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert!(config.is_trusted(Path::new("/work/app")) && config.is_trusted(Path::new("/work/app/src")));
    assert!(
        !config.is_trusted(Path::new("/work/other")) && !config.is_trusted(Path::new("/work/application"))
    );
    assert_eq!(config.trusted_projects, [PathBuf::from("/work/app")], "no empty or relative key");
}
