//! The resource tools Codex offers beside the servers' own: `list_mcp_resources`,
//! `list_mcp_resource_templates` and `read_mcp_resource`. Each answers with one text block of
//! JSON, shaped as Codex's.

use rmcp::model::{PaginatedRequestParams, ReadResourceRequestParams};
use serde_json::{json, Map, Value};

use super::names;
use super::servers::{CallError, CallOutcome, McpServers};

/// The names of the resource tools.
pub const RESOURCE_TOOLS: [&str; 3] =
    ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"];

/// The definitions of the resource tools, with Codex's descriptions.
pub fn definitions() -> Vec<Value> {
    let list = |name: &str, what: &str, description: &str| {
        json!({
            "type": "function",
            "name": name,
            "description": description,
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "cursor": {"type": "string", "description": format!("Opaque cursor returned by a previous {name} call for the same server.")},
                    "server": {"type": "string", "description": format!("Optional MCP server name. When omitted, lists {what} from every configured server.")}
                },
                "additionalProperties": false
            }
        })
    };
    vec![
        list("list_mcp_resources", "resources", "Lists resources provided by MCP servers. Resources allow servers to share data that provides context to language models, such as files, database schemas, or application-specific information. Prefer resources over web search when possible."),
        list("list_mcp_resource_templates", "resource templates", "Lists resource templates provided by MCP servers. Parameterized resource templates allow servers to share data that takes parameters and provides context to language models, such as files, database schemas, or application-specific information. Prefer resource templates over web search when possible."),
        json!({
            "type": "function",
            "name": "read_mcp_resource",
            "description": "Read a specific resource from an MCP server given the server name and resource URI.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "MCP server name exactly as configured. Must match the 'server' field returned by list_mcp_resources."},
                    "uri": {"type": "string", "description": "Resource URI to read. Must be one of the URIs returned by list_mcp_resources."}
                },
                "required": ["server", "uri"],
                "additionalProperties": false
            }
        }),
    ]
}

impl McpServers {
    /// Runs the resource tool `tool` with `arguments`; the server named in them (else
    /// `codex`, as Codex reports a call that spans every server) is the item's server.
    pub async fn resource_call(
        &self,
        tool: &str,
        arguments: &Map<String, Value>,
    ) -> Result<CallOutcome, CallError> {
        let server = arguments.get("server").and_then(Value::as_str);
        let cursor = arguments.get("cursor").and_then(Value::as_str).map(str::to_owned);
        let failed = |server: &str, message: String| CallError::Failed {
            server: server.to_owned(),
            tool: tool.to_owned(),
            message,
        };
        let answer = match (tool, server) {
            ("read_mcp_resource", Some(server)) => {
                let uri = arguments
                    .get("uri")
                    .and_then(Value::as_str)
                    .ok_or_else(|| failed(server, "the argument `uri` is missing".into()))?;
                let (peer, timeout) =
                    self.peer(server).ok_or_else(|| CallError::UnknownServer(server.to_owned()))?;
                let read = self
                    .bounded_wait(
                        server,
                        tool,
                        timeout,
                        peer.read_resource(ReadResourceRequestParams::new(uri)),
                    )
                    .await?;
                let contents = serde_json::to_value(&read).unwrap_or(Value::Null)["contents"].clone();
                json!({"server": server, "uri": uri, "contents": contents})
            }
            ("read_mcp_resource", None) => {
                return Err(failed("codex", "the argument `server` is missing".into()))
            }
            (_, Some(server)) => {
                let (key, mut page) = self.list_page(tool, server, cursor).await?;
                let mut answer = Map::new();
                answer.insert("server".into(), json!(server));
                answer.insert(key.into(), page.remove(key).unwrap_or(json!([])));
                if let Some(next) = page.remove("nextCursor").filter(|c| !c.is_null()) {
                    answer.insert("nextCursor".into(), next);
                }
                Value::Object(answer)
            }
            (_, None) => {
                let mut all = Vec::new();
                let mut key = "resources";
                for server in self.names() {
                    let (listed_key, mut page) = self.list_page(tool, server, None).await?;
                    key = listed_key;
                    if let Some(Value::Array(items)) = page.remove(listed_key) {
                        all.extend(items);
                    }
                }
                json!({ key: all })
            }
        };
        let bounded = names::bounded(json!({"content": [{"type": "text", "text": answer.to_string()}]}));
        Ok(CallOutcome {
            content: bounded["content"].as_array().cloned().unwrap_or_default(),
            structured_content: None,
            is_error: false,
        })
    }

    /// One page of resources (or templates) of `server`, each marked with the server's name;
    /// the key they are under.
    async fn list_page(
        &self,
        tool: &str,
        server: &str,
        cursor: Option<String>,
    ) -> Result<(&'static str, Map<String, Value>), CallError> {
        let (peer, timeout) = self.peer(server).ok_or_else(|| CallError::UnknownServer(server.to_owned()))?;
        let params = Some(PaginatedRequestParams::default().with_cursor(cursor));
        let (key, listed) = if tool == "list_mcp_resource_templates" {
            let listed =
                self.bounded_wait(server, tool, timeout, peer.list_resource_templates(params)).await?;
            ("resourceTemplates", serde_json::to_value(&listed))
        } else {
            let listed = self.bounded_wait(server, tool, timeout, peer.list_resources(params)).await?;
            ("resources", serde_json::to_value(&listed))
        };
        let mut page = match listed {
            Ok(Value::Object(page)) => page,
            _ => Map::new(),
        };
        if let Some(Value::Array(items)) = page.get_mut(key) {
            for item in items.iter_mut() {
                if let Value::Object(fields) = item {
                    fields.insert("server".into(), json!(server));
                }
            }
        }
        Ok((key, page))
    }

    async fn bounded_wait<T>(
        &self,
        server: &str,
        tool: &str,
        timeout: std::time::Duration,
        request: impl std::future::Future<Output = Result<T, rmcp::ServiceError>>,
    ) -> Result<T, CallError> {
        match tokio::time::timeout(timeout, request).await {
            Err(_) => Err(CallError::Timeout { server: server.to_owned(), tool: tool.to_owned(), timeout }),
            Ok(Err(e)) => Err(CallError::Failed {
                server: server.to_owned(),
                tool: tool.to_owned(),
                message: e.to_string(),
            }),
            Ok(Ok(answer)) => Ok(answer),
        }
    }
}
