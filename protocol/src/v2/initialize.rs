//! The `initialize` handshake.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `initialize`, the first request of every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct InitializeParams {
    /// Who the client is.
    pub client_info: ClientInfo,
    /// What the client wants of the connection (the newer Codex's field; 0.63 has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub capabilities: Option<InitializeCapabilities>,
}

/// What a client asks of the connection at `initialize`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct InitializeCapabilities {
    /// Notification methods the client does not want sent, by exact name
    /// (`codex/event/token_count`); a name ending in `/*` declines every method under it
    /// (`codex/event/*`: the whole legacy stream, which v2-only clients need not pay for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub opt_out_notification_methods: Option<Vec<String>>,
}

impl InitializeCapabilities {
    /// Whether the client declined notifications of `method`.
    pub fn declines(&self, method: &str) -> bool {
        self.opt_out_notification_methods.iter().flatten().any(|name| match name.strip_suffix('*') {
            Some(prefix) if prefix.ends_with('/') => method.starts_with(prefix),
            _ => name == method,
        })
    }
}

/// Who the client is; it becomes part of the user agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ClientInfo {
    /// The client's name, for example `my-ide`.
    pub name: String,
    /// A human-readable name of the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
    /// The client's version.
    pub version: String,
}

/// Result of `initialize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct InitializeResponse {
    /// The user agent the server sends to the model provider.
    pub user_agent: String,
}
