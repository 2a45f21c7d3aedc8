//! Configuration, as Codex 0.63 reads it: `$CODEX_HOME/config.toml` with the `-c key=value`
//! overrides applied, then its active profile (`profile` or `--profile`) over the root, then
//! command-line flags. A key Codex documents but this
//! runtime does not use, and an unknown key, are warnings ([`Config::warnings`], see
//! [`keys`]); an ill-typed value is an error that points at the file, line and column.

use std::path::{Path, PathBuf};

pub use protocol::v2::ReasoningEffort;

use crate::engine::auth::{ApiKey, AuthError, Storage, StoreMode};
use crate::engine::environment::EnvironmentPolicy;
use crate::engine::policy::{ApprovalPolicy, Policy, SandboxMode};

mod file;
mod keys;
mod provider;
mod vars;

use file::ConfigToml;
pub use provider::Provider;
pub use vars::Vars;

/// The model used when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-5.1-codex";
/// The OpenAI API, used when no base URL is configured.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `config.toml` could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `config.toml` is not valid TOML, or a value in it has the wrong type.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A `-c` override is not of the form `key=value`.
    #[error("-c {0}: expected key=value, for example -c model=\"gpt-5.1-codex\"")]
    Override(String),
    /// A value set by a `-c` override or the active profile has the wrong type.
    #[error("invalid configuration (-c overrides and the active profile): {0}")]
    Invalid(String),
    /// A provider's `wire_api` is one this runtime does not speak.
    #[error("model_providers.{provider}.wire_api = \"{wire_api}\": this runtime speaks only the Responses API so far; set wire_api = \"responses\" for a server that offers it")]
    WireApi {
        /// The provider's id.
        provider: String,
        /// What its `wire_api` says.
        wire_api: String,
    },
    /// The active profile (`profile` or `--profile`) is not defined.
    #[error("config profile `{0}` not found; define [profiles.{0}] in config.toml")]
    UnknownProfile(String),
    /// The chosen model provider is not defined.
    #[error("model_provider `{0}` is not defined; define [model_providers.{0}] with a base_url, or use one of: openai, lmstudio, ollama")]
    UnknownProvider(String),
    /// The stored credentials could not be read.
    #[error(transparent)]
    Credentials(#[from] AuthError),
}

/// The settings of `workspace-write`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceWrite {
    /// Writable directories besides the working directory.
    pub writable_roots: Vec<PathBuf>,
    /// Whether commands may use the network.
    pub network_access: bool,
    /// Whether `$TMPDIR` is left out of the writable roots.
    pub exclude_tmpdir_env_var: bool,
    /// Whether `/tmp` is left out of the writable roots.
    pub exclude_slash_tmp: bool,
}

/// The configuration in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `$CODEX_HOME`, default `~/.codex`: sessions and `config.toml` live there.
    pub codex_home: PathBuf,
    /// The model.
    pub model: String,
    /// The model provider.
    pub provider: Provider,
    /// When to ask for approval.
    pub approval_policy: ApprovalPolicy,
    /// The sandbox for commands.
    pub sandbox_mode: SandboxMode,
    /// The settings of `workspace-write`.
    pub workspace_write: WorkspaceWrite,
    /// The reasoning effort, if set.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Whether the `view_image` tool is offered.
    pub view_image: bool,
    /// Whether the model may search the web (`features.web_search_request` or `tools.web_search`).
    pub web_search: bool,
    /// Which of the runtime's environment variables a command gets.
    pub shell_environment_policy: EnvironmentPolicy,
    /// The runtime's environment: where the API key and `TMPDIR` come from, and what commands
    /// inherit (under `shell_environment_policy`).
    pub vars: Vars,
    /// The directories marked `trust_level = "trusted"` under `[projects]`.
    pub trusted_projects: Vec<PathBuf>,
    /// What was skipped, one line each: keys Codex documents that have no effect here, and
    /// unknown keys (with the closest documented one). `exec` prints them on standard error, the
    /// app-server logs them.
    pub warnings: Vec<String>,
    /// Where `login` keeps the API key (`cli_auth_credentials_store`).
    pub credentials_store_mode: StoreMode,
    /// The key `login` stored, read once by [`Config::load`]; `None` when an environment key
    /// takes precedence anyway or the provider is not `openai` (a stored key is never sent to
    /// another provider; it goes to `openai`'s base URL, which `OPENAI_BASE_URL` may change).
    pub stored_api_key: Option<ApiKey>,
}

