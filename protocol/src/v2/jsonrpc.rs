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

/// One standard JSON-RPC error code, as listed in [`JsonRpcErrorError::CODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonRpcErrorCode {
    /// The name of its constant on [`JsonRpcErrorError`], for example `PARSE_ERROR`.
    pub name: &'static str,
    /// The code, for example -32700.
    pub code: i64,
    /// What the code means: the doc comment of its constant as rustdoc holds it (each line with
    /// its leading space and a final newline).
    pub description: &'static str,
}

/// Declares each standard error code once: its constant, its constructor, and its entry in
/// [`JsonRpcErrorError::CODES`] (from which code generation emits the TypeScript constants).
macro_rules! error_codes {
    (
        $(
            $(#[doc = $code_doc:literal])+
            const $CONST:ident = $code:literal;
            $(#[doc = $fn_doc:literal])+
            fn $constructor:ident;
        )*
    ) => {
        impl JsonRpcErrorError {
            $(
                $(#[doc = $code_doc])+
                pub const $CONST: i64 = $code;

                $(#[doc = $fn_doc])+
                pub fn $constructor(message: impl Into<String>) -> Self {
                    Self { code: Self::$CONST, message: message.into(), data: None }
                }
            )*

            /// Every standard code, in declaration order.
            pub const CODES: &'static [JsonRpcErrorCode] = &[
                $(
                    JsonRpcErrorCode {
                        name: stringify!($CONST),
                        code: $code,
                        description: concat!($($code_doc, "\n"),+),
                    },
                )*
            ];
        }
    };
}

error_codes! {
    /// The message is not valid JSON.
    const PARSE_ERROR = -32700;
    /// An error for a line that is not valid JSON (code -32700, no `data`). No id can be read
    /// from such a line, so the response carries `id: null`.
    fn parse_error;

    /// The JSON is not a valid request object.
    const INVALID_REQUEST = -32600;
    /// An error for JSON that is not a valid message (code -32600, no `data`): not an object, an
    /// `id` that is neither a string nor an integer, no `method` where one is needed, or a
    /// request that is not allowed yet (before `initialize`).
    fn invalid_request;

    /// The method does not exist.
    const METHOD_NOT_FOUND = -32601;
    /// An error for a request whose method the receiver does not implement (code -32601, no
    /// `data`); the message should name the method.
    fn method_not_found;

    /// The method exists, but its parameters are wrong.
    const INVALID_PARAMS = -32602;
    /// An error for a known method whose `params` are wrong (code -32602, no `data`): missing,
    /// of the wrong type, or naming something that does not exist; the message should name the
    /// offending field.
    fn invalid_params;

    /// The server failed while handling a valid request.
    const INTERNAL_ERROR = -32603;
    /// An error for a valid request the server failed to carry out (code -32603, no `data`): an
    /// I/O error, or a session that could not be created, read, written or resumed. Not for a
    /// mistake of the client, which has its own code.
    fn internal_error;
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
    fn each_constructor_gives_its_code_the_message_and_no_data() {
        type Constructor = fn(String) -> JsonRpcErrorError;
        let constructors: [(Constructor, i64); 5] = [
            (JsonRpcErrorError::parse_error, -32700),
            (JsonRpcErrorError::invalid_request, -32600),
            (JsonRpcErrorError::method_not_found, -32601),
            (JsonRpcErrorError::invalid_params, -32602),
            (JsonRpcErrorError::internal_error, -32603),
        ];
        for (constructor, code) in constructors {
            let error = constructor(format!("code {code}"));
            assert_eq!(error, JsonRpcErrorError { code, message: format!("code {code}"), data: None });
        }
        let error = JsonRpcErrorError::method_not_found("method not found: `thread/fork`");
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":-32601,"message":"method not found: `thread/fork`"}"#
        );
    }

    #[test]
    fn codes_lists_every_constant_once_with_its_doc() {
        let listed: Vec<(&str, i64)> = JsonRpcErrorError::CODES.iter().map(|c| (c.name, c.code)).collect();
        assert_eq!(
            listed,
            [
                ("PARSE_ERROR", JsonRpcErrorError::PARSE_ERROR),
                ("INVALID_REQUEST", JsonRpcErrorError::INVALID_REQUEST),
                ("METHOD_NOT_FOUND", JsonRpcErrorError::METHOD_NOT_FOUND),
                ("INVALID_PARAMS", JsonRpcErrorError::INVALID_PARAMS),
                ("INTERNAL_ERROR", JsonRpcErrorError::INTERNAL_ERROR),
            ]
        );
        assert_eq!(JsonRpcErrorError::CODES[0].description, " The message is not valid JSON.\n");
    }

    #[test]
    fn a_jsonrpc_version_member_is_accepted() {
        let message: JsonRpcMessage =
            serde_json::from_str(r#"{"jsonrpc":"2.0","id":7,"method":"model/list","params":{}}"#).unwrap();
        let JsonRpcMessage::Request(request) = message else { panic!("{message:?}") };
        assert_eq!((request.id, request.method.as_str()), (RequestId::Integer(7), "model/list"));
    }
}
