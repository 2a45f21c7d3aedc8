//! The file itself: `config.toml`'s keys this runtime implements, read with every skipped key
//! noted, its active profile and the `-c` overrides merged on top.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::provider::ProviderToml;
use super::{keys, CliSettings, ConfigError, ReasoningEffort};
use crate::engine::auth::StoreMode;
use crate::engine::environment::EnvironmentPolicy;
use crate::engine::mcp::{self, McpServerConfig, McpTransport};
use crate::engine::policy::{ApprovalPolicy, SandboxMode};

/// The keys of `config.toml` this runtime implements (what else a file holds is skipped with a
/// warning, see [`keys`]).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ConfigToml {
    /// The active profile.
    pub(super) profile: Option<String>,
    /// Named sets of the root's keys; the active one overrides the root. Read here so that
    /// their keys are checked; the active one is applied from the file's table.
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) profiles: BTreeMap<String, ConfigToml>,
    /// Per-directory settings: `trust_level = "trusted"` lets `exec` run there outside Git.
    #[serde(default)]
    pub(super) projects: BTreeMap<String, ProjectToml>,
    pub(super) model: Option<String>,
    /// The model of code reviews.
    pub(super) review_model: Option<String>,
    pub(super) model_provider: Option<String>,
    #[serde(default)]
    pub(super) model_providers: BTreeMap<String, ProviderToml>,
    pub(super) approval_policy: Option<ApprovalPolicy>,
    pub(super) sandbox_mode: Option<SandboxMode>,
    #[serde(default)]
    pub(super) sandbox_workspace_write: WorkspaceWriteToml,
    pub(super) model_reasoning_effort: Option<ReasoningEffort>,
    #[serde(default)]
    pub(super) tools: ToolsToml,
    #[serde(default)]
    pub(super) features: FeaturesToml,
    #[serde(default)]
    pub(super) shell_environment_policy: EnvironmentPolicy,
    /// Whether the model assesses commands that need approval (also
    /// `features.sandbox_command_assessment`).
    pub(super) experimental_sandbox_command_assessment: Option<bool>,
    /// Where `login` keeps credentials: `file`, `keyring` or `auto` (Codex's key; the seed's
    /// `cli_auth_credentials_store_mode` is read too).
    #[serde(alias = "cli_auth_credentials_store_mode")]
    pub(super) cli_auth_credentials_store: Option<StoreMode>,
    /// The local server `--oss` uses when `--local-provider` does not say: `lmstudio` or
    /// `ollama`.
    pub(super) oss_provider: Option<String>,
    /// The MCP servers whose tools the model is offered, by name (see
    /// [`crate::engine::mcp`]).
    #[serde(default)]
    pub(super) mcp_servers: BTreeMap<String, McpServerToml>,
}