/// What the command line sets on top of the files.
#[derive(Debug, Clone, Default)]
pub struct CliSettings {
    /// `-c key=value` overrides, in order.
    pub overrides: Vec<String>,
    /// `--model`.
    pub model: Option<String>,
    /// `--sandbox`.
    pub sandbox_mode: Option<SandboxMode>,
    /// `--full-auto` or `--dangerously-bypass-approvals-and-sandbox` set this.
    pub approval_policy: Option<ApprovalPolicy>,
    /// `--oss` / `--local-provider`.
    pub model_provider: Option<String>,
    /// `--profile`: the profile to apply, instead of the file's `profile`.
    pub profile: Option<String>,
}

/// The `originator` header: `CODEX_INTERNAL_ORIGINATOR_OVERRIDE` when set, else `default`.
pub fn originator(default: &str, vars: &Vars) -> String {
    vars.get("CODEX_INTERNAL_ORIGINATOR_OVERRIDE").unwrap_or(default).to_owned()
}

/// Where `$CODEX_HOME` is: the variable, else `~/.codex`; made absolute, so that the session
/// paths shown to clients are.
pub fn codex_home(vars: &Vars) -> PathBuf {
    let home = match vars.get("CODEX_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(vars.get("HOME").unwrap_or_default()).join(".codex"),
    };
    std::path::absolute(&home).unwrap_or(home)
}

impl Config {
    /// Loads `codex_home/config.toml` (absent is fine), applies its active profile and `cli`
    /// on top, for a runtime whose environment is `vars`; then reads the stored API key when it
    /// is the one to use (see [`Config::api_key`]).
    pub fn load(codex_home: &Path, cli: &CliSettings, vars: &Vars) -> Result<Config, ConfigError> {
        let mut config = Self::load_without_credentials(codex_home, cli, vars)?;
        if config.provider.id == "openai" && config.env_api_key().is_none() {
            let stored = Storage::new(codex_home, config.credentials_store_mode).load()?;
            config.stored_api_key = stored.and_then(|record| record.api_key);
        }
        Ok(config)
    }

    /// [`Config::load`] without reading the credential store: for `login` and `logout`, which
    /// must work whatever the store holds.
    pub fn load_without_credentials(
        codex_home: &Path,
        cli: &CliSettings,
        vars: &Vars,
    ) -> Result<Config, ConfigError> {
        let (file, warnings) = file::read(&codex_home.join("config.toml"), cli)?;
        let mut config = Self::resolve(codex_home, file, cli, vars)?;
        config.warnings = warnings;
        Ok(config)
    }

    /// Whether `dir` lies in a directory marked trusted under `[projects]`.
    pub fn is_trusted(&self, dir: &Path) -> bool {
        self.trusted_projects.iter().any(|project| dir.starts_with(project))
    }

