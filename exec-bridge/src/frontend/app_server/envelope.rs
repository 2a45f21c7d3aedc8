//! Reading one line of the connection: a request, a notification, or the client's answer to a
//! server request. Like the reference, messages carry no `"jsonrpc"` member; one that has it is
//! read all the same.

use protocol::v2::{ClientRequest, JsonRpcErrorError as RpcError, RequestId};
use serde_json::{json, Value};

/// What one line says.
#[derive(Debug)]
pub enum Incoming {
    /// A request to answer.
    Request {
        /// Its id, for the answer.
        id: RequestId,
        /// The request read into its method's params (or why it could not be).
        request: Result<ClientRequest, RpcError>,
    },
    /// A client notification (`initialized`); it needs no answer.
    Notification,
    /// The client's answer to a server request.
    Answer {
        /// The server request's id.
        id: RequestId,
        /// Its `result`, or its `error`.
        answer: Result<Value, RpcError>,
    },
    /// Not a message; answered with this error (and the id, when one could be read).
    Invalid(Option<RequestId>, RpcError),
}

/// Reads one line.
pub fn read(line: &str) -> Incoming {
    let message: Value = match serde_json::from_str(line) {
        Ok(message) => message,
        Err(e) => {
            return Incoming::Invalid(
                None,
                RpcError::parse_error(format!("parse error: the line is not JSON ({e})")),
            )
        }
    };
    let Some(object) = message.as_object() else {
        return Incoming::Invalid(
            None,
            RpcError::invalid_request("invalid request: a message must be a JSON object"),
        );
    };
    let id = match object.get("id").map(|id| serde_json::from_value::<RequestId>(id.clone())) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return Incoming::Invalid(
                None,
                RpcError::invalid_request("invalid request: `id` must be a string or an integer"),
            )
        }
    };
    match (id, object.get("method")) {
        (Some(id), Some(Value::String(method))) => {
            let params = object.get("params").cloned().unwrap_or_else(|| json!({}));
            Incoming::Request { request: request(&id, method, params), id }
        }
        (None, Some(Value::String(_))) => Incoming::Notification,
        (Some(id), None) if object.contains_key("result") || object.contains_key("error") => {
            let answer = match object.get("error") {
                Some(error) => Err(serde_json::from_value(error.clone())
                    .unwrap_or_else(|_| RpcError::internal_error(error.to_string()))),
                None => Ok(object["result"].clone()),
            };
            Incoming::Answer { id, answer }
        }
        (id, _) => Incoming::Invalid(
            id,
            RpcError::invalid_request(
                "invalid request: expected a request (id, method), a notification (method) or a response (id, result|error)",
            ),
        ),
    }
}

/// A request of a known method with valid params.
fn request(id: &RequestId, method: &str, params: Value) -> Result<ClientRequest, RpcError> {
    if !ClientRequest::METHODS.contains(&method) {
        return Err(RpcError::method_not_found(format!("method not found: `{method}`")));
    }
    serde_json::from_value(json!({"id": id, "method": method, "params": params}))
        .map_err(|e| RpcError::invalid_params(format!("invalid params for {method}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_line() {
        assert!(matches!(read("{nope"), Incoming::Invalid(None, e) if e.code == RpcError::PARSE_ERROR));
        assert!(matches!(read("[1]"), Incoming::Invalid(None, e) if e.code == RpcError::INVALID_REQUEST));
        assert!(matches!(read(r#"{"method":"initialized"}"#), Incoming::Notification));
        assert!(matches!(
            read(r#"{"id":3,"method":"nope/nope"}"#),
            Incoming::Request { request: Err(e), .. } if e.code == RpcError::METHOD_NOT_FOUND
        ));
        assert!(matches!(
            read(r#"{"id":3,"method":"turn/start","params":{"input":[]}}"#),
            Incoming::Request { request: Err(e), .. } if e.code == RpcError::INVALID_PARAMS && e.message.contains("threadId")
        ));
        assert!(matches!(
            read(r#"{"id":0,"result":{"decision":"accept"}}"#),
            Incoming::Answer { answer: Ok(_), .. }
        ));
        assert!(matches!(
            read(r#"{"jsonrpc":"2.0","id":"a","method":"model/list","params":{}}"#),
            Incoming::Request { request: Ok(ClientRequest::ModelList { .. }), .. }
        ));
    }
}
