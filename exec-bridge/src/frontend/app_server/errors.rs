//! Which JSON-RPC error answers each failure: the request's fault (-32602) or the server's
//! (-32603).

use protocol::v2::JsonRpcErrorError as RpcError;

use crate::engine::config::ConfigError;
use crate::engine::session::RolloutError;
use crate::engine::{StartError, SubmitError};

/// A session that is not there is the request's fault; one that cannot be read or written is
/// the server's.
pub fn from_rollout(error: RolloutError) -> RpcError {
    match error {
        RolloutError::NotFound { .. }
        | RolloutError::NoSessions(_)
        | RolloutError::Corrupt { .. }
        | RolloutError::Refused { .. } => RpcError::invalid_params(error.to_string()),
        RolloutError::Io { .. } => RpcError::internal_error(error.to_string()),
    }
}

/// The configuration the request asked for is not valid (its overrides, or the files they
/// apply to).
pub fn from_config(error: ConfigError) -> RpcError {
    match error {
        ConfigError::Read { .. } => RpcError::internal_error(error.to_string()),
        _ => RpcError::invalid_params(error.to_string()),
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
    RpcError::invalid_params(error.to_string())
}
