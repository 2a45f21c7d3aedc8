//! Configuration, as Codex 0.63 reads it: `$CODEX_HOME/config.toml` with the `-c key=value`
//! overrides applied, then its active profile (`profile` or `--profile`) over the root, then
//! command-line flags. A key Codex documents but this
//! runtime does not use, and an unknown key, are warnings ([`Config::warnings`], see
//! [`keys`]); an ill-typed value is an error that points at the file, line and column.

use std::path::{Path, PathBuf};

pub use protocol::v2::ReasoningEffort;

use crate::engine::auth::{ApiKey, AuthError, Storage, StoreMode};
use crate::engine::environment::EnvironmentPolicy;
use crate::engine::local::LocalChoice;
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
    /// A provider's `wire_api` names no API.
    #[error("model_providers.{provider}.wire_api = \"{wire_api}\" names no API: use \"responses\" (the Responses API) or \"chat\" (Chat Completions)")]
    WireApi {
        /// The provider's id.
        provider: String,
        /// What its `wire_api` says.
        wire_api: String,
    },
    /// The active profile (`profile` or `--profile`) is not defined.
    #[error("config profile `{0}` not found; define [profiles.{0}] in config.toml")]
    UnknownProfile(String),
    /// `oss_provider` names no local server.
    #[error("oss_provider = \"{0}\" names no local model server: use \"lmstudio\" or \"ollama\"")]
    OssProvider(String),
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
    /// The model of a code review (`review_model`; see [`crate::engine::review::DEFAULT_MODEL`]).
    pub review_model: String,
    /// The model provider.
    pub provider: Provider,
    /// With `--oss`, until [`crate::engine::local::select`] has chosen the server (and set
    /// `provider` and `model`): what there is to choose from.
    pub local: Option<LocalChoice>,
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
    /// Whether the model assesses each command that needs approval before the user is asked
    /// (`experimental_sandbox_command_assessment` or `features.sandbox_command_assessment`).
    pub sandbox_command_assessment: bool,
    /// Which of the runtime's environment variables a command gets.
    pub shell_environment_policy: EnvironmentPolicy,
    /// The runtime's environment: where the API key and `TMPDIR` come from, and what commands
    /// inherit (under `shell_environment_policy`).
    pub vars: Vars,
    /// The directories marked `trust_level = "trusted"` under `[projects]`.
    pub trusted_projects: Vec<PathBuf>,
    /// The MCP servers of `[mcp_servers.<name>]`, by name (see [`crate::engine::mcp`]).
    pub mcp_servers: std::collections::BTreeMap<String, crate::engine::mcp::McpServerConfig>,
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
    /// `--model-provider`-like choices (`-c model_provider=…` aside): the provider to use.
    pub model_provider: Option<String>,
    /// `--oss`: a local model server (see [`crate::engine::local`]).
    pub oss: bool,
    /// `--local-provider`: which local server `--oss` uses.
    pub local_provider: Option<String>,
    /// `--profile`: the profile to apply, instead of the file's `profile`.
    pub profile: Option<String>,
    /// Whether nobody is there to answer approvals (`exec`): the approval policy then defaults
    /// to `never`, as Codex's `exec` has it, instead of Codex's `on-request`.
    pub headless: bool,
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
        config.load_credentials()?;
        Ok(config)
    }

    /// Reads the stored API key when it is the one to use: the provider is `openai` and the
    /// environment gives no key (see [`Config::api_key`]). [`Config::load`] does it; a caller
    /// that must check something first (`exec`'s trust check) loads without, then calls this.
    pub fn load_credentials(&mut self) -> Result<(), ConfigError> {
        if self.provider.id == "openai" && self.env_api_key().is_none() {
            let stored = Storage::new(&self.codex_home, self.credentials_store_mode).load()?;
            self.stored_api_key = stored.and_then(|record| record.api_key);
        }
        Ok(())
    }

    /// [`Config::load`] without reading the credential store: for `login` and `logout`, which
    /// must work whatever the store holds (and see [`Config::load_credentials`]).
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
        let local = match cli.oss {
            true => Some(LocalChoice {
                candidates: provider::local(
                    cli.local_provider.as_deref().or(file.oss_provider.as_deref()),
                    &file.model_providers,
                    vars,
                )?,
                model: cli.model.clone(),
            }),
            false => None,
        };
        let provider = match local.as_ref().and_then(|local| local.candidates.first()) {
            // Until `local::select` has chosen: the first candidate.
            Some((_, provider)) => provider.clone(),
            None => {
                let id =
                    cli.model_provider.clone().or(file.model_provider).unwrap_or_else(|| "openai".into());
                provider::resolve(&id, file.model_providers.get(&id), vars)?
            }
        };
        // With `--oss`, as Codex: `-m`, else the local server's default (not the file's model).
        let model = match &local {
            Some(local) => local
                .model
                .clone()
                .or_else(|| local.candidates.first().map(|(server, _)| server.default_model().to_owned())),
            None => cli.model.clone().or(file.model),
        };
        let fallback = if cli.headless { ApprovalPolicy::Never } else { ApprovalPolicy::OnRequest };
        let approval_policy = cli.approval_policy.or(file.approval_policy).unwrap_or(fallback);
        let sandbox_mode = cli.sandbox_mode.or(file.sandbox_mode).unwrap_or(SandboxMode::ReadOnly);
        let ww = file.sandbox_workspace_write;
        Ok(Config {
            codex_home: codex_home.to_path_buf(),
            model: model.unwrap_or_else(|| DEFAULT_MODEL.into()),
            review_model: file.review_model.unwrap_or_else(|| crate::engine::review::DEFAULT_MODEL.into()),
            local,
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
            sandbox_command_assessment: file
                .features
                .sandbox_command_assessment
                .or(file.experimental_sandbox_command_assessment)
                .unwrap_or(false),
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
            mcp_servers: file
                .mcp_servers
                .into_iter()
                .map(|(name, server)| {
                    let resolved = server.resolve(&name);
                    (name, resolved)
                })
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

    /// The API key: for `openai`, `CODEX_API_KEY`, else `OPENAI_API_KEY`, else the key `login`
    /// stored; for any other provider, its `env_key` only (an OpenAI key is not sent to a
    /// local or third-party server).
    pub fn api_key(&self) -> Option<String> {
        self.env_api_key().or_else(|| self.stored_api_key.as_ref().map(|key| key.expose().to_owned()))
    }

    /// The API key the environment gives: `CODEX_API_KEY` (for `openai` only), else the
    /// provider's `env_key`.
    fn env_api_key(&self) -> Option<String> {
        let from = |name: &str| self.vars.get(name).map(str::to_owned);
        let codex = if self.provider.id == "openai" { from("CODEX_API_KEY") } else { None };
        codex.or_else(|| self.provider.env_key.as_deref().and_then(from))
    }

    /// The variables that may hold the runtime's own API key: `CODEX_API_KEY` and the provider's
    /// `env_key`. No command gets them (see [`crate::engine::environment`]).
    pub fn credential_vars(&self) -> Vec<String> {
        std::iter::once("CODEX_API_KEY".to_owned()).chain(self.provider.env_key.clone()).collect()
    }

    /// The environment of the stdio MCP server `server`: the runtime's core variables
    /// ([`crate::engine::environment::CORE_VARS`]), those its `env_vars` names, then its `env`;
    /// never the runtime's credentials (as for commands).
    pub fn mcp_server_env(
        &self,
        env: &std::collections::BTreeMap<String, String>,
        env_vars: &[String],
    ) -> Vec<(String, String)> {
        let mut set: std::collections::BTreeMap<String, String> = env_vars
            .iter()
            .filter_map(|name| Some((name.clone(), self.vars.get(name)?.to_owned())))
            .collect();
        set.extend(env.iter().map(|(name, value)| (name.clone(), value.clone())));
        let policy = EnvironmentPolicy {
            inherit: crate::engine::environment::Inherit::Core,
            ignore_default_excludes: true,
            set,
            ..EnvironmentPolicy::default()
        };
        crate::engine::environment::command_env(
            &policy,
            &self.credential_vars(),
            self.vars.iter().map(|(name, value)| (name.to_owned(), value.to_owned())),
        )
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
mod tests;
