//! The JSON-RPC errors the app-server answers with, by cause.

use protocol::v2::JsonRpcErrorError as RpcError;

use crate::engine::config::ConfigError;
use crate::engine::session::RolloutError;
use crate::engine::{StartError, SubmitError};

fn error(code: i64, message: impl Into<String>) -> RpcError {
    RpcError { code, message: message.into(), data: None }
}

/// -32602: the request's params are not acceptable.
pub fn invalid_params(message: impl Into<String>) -> RpcError {
    error(RpcError::INVALID_PARAMS, message)
}

/// -32600: the message is not a valid request.
pub fn invalid_request(message: impl Into<String>) -> RpcError {
    error(RpcError::INVALID_REQUEST, message)
}

/// -32601: no such method.
pub fn method_not_found(message: impl Into<String>) -> RpcError {
    error(RpcError::METHOD_NOT_FOUND, message)
}

/// -32700: the line is not JSON.
pub fn parse_error(message: impl Into<String>) -> RpcError {
    error(RpcError::PARSE_ERROR, message)
}

/// -32603: the server failed (I/O, session files).
pub fn internal_error(message: impl Into<String>) -> RpcError {
    error(RpcError::INTERNAL_ERROR, message)
}

/// A session that is not there is the request's fault; one that cannot be read or written is
/// the server's.
pub fn from_rollout(error: RolloutError) -> RpcError {
    match error {
        RolloutError::NotFound { .. } | RolloutError::NoSessions(_) | RolloutError::Corrupt { .. } => {
            invalid_params(error.to_string())
        }
        RolloutError::Io { .. } => internal_error(error.to_string()),
    }
}

/// The configuration the request asked for is not valid (its overrides, or the files they
/// apply to).
pub fn from_config(error: ConfigError) -> RpcError {
    match error {
        ConfigError::Read { .. } => internal_error(error.to_string()),
        _ => invalid_params(error.to_string()),
    }
}

/// A thread that could not be started or resumed.
pub fn from_start(error: StartError) -> RpcError {
    match error {
        StartError::Session(error) => from_rollout(error),
    }
}

/// A submission the thread refused.
pub fn from_submit(error: SubmitError) -> RpcError {
    invalid_params(error.to_string())
}