/// One `[mcp_servers.<name>]` table, as Codex 0.63 documents it: a command to start (stdio) or
/// a URL (streamable HTTP). The keys this runtime does not implement (`http_headers`,
/// `env_http_headers`) are skipped with a warning.
#[derive(Debug, Default, Deserialize)]
pub(super) struct McpServerToml {
    pub(super) command: Option<String>,
    #[serde(default)]
    pub(super) args: Vec<String>,
    #[serde(default)]
    pub(super) env: BTreeMap<String, String>,
    /// Names of the runtime's variables passed on to the server as they are.
    #[serde(default)]
    pub(super) env_vars: Vec<String>,
    pub(super) cwd: Option<PathBuf>,
    pub(super) url: Option<String>,
    pub(super) bearer_token_env_var: Option<String>,
    pub(super) startup_timeout_sec: Option<f64>,
    pub(super) startup_timeout_ms: Option<u64>,
    pub(super) tool_timeout_sec: Option<f64>,
    pub(super) enabled: Option<bool>,
    pub(super) enabled_tools: Option<Vec<String>>,
    pub(super) disabled_tools: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ProjectToml {
    pub(super) trust_level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct WorkspaceWriteToml {
    #[serde(default)]
    pub(super) writable_roots: Vec<PathBuf>,
    #[serde(default)]
    pub(super) network_access: bool,
    #[serde(default)]
    pub(super) exclude_tmpdir_env_var: bool,
    #[serde(default)]
    pub(super) exclude_slash_tmp: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ToolsToml {
    pub(super) view_image: Option<bool>,
    pub(super) web_search: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct FeaturesToml {
    pub(super) web_search_request: Option<bool>,
    pub(super) sandbox_command_assessment: Option<bool>,
}

/// Reads `path` (absent is fine) with `cli.overrides` applied, then its active profile
/// (`cli.profile`, else `profile`) over the root, as Codex does; with a warning for every key
/// skipped.
pub(super) fn read(path: &Path, cli: &CliSettings) -> Result<(ConfigToml, Vec<String>), ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { path: path.to_path_buf(), source }),
    };
    // The file alone first: its errors point at its own lines.
    let (file, skipped) = read_file(path, &text)?;
    let source = path.display().to_string();
    let mut warnings: Vec<String> = skipped.iter().map(|key| keys::warning(&source, key)).collect();
    let file = if cli.profile.is_none() && file.profile.is_none() && cli.overrides.is_empty() {
        file
    } else {
        let mut table: toml::Table = text
            .parse()
            .map_err(|e| ConfigError::Syntax { path: path.to_path_buf(), message: syntax(&e) })?;
        // As Codex does: the overrides change the file first (`-c profile=…` and
        // `-c profiles.<name>.…` included), then the active profile goes over the root.
        for raw in &cli.overrides {
            let (key, value) = parse_override(raw)?;
            set_dotted(&mut table, &key, value);
        }
        let profile =
            cli.profile.clone().or_else(|| table.get("profile").and_then(|p| p.as_str()).map(str::to_owned));
        if let Some(name) = &profile {
            let Some(toml::Value::Table(chosen)) =
                table.get("profiles").and_then(|p| p.get(name.as_str())).cloned()
            else {
                return Err(ConfigError::UnknownProfile(name.clone()));
            };
            merge(&mut table, chosen);
        }
        let mut more = Vec::new();
        let merged = read_value(table, &mut more)?;
        // What the file skipped, at its place or in the profile, was said already.
        let said = |key: &String| {
            skipped.contains(key)
                || profile.as_ref().is_some_and(|name| skipped.contains(&format!("profiles.{name}.{key}")))
        };
        warnings.extend(more.iter().filter(|key| !said(key)).map(|key| keys::warning("-c overrides", key)));
        merged
    };
    Ok((file, warnings))
}

/// Reads the file's text, and the path of every key it skipped; a typed error points at the
/// file's line and column.
fn read_file(path: &Path, text: &str) -> Result<(ConfigToml, Vec<String>), ConfigError> {
    let syntax_error =
        |e: toml::de::Error| ConfigError::Syntax { path: path.to_path_buf(), message: syntax(&e) };
    let deserializer = toml::de::Deserializer::parse(text).map_err(syntax_error)?;
    let mut skipped = Vec::new();
    let file =
        serde_ignored::deserialize(deserializer, |key| skipped.push(dotted(&key))).map_err(syntax_error)?;
    Ok((file, skipped))
}

/// Reads a merged table (the file, its profile and the overrides); `skipped` gets the path of
/// every key skipped, in the order met.
fn read_value(table: toml::Table, skipped: &mut Vec<String>) -> Result<ConfigToml, ConfigError> {
    serde_ignored::deserialize(toml::Value::Table(table), |key| skipped.push(dotted(&key)))
        .map_err(|e| ConfigError::Invalid(e.to_string().trim_end().to_owned()))
}

/// A skipped key's path as the file spells it (`a.b.c`), without serde's marks for optional
/// values.
fn dotted(path: &serde_ignored::Path) -> String {
    path.to_string().split('.').filter(|part| *part != "?").collect::<Vec<_>>().join(".")
}

/// The parser's message, which shows the line and column of the user's file.
fn syntax(error: &toml::de::Error) -> String {
    error.to_string().trim_end().to_owned()
}

/// Puts `overlay`'s keys into `table`, tables merged key by key.
fn merge(table: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (table.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(more)) => merge(inner, more),
            (_, value) => {
                table.insert(key, value);
            }
        }
    }
}

/// Splits `key=value`; the value is read as TOML, else taken as a string.
pub(super) fn parse_override(raw: &str) -> Result<(String, toml::Value), ConfigError> {
    let (key, value) = raw.split_once('=').ok_or_else(|| ConfigError::Override(raw.to_owned()))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(ConfigError::Override(raw.to_owned()));
    }
    let value = value.trim();
    let parsed = format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_owned()));
    Ok((key.to_owned(), parsed))
}

/// Sets `a.b.c = value` inside `table`, creating the tables on the way.
fn set_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, parents)) = parts.split_last() else { return };
    let mut current = table;
    for part in parents {
        let entry = current.entry(part.to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(inner) = entry else { return };
        current = inner;
    }
    current.insert((*last).to_owned(), value);
}

impl McpServerToml {
    /// The server `name` as the engine runs it; a table that names neither a `command` nor a
    /// `url`, or both, becomes a server that fails to start with a message saying so.
    pub(super) fn resolve(self, name: &str) -> McpServerConfig {
        let transport = match (self.command, self.url) {
            (Some(command), None) => McpTransport::Stdio {
                command,
                args: self.args,
                env: self.env,
                env_vars: self.env_vars,
                cwd: self.cwd,
            },
            (None, Some(url)) => McpTransport::Http { url, bearer_token_env_var: self.bearer_token_env_var },
            (Some(_), Some(_)) => McpTransport::Invalid(format!(
                "[mcp_servers.{name}] sets both `command` and `url`; keep `command` for a server started on stdio or `url` for a streamable HTTP server"
            )),
            (None, None) => McpTransport::Invalid(format!(
                "[mcp_servers.{name}] sets neither `command` nor `url`; add `command = \"...\"` (stdio) or `url = \"https://...\"` (streamable HTTP)"
            )),
        };
        let startup_seconds =
            self.startup_timeout_sec.or(self.startup_timeout_ms.map(|ms| ms as f64 / 1000.0));
        McpServerConfig {
            transport,
            startup_timeout: mcp::config::timeout(startup_seconds, mcp::config::DEFAULT_STARTUP_TIMEOUT),
            tool_timeout: mcp::config::timeout(self.tool_timeout_sec, mcp::config::DEFAULT_TOOL_TIMEOUT),
            enabled: self.enabled.unwrap_or(true),
            enabled_tools: self.enabled_tools,
            disabled_tools: self.disabled_tools.unwrap_or_default(),
        }
    }
}
