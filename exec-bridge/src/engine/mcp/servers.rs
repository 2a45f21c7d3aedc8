//! Every MCP server of a thread: started at once, each within its startup timeout, their tools
//! gathered under the names the model calls them by, and calls bounded by the tool timeout.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use serde_json::Value;

use super::config::{McpServerConfig, McpTransport};
use super::connect::{connect, Connection, Launchpad};
use super::{names, MAX_TOOLS};

/// What starting a thread's servers needs, owned (the start runs in a task of its own).
#[derive(Debug, Clone)]
pub struct Startup {
    /// The enabled servers.
    pub servers: Vec<ServerStart>,
    /// The thread's working directory.
    pub cwd: PathBuf,
    /// The process guard's binary (see [`crate::engine::tools::process::Launch::guard`]).
    pub guard: Option<PathBuf>,
}

/// One server to start.
#[derive(Debug, Clone)]
pub struct ServerStart {
    /// Its name (the table's).
    pub name: String,
    /// Its configuration.
    pub config: McpServerConfig,
    /// The whole environment of a stdio server.
    pub env: Vec<(String, String)>,
    /// The bearer token of an HTTP server.
    pub bearer_token: Option<String>,
}

/// One started server.
struct Server {
    connection: Connection,
    tool_timeout: Duration,
}

/// The started servers of a thread and the tools they offer.
#[derive(Default)]
pub struct McpServers {
    servers: BTreeMap<String, Server>,
    /// Qualified name → (server, the server's own tool name).
    tools: BTreeMap<String, (String, String)>,
    /// The function definitions of those tools, sorted by name.
    definitions: Vec<Value>,
}

/// How a call ended, when the server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    /// The content blocks.
    pub content: Vec<Value>,
    /// The structured content, if any.
    pub structured_content: Option<Value>,
    /// Whether the tool said it failed (`isError`).
    pub is_error: bool,
}

/// Why a call got no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// No started server has that name.
    #[error("unknown MCP server `{0}`")]
    UnknownServer(String),
    /// The server did not answer within `tool_timeout_sec`.
    #[error("tool call failed for `{server}/{tool}`: timed out awaiting tools/call after {}s; raise `tool_timeout_sec` under [mcp_servers.{server}] if the tool needs longer", timeout.as_secs_f64())]
    Timeout {
        /// The server.
        server: String,
        /// The tool.
        tool: String,
        /// The timeout in force.
        timeout: Duration,
    },
    /// The request failed (the server's error, a closed connection, …).
    #[error("tool call failed for `{server}/{tool}`: {message}")]
    Failed {
        /// The server.
        server: String,
        /// The tool.
        tool: String,
        /// What went wrong.
        message: String,
    },
}

/// A server that did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartFailure {
    /// The server, as configured.
    pub server: String,
    /// Why, in a few words.
    pub why: String,
    /// What the user is told: why, and what to check.
    pub message: String,
}

impl McpServers {
    /// Starts every server of `startup` at once, each within its own startup timeout; returns
    /// those that answered, and one failure per server that did not (said once by the caller).
    pub async fn start(startup: Startup) -> (McpServers, Vec<StartFailure>) {
        let Startup { servers, cwd, guard } = startup;
        let starts = servers.into_iter().map(|ServerStart { name, config, env, bearer_token }| {
            let (cwd, guard) = (cwd.clone(), guard.clone());
            async move {
                let pad = Launchpad { cwd: &cwd, env, guard: guard.as_deref(), bearer_token };
                let started = tokio::time::timeout(config.startup_timeout, async {
                    let connection = connect(&config.transport, pad).await?;
                    let tools = connection
                        .service
                        .list_all_tools()
                        .await
                        .map_err(|e| format!("listing its tools failed: {e}"))?;
                    Ok::<_, String>((connection, tools))
                })
                .await;
                let result = match started {
                    Ok(Ok(ok)) => Ok(ok),
                    Ok(Err(why)) => Err(StartFailure {
                        message: format!("MCP client for `{name}` failed to start: {why}; check [mcp_servers.{name}] in config.toml"),
                        server: name.clone(),
                        why,
                    }),
                    Err(_) => {
                        let why = format!("timed out after {} seconds", config.startup_timeout.as_secs_f64());
                        Err(StartFailure {
                            message: format!(
                                "MCP client for `{name}` {why}; add or raise `startup_timeout_sec` under [mcp_servers.{name}] in config.toml"
                            ),
                            server: name.clone(),
                            why,
                        })
                    }
                };
                (name, config, result)
            }
        });
        let mut started = McpServers::default();
        let mut failures = Vec::new();
        for (name, config, result) in futures_util::future::join_all(starts).await {
            match result {
                Ok((connection, tools)) => started.add(name, &config, connection, tools),
                Err(failure) => failures.push(failure),
            }
        }
        started.definitions.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        (started, failures)
    }

