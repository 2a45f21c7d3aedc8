//! The JSON-RPC 2.0 envelope, as the app-server frames it on stdio.
//!
//! One message per line. Like the reference peer, messages carry no `"jsonrpc": "2.0"` member;
//! one that does is read all the same (unknown members are ignored).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The id of a request: a string or an integer, echoed unchanged in its response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
#[ts(export_to = "v2/")]
pub enum RequestId {
    /// A string id.
    String(String),
    /// An integer id.
    Integer(i64),
}

/// Any message that can travel in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
#[serde(rename = "JSONRPCMessage")]
#[ts(export_to = "v2/")]
pub enum JsonRpcMessage {
    /// A request, which expects a response.
    Request(JsonRpcRequest),
    /// A notification, which expects none.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResponse),
    /// An error response.
    Error(JsonRpcError),
}

/// A request that expects a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename = "JSONRPCRequest")]
#[ts(export_to = "v2/")]
pub struct JsonRpcRequest {
    /// Echoed in the response.
    pub id: RequestId,
    /// The method, for example `thread/start`.
    pub method: String,
    /// The method's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub params: Option<serde_json::Value>,
}

/// A notification, which expects no response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename = "JSONRPCNotification")]
#[ts(export_to = "v2/")]
pub struct JsonRpcNotification {
    /// The method, for example `item/started`.
    pub method: String,
    /// The notification's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub params: Option<serde_json::Value>,
}

/// A successful response to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename = "JSONRPCResponse")]
#[ts(export_to = "v2/")]
pub struct JsonRpcResponse {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The method's result.
    #[ts(type = "unknown")]
    pub result: serde_json::Value,
}

/// A response that reports an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename = "JSONRPCError")]
#[ts(export_to = "v2/")]
pub struct JsonRpcError {
    /// What went wrong.
    pub error: JsonRpcErrorError,
    /// The id of the request this answers; `null` when it could not be read (a message that is
    /// not JSON, or has no usable id), as JSON-RPC 2.0 prescribes.
    pub id: Option<RequestId>,
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename = "JSONRPCErrorError")]
#[ts(export_to = "v2/")]
pub struct JsonRpcErrorError {
    /// One of the codes below, or a server-defined one.
    pub code: i64,
    /// What went wrong, for a human; it names the offending field where there is one.
    pub message: String,
    /// Further detail, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub data: Option<serde_json::Value>,
}

impl JsonRpcErrorError {
    /// The message is not valid JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The method exists, but its parameters are wrong.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The server failed while handling a valid request.
    pub const INTERNAL_ERROR: i64 = -32603;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn each_message_kind_is_told_apart() {
        let kinds = [
            r#"{"id":0,"method":"initialize","params":{"clientInfo":{"name":"probe","version":"0.0.1"}}}"#,
            r#"{"method":"initialized"}"#,
            r#"{"id":0,"result":{"userAgent":"agentwire/0.1.0"}}"#,
            r#"{"error":{"code":-32601,"message":"unknown method `thread/fork`"},"id":"x"}"#,
        ];
        let messages: Vec<JsonRpcMessage> = kinds.iter().map(|l| assert_wire_exact(l)).collect();
        assert!(matches!(messages[0], JsonRpcMessage::Request(_)));
        assert!(matches!(messages[1], JsonRpcMessage::Notification(_)));
        assert!(matches!(messages[2], JsonRpcMessage::Response(_)));
        assert!(
            matches!(&messages[3], JsonRpcMessage::Error(e) if e.error.code == JsonRpcErrorError::METHOD_NOT_FOUND)
        );
    }

    #[test]
    fn a_jsonrpc_version_member_is_accepted() {
        let message: JsonRpcMessage =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":7,"method":"model/list","params":{}}"#).unwrap();
        let JsonRpcMessage::Request(request) = message else { panic!("{message:?}") };
        assert_eq!((request.id, request.method.as_str()), (RequestId::Integer(7), "model/list"));
    }
}