    fn resolve(
        codex_home: &Path,
        file: ConfigToml,
        cli: &CliSettings,
        vars: &Vars,
    ) -> Result<Config, ConfigError> {
        let provider_id =
            cli.model_provider.clone().or(file.model_provider).unwrap_or_else(|| "openai".into());
        let provider = provider::resolve(&provider_id, file.model_providers.get(&provider_id), vars)?;
        let approval_policy = cli.approval_policy.or(file.approval_policy).unwrap_or(ApprovalPolicy::Never);
        let sandbox_mode = cli.sandbox_mode.or(file.sandbox_mode).unwrap_or(SandboxMode::ReadOnly);
        let ww = file.sandbox_workspace_write;
        Ok(Config {
            codex_home: codex_home.to_path_buf(),
            model: cli.model.clone().or(file.model).unwrap_or_else(|| DEFAULT_MODEL.into()),
            provider,
            approval_policy,
            sandbox_mode,
            workspace_write: WorkspaceWrite {
                writable_roots: ww.writable_roots,
                network_access: ww.network_access,
                exclude_tmpdir_env_var: ww.exclude_tmpdir_env_var,
                exclude_slash_tmp: ww.exclude_slash_tmp,
            },
            reasoning_effort: file.model_reasoning_effort,
            view_image: file.tools.view_image.unwrap_or(true),
            web_search: file.features.web_search_request.or(file.tools.web_search).unwrap_or(false),
            shell_environment_policy: file.shell_environment_policy,
            vars: vars.clone(),
            trusted_projects: file
                .projects
                .into_iter()
                .filter(|(_, project)| project.trust_level.as_deref() == Some("trusted"))
                .map(|(dir, _)| PathBuf::from(dir))
                // Only absolute paths name a directory (an empty key would trust them all); a
                // path through a link is taken where it leads, as the working directory is.
                .filter(|dir| dir.is_absolute())
                .map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir))
                .collect(),
            warnings: Vec::new(),
            credentials_store_mode: file.cli_auth_credentials_store.unwrap_or_default(),
            stored_api_key: None,
        })
    }

    /// What may happen without asking, for commands run in `cwd` with `add_dirs` as further
    /// writable roots (`--add-dir`).
    pub fn policy(&self, cwd: &Path, add_dirs: &[PathBuf]) -> Policy {
        let ww = &self.workspace_write;
        Policy {
            approval: self.approval_policy,
            sandbox: self.sandbox_mode,
            writable_roots: crate::engine::policy::writable_roots(
                cwd,
                add_dirs,
                &ww.writable_roots,
                self.tmpdir(ww.exclude_tmpdir_env_var),
                ww.exclude_slash_tmp,
            ),
        }
    }

    /// `$TMPDIR`, a writable root of `workspace-write` unless `exclude`.
    pub fn tmpdir(&self, exclude: bool) -> Option<&Path> {
        self.vars.get("TMPDIR").filter(|_| !exclude).map(Path::new)
    }

    /// The API key: `CODEX_API_KEY`, else the provider's variable (`OPENAI_API_KEY` for openai),
    /// else the key `login` stored.
    pub fn api_key(&self) -> Option<String> {
        self.env_api_key().or_else(|| self.stored_api_key.as_ref().map(|key| key.expose().to_owned()))
    }

    /// The API key the environment gives: `CODEX_API_KEY`, else the provider's `env_key`.
    fn env_api_key(&self) -> Option<String> {
        let from = |name: &str| self.vars.get(name).map(str::to_owned);
        from("CODEX_API_KEY").or_else(|| self.provider.env_key.as_deref().and_then(from))
    }

    /// The variables that may hold the runtime's own API key: `CODEX_API_KEY` and the provider's
    /// `env_key`. No command gets them (see [`crate::engine::environment`]).
    pub fn credential_vars(&self) -> Vec<String> {
        std::iter::once("CODEX_API_KEY".to_owned()).chain(self.provider.env_key.clone()).collect()
    }

    /// The environment of every command of a thread: the runtime's own, under
    /// `[shell_environment_policy]`, without the runtime's credentials.
    pub fn command_env(&self) -> Vec<(String, String)> {
        crate::engine::environment::command_env(
            &self.shell_environment_policy,
            &self.credential_vars(),
            self.vars.iter().map(|(name, value)| (name.to_owned(), value.to_owned())),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn load(toml: &str, overrides: &[&str]) -> Result<Config, ConfigError> {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config.toml"), toml).unwrap();
        let cli = CliSettings {
            overrides: overrides.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
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
        let chat =
            "model_provider = \"c\"\n[model_providers.c]\nbase_url = \"http://x\"\nwire_api = \"chat\"\n";
        let error = load(chat, &[]).unwrap_err().to_string();
        assert!(error.starts_with(
            "model_providers.c.wire_api = \"chat\": this runtime speaks only the Responses API"
        ));
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
        assert!(
            typo.ends_with("config.toml: unknown key `modle` is ignored; did you mean `model`?"),
            "{typo}"
        );
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
            &[
                "shell_environment_policy.inherit=core",
                "shell_environment_policy.include_only=[\"PATH\", \"A\"]",
            ],
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
        assert_eq!(
            missing.to_string(),
            "config profile `nope` not found; define [profiles.nope] in config.toml"
        );
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
            !config.is_trusted(Path::new("/work/other"))
                && !config.is_trusted(Path::new("/work/application"))
        );
        assert_eq!(config.trusted_projects, [PathBuf::from("/work/app")], "no empty or relative key");
    }
}