    fn add(
        &mut self,
        name: String,
        config: &McpServerConfig,
        connection: Connection,
        tools: Vec<rmcp::model::Tool>,
    ) {
        for tool in tools.into_iter().filter(|tool| config.offers(&tool.name)).take(MAX_TOOLS) {
            let qualified = names::qualified(&name, &tool.name);
            if self.tools.contains_key(&qualified) {
                continue;
            }
            let listed = serde_json::to_value(&tool).unwrap_or(Value::Null);
            self.definitions.push(names::definition(&qualified, &listed));
            self.tools.insert(qualified, (name.clone(), tool.name.to_string()));
        }
        self.servers.insert(name, Server { connection, tool_timeout: config.tool_timeout });
    }

    /// Whether any server runs.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The function definitions of every tool offered, sorted by name.
    pub fn definitions(&self) -> &[Value] {
        &self.definitions
    }

    /// The server and tool a function name stands for, if it is an MCP tool's.
    pub fn lookup(&self, function: &str) -> Option<(&str, &str)> {
        self.tools.get(function).map(|(server, tool)| (server.as_str(), tool.as_str()))
    }

    /// The names of the started servers.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.servers.keys().map(String::as_str)
    }

    /// The started server `name`'s client and tool timeout.
    pub(super) fn peer(&self, name: &str) -> Option<(&rmcp::Peer<rmcp::RoleClient>, Duration)> {
        self.servers.get(name).map(|server| (server.connection.service.peer(), server.tool_timeout))
    }

    /// Where the progress `server` reports during the next call goes (see
    /// [`super::connect::Client`]).
    pub fn watch_progress(&self, server: &str) -> Option<tokio::sync::mpsc::Receiver<String>> {
        self.servers.get(server).map(|server| server.connection.service.service().watch_progress())
    }

    /// Calls `tool` of `server` with `arguments`, within the server's `tool_timeout_sec`.
    pub async fn call(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<serde_json::Map<String, Value>>,
    ) -> Result<CallOutcome, CallError> {
        let (peer, timeout) = self.peer(server).ok_or_else(|| CallError::UnknownServer(server.to_owned()))?;
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        let failed =
            |message: String| CallError::Failed { server: server.to_owned(), tool: tool.to_owned(), message };
        let result = match tokio::time::timeout(timeout, peer.call_tool(params)).await {
            Err(_) => {
                return Err(CallError::Timeout { server: server.to_owned(), tool: tool.to_owned(), timeout })
            }
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Ok(Ok(result)) => result,
        };
        let result = names::bounded(serde_json::to_value(&result).map_err(|e| failed(e.to_string()))?);
        Ok(CallOutcome {
            content: match result.get("content") {
                Some(Value::Array(blocks)) => blocks.clone(),
                _ => Vec::new(),
            },
            structured_content: result.get("structuredContent").filter(|value| !value.is_null()).cloned(),
            is_error: result.get("isError").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

impl McpTransport {
    /// The variable holding an HTTP server's bearer token, if it has one.
    pub fn bearer_token_env_var(&self) -> Option<&str> {
        match self {
            McpTransport::Http { bearer_token_env_var, .. } => bearer_token_env_var.as_deref(),
            _ => None,
        }
    }
}
