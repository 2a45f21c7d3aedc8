//! `review/start`: a code review as a turn of a loaded thread (see [`crate::engine::review`]),
//! answered as the reference answers it: the turn, in progress, with the request as the user's
//! message; its events follow through the thread's forwarder. Bad requests get the reference's
//! errors (-32600): an unknown thread, a blank branch, commit or instructions.

use protocol::v2::{self, JsonRpcErrorError as RpcError};

use super::errors;
use crate::engine::review::{ReviewRequest, ReviewTarget};
use crate::engine::ThreadHandle;

/// Starts the review `params` asks for on `thread` (`None`: the thread is not loaded).
pub fn start(
    thread: Option<ThreadHandle>,
    params: v2::ReviewStartParams,
) -> Result<v2::TurnStartResponse, RpcError> {
    let v2::ReviewStartParams { thread_id, target, append_to_original_thread } = params;
    let thread = thread.ok_or_else(|| unknown_thread(&thread_id))?;
    let request = ReviewRequest::new(target_of(target), append_to_original_thread)
        .map_err(|e| RpcError::invalid_request(e.to_string()))?;
    let text = request.display();
    let turn_id = thread.review(request).map_err(errors::from_submit)?;
    // The user's message of a review turn has the turn's id, as in the reference.
    let message =
        v2::ThreadItem::UserMessage { id: turn_id.clone(), content: vec![v2::UserInput::Text { text }] };
    Ok(v2::TurnStartResponse {
        turn: v2::Turn { id: turn_id, items: vec![message], status: v2::TurnStatus::InProgress },
    })
}

/// The reference's error for a thread that is not loaded: an id that is not a UUID says why,
/// any other is not found.
fn unknown_thread(thread_id: &str) -> RpcError {
    match uuid::Uuid::parse_str(thread_id) {
        Err(e) => RpcError::invalid_request(format!("invalid thread id: {e}")),
        Ok(_) => RpcError::invalid_request(format!("conversation not found: {thread_id}")),
    }
}

fn target_of(target: v2::ReviewTarget) -> ReviewTarget {
    match target {
        v2::ReviewTarget::UncommittedChanges => ReviewTarget::UncommittedChanges,
        v2::ReviewTarget::BaseBranch { branch } => ReviewTarget::BaseBranch { branch },
        v2::ReviewTarget::Commit { sha, title } => ReviewTarget::Commit { sha, title },
        v2::ReviewTarget::Custom { instructions } => ReviewTarget::Custom { instructions },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_thread_is_named_as_the_reference_names_it() {
        let params = |thread_id: &str| v2::ReviewStartParams {
            thread_id: thread_id.into(),
            target: v2::ReviewTarget::UncommittedChanges,
            append_to_original_thread: false,
        };
        let not_uuid = start(None, params("nope")).unwrap_err();
        assert_eq!(not_uuid.code, RpcError::INVALID_REQUEST);
        assert!(not_uuid.message.starts_with("invalid thread id: invalid character"), "{}", not_uuid.message);
        let id = "00000000-0000-0000-0000-000000000000";
        let missing = start(None, params(id)).unwrap_err();
        assert_eq!(
            (missing.code, missing.message),
            (RpcError::INVALID_REQUEST, format!("conversation not found: {id}"))
        );
    }
}
