//! One `[mcp_servers.<name>]` table, resolved: how to reach the server, how long to wait for
//! it, and which of its tools the model is offered.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How long a server may take to start and answer `initialize` and `tools/list`, unless
/// `startup_timeout_sec` says: 10 s, as in Codex.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one tool call may take, unless `tool_timeout_sec` says: 60 s, as in Codex.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest wait a configuration may ask for (a day); a longer one is cut to this.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// One MCP server as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct McpServerConfig {
    /// How the server is reached.
    pub transport: McpTransport,
    /// `startup_timeout_sec` (or `startup_timeout_ms`), default [`DEFAULT_STARTUP_TIMEOUT`].
    pub startup_timeout: Duration,
    /// `tool_timeout_sec`, default [`DEFAULT_TOOL_TIMEOUT`].
    pub tool_timeout: Duration,
    /// `enabled`, default `true`: a disabled server is not started.
    pub enabled: bool,
    /// `enabled_tools`: when given, only these tools are offered.
    pub enabled_tools: Option<Vec<String>>,
    /// `disabled_tools`: these tools are not offered (applied after `enabled_tools`).
    pub disabled_tools: Vec<String>,
}

/// How a server is reached.
#[derive(Debug, Clone, PartialEq)]
pub enum McpTransport {
    /// A command that speaks MCP on its standard input and output.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Variables set for it (`env`), besides the runtime's core ones.
        env: BTreeMap<String, String>,
        /// Names of the runtime's variables passed on as they are (`env_vars`).
        env_vars: Vec<String>,
        /// Where it runs (`cwd`), default the thread's working directory.
        cwd: Option<PathBuf>,
    },
    /// A streamable HTTP endpoint.
    Http {
        /// The endpoint's URL.
        url: String,
        /// The variable that holds the bearer token sent as `Authorization: Bearer …`.
        bearer_token_env_var: Option<String>,
    },
    /// A table that cannot be used; the text says why and what to do. The server is reported
    /// as failed to start, and the turn goes on.
    Invalid(String),
}

impl McpServerConfig {
    /// Whether the tool named `tool` (the server's own name) is offered to the model.
    pub fn offers(&self, tool: &str) -> bool {
        let enabled = self.enabled_tools.as_ref().is_none_or(|only| only.iter().any(|t| t == tool));
        enabled && !self.disabled_tools.iter().any(|t| t == tool)
    }
}

/// A timeout in seconds from the configuration: `None`, zero, negative or not a number is the
/// default; a huge one is cut to a day.
pub fn timeout(seconds: Option<f64>, default: Duration) -> Duration {
    match seconds {
        Some(s) if s.is_finite() && s > 0.0 => {
            Duration::try_from_secs_f64(s).unwrap_or(MAX_TIMEOUT).min(MAX_TIMEOUT)
        }
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_fall_back_to_the_default_and_are_capped() {
        let default = Duration::from_secs(10);
        assert_eq!(timeout(None, default), default);
        assert_eq!(timeout(Some(-1.0), default), default);
        assert_eq!(timeout(Some(f64::NAN), default), default);
        assert_eq!(timeout(Some(0.5), default), Duration::from_millis(500));
        assert_eq!(timeout(Some(1e30), default), MAX_TIMEOUT);
    }

    #[test]
    fn tool_filters_apply_enabled_then_disabled() {
        let mut config = McpServerConfig {
            transport: McpTransport::Invalid(String::new()),
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            tool_timeout: DEFAULT_TOOL_TIMEOUT,
            enabled: true,
            enabled_tools: None,
            disabled_tools: vec!["b".into()],
        };
        assert!(config.offers("a") && !config.offers("b"));
        config.enabled_tools = Some(vec!["b".into(), "c".into()]);
        assert!(!config.offers("a") && !config.offers("b") && config.offers("c"));
    }
}
