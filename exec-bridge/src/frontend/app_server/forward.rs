//! A thread's events, forwarded to the client: notifications for the turn and its items, and
//! the approval requests asked of the client, whose answers go back to the thread.

use protocol::v2::{self, ServerNotification, ServerRequest};

use super::legacy::LegacyStream;
use super::mapping;
use super::outgoing::{Answer, Outgoing};
use crate::engine::items::ItemKind;
use crate::engine::model::{KnownItem, ResponseItem, StreamDelta};
use crate::engine::{
    ApprovalKind, ApprovalRequest, Decision, Event, Item, Op, ThreadEvents, ThreadHandle, TurnError,
};

/// Starts forwarding the events of a thread just started or resumed. Its first event, the MCP
/// servers' start (the engine reports it before anything else), is sent in place, awaited: the
/// reference announces it right after `thread/started`, before it answers any later request,
/// so a client may wait for it. The rest goes from a task of its own ([`forward`]).
pub async fn start(
    mut events: ThreadEvents,
    thread: ThreadHandle,
    out: Outgoing,
) -> tokio::task::JoinHandle<()> {
    let first = match events.next().await {
        Some(startup @ Event::McpStartup { .. }) => {
            if let Some(mut legacy) = legacy_stream(&thread, &out) {
                let split = legacy.of(&startup);
                send(&out, Some(&legacy), split.before).await;
                send(&out, Some(&legacy), split.after).await;
            }
            None
        }
        other => other,
    };
    tokio::spawn(forward(events, first, thread, out))
}

/// The legacy stream of `thread`, unless the client declined it all.
fn legacy_stream(thread: &ThreadHandle, out: &Outgoing) -> Option<LegacyStream> {
    out.wants_legacy().then(|| LegacyStream::new(thread.id(), thread.snapshot().settings.cwd.clone()))
}

/// Forwards `first`, then every event of `thread` until its task ends: each as its v2
/// notification with the legacy events around it (see [`LegacyStream`]; none are made for a
/// client that declined them all).
async fn forward(mut events: ThreadEvents, mut first: Option<Event>, thread: ThreadHandle, out: Outgoing) {
    let mut legacy = legacy_stream(&thread, &out);
    // A patch's `item/started` waits for the next event: the reference sends the approval
    // request's legacy event before it, or, when nothing is asked, the apply's start.
    let mut held: Option<Item> = None;
    while let Some(event) = match first.take() {
        Some(event) => Some(event),
        None => events.next().await,
    } {
        if let Some(item) = held.take() {
            let asked = matches!(&event, Event::ApprovalRequested(request) if request.item.id == item.id);
            let mut before = Vec::new();
            if let Some(legacy) = legacy.as_mut() {
                before = legacy.of(&Event::ItemStarted(item.clone())).before;
                before.extend(legacy.patch_begins(&item, &event));
                if asked {
                    before.append(&mut legacy.of(&event).before);
                }
            }
            send(&out, legacy.as_ref(), before).await;
            if let Some(notification) = notification(Event::ItemStarted(item)) {
                out.notify(notification).await;
            }
            if let Event::ApprovalRequested(request) = event {
                tokio::spawn(ask_client(request, thread.clone(), out.clone()));
                continue;
            }
        }
        if let Event::ItemStarted(item @ Item { kind: ItemKind::FileChange { .. }, .. }) = event {
            held = Some(item);
            continue;
        }
        let split = legacy.as_mut().map(|legacy| legacy.of(&event)).unwrap_or_default();
        send(&out, legacy.as_ref(), split.before).await;
        match event {
            // Asked on a task of its own: the client may take its time, and the thread's other
            // events (an interrupt's) must not wait for it.
            Event::ApprovalRequested(request) => {
                tokio::spawn(ask_client(request, thread.clone(), out.clone()));
            }
            Event::TurnEnded { turn_id, result } => turn_ended(&out, turn_id, result).await,
            Event::TokenCount(_) => out.notify(rate_limits_updated()).await,
            event => {
                if let Some(notification) = notification(event) {
                    out.notify(notification).await;
                }
            }
        }
        send(&out, legacy.as_ref(), split.after).await;
    }
    // The thread ended with a patch announced: it is announced still.
    if let Some(notification) = held.and_then(|item| notification(Event::ItemStarted(item))) {
        out.notify(notification).await;
    }
}

/// Sends legacy events, in order.
async fn send(out: &Outgoing, legacy: Option<&LegacyStream>, events: Vec<protocol::v1::EventMsg>) {
    let Some(legacy) = legacy else { return };
    for msg in events {
        out.notify_legacy(legacy.wrap(msg)).await;
    }
}

/// `account/rateLimits/updated` after a model response: the model server of an API key sends
/// no limits, so every limit is unknown (`null`), as the reference reports them then.
fn rate_limits_updated() -> ServerNotification {
    ServerNotification::AccountRateLimitsUpdated(v2::AccountRateLimitsUpdatedNotification {
        rate_limits: v2::RateLimitSnapshot { primary: None, secondary: None, credits: None },
    })
}

/// `turn/completed`, after an `error` notification when the turn failed.
async fn turn_ended(out: &Outgoing, turn_id: String, result: Result<crate::engine::TurnOutcome, TurnError>) {
    let status = match result {
        Ok(_) => v2::TurnStatus::Completed,
        Err(TurnError::Interrupted) => v2::TurnStatus::Interrupted,
        Err(error) => {
            let error = v2::TurnError { message: error.to_string(), codex_error_info: error_info(&error) };
            out.notify(ServerNotification::Error(v2::ErrorNotification { error: error.clone() })).await;
            v2::TurnStatus::Failed { error }
        }
    };
    let turn = v2::Turn { id: turn_id, items: vec![], status };
    out.notify(ServerNotification::TurnCompleted(v2::TurnCompletedNotification { turn })).await;
}

/// The v2 notification of an event, if v2 has one.
fn notification(event: Event) -> Option<ServerNotification> {
    match event {
        Event::TurnStarted { turn_id, items, .. } => {
            let items = items.iter().filter_map(mapping::item).collect();
            let turn = v2::Turn { id: turn_id, items, status: v2::TurnStatus::InProgress };
            Some(ServerNotification::TurnStarted(v2::TurnStartedNotification { turn }))
        }
        Event::ItemStarted(item) => mapping::item(&item)
            .map(|item| ServerNotification::ItemStarted(v2::ItemStartedNotification { item })),
        Event::ItemCompleted(item) => mapping::item(&item)
            .map(|item| ServerNotification::ItemCompleted(v2::ItemCompletedNotification { item })),
        Event::CommandOutput { item_id, chunk, .. } => Some(ServerNotification::CommandExecutionOutputDelta(
            v2::CommandExecutionOutputDeltaNotification {
                item_id,
                delta: String::from_utf8_lossy(&chunk).into_owned(),
            },
        )),
        Event::McpProgress { item_id, message } => {
            Some(ServerNotification::McpToolCallProgress(v2::McpToolCallProgressNotification {
                item_id,
                message,
            }))
        }
        Event::ModelDelta(delta) => delta_notification(delta),
        // As the reference: an `error` notification at each retry, the turn going on.
        Event::Retrying { attempt, max_retries, status, stream, .. } => {
            Some(ServerNotification::Error(v2::ErrorNotification {
                error: v2::TurnError {
                    message: crate::frontend::reconnecting(attempt, max_retries),
                    codex_error_info: Some(retry_info(stream, status)),
                },
            }))
        }
        Event::ItemUpdated(_) => None,
        Event::TokenCount(_) | Event::TurnDiff(_) | Event::PlanUpdated { .. } | Event::McpStartup { .. } => {
            None
        }
        Event::ApprovalRequested(_) | Event::TurnEnded { .. } => None,
    }
}

/// The notification for live model output: a message or reasoning item starts when the model
/// begins it, and its text streams as deltas.
fn delta_notification(delta: StreamDelta) -> Option<ServerNotification> {
    Some(match delta {
        StreamDelta::ItemAdded { item } => {
            let started = match item {
                ResponseItem::Known(KnownItem::Message { id, role, .. }) if role == "assistant" => {
                    v2::ThreadItem::AgentMessage { id: id.unwrap_or_default(), text: String::new() }
                }
                ResponseItem::Known(KnownItem::Reasoning { id, .. }) => {
                    v2::ThreadItem::Reasoning { id: id.unwrap_or_default(), summary: vec![], content: vec![] }
                }
                ResponseItem::Known(KnownItem::WebSearchCall { id, action, .. }) => {
                    v2::ThreadItem::WebSearch {
                        id: id.unwrap_or_default(),
                        query: action.and_then(|action| action.query).unwrap_or_default(),
                    }
                }
                _ => return None,
            };
            ServerNotification::ItemStarted(v2::ItemStartedNotification { item: started })
        }
        StreamDelta::OutputText { item_id, delta } => {
            ServerNotification::AgentMessageDelta(v2::AgentMessageDeltaNotification { item_id, delta })
        }
        StreamDelta::ReasoningSummaryPartAdded { item_id, summary_index } => {
            ServerNotification::ReasoningSummaryPartAdded(v2::ReasoningSummaryPartAddedNotification {
                item_id,
                summary_index,
            })
        }
        StreamDelta::ReasoningSummaryText { item_id, summary_index, delta } => {
            ServerNotification::ReasoningSummaryTextDelta(v2::ReasoningSummaryTextDeltaNotification {
                item_id,
                delta,
                summary_index,
            })
        }
        StreamDelta::ReasoningText { item_id, content_index, delta } => {
            ServerNotification::ReasoningTextDelta(v2::ReasoningTextDeltaNotification {
                item_id,
                delta,
                content_index,
            })
        }
    })
}

/// The class of a retried failure: a broken stream, or a request that failed.
pub(super) fn retry_info(stream: bool, status: Option<u16>) -> v2::CodexErrorInfo {
    if stream {
        v2::CodexErrorInfo::ResponseStreamDisconnected { http_status_code: status }
    } else {
        v2::CodexErrorInfo::ResponseStreamConnectionFailed { http_status_code: status }
    }
}

/// The v2 error class of a failed turn.
pub(super) fn error_info(error: &TurnError) -> Option<v2::CodexErrorInfo> {
    use crate::engine::model::ModelError;
    match error {
        // As the reference classes them: a stream that kept breaking is `other`.
        TurnError::Model(ModelError::RetriesSpent { stream: true, .. }) => Some(v2::CodexErrorInfo::Other),
        TurnError::Model(ModelError::RetriesSpent { status, .. }) => {
            Some(v2::CodexErrorInfo::ResponseTooManyFailedAttempts { http_status_code: *status })
        }
        TurnError::Model(ModelError::Rejected { status: 401 | 403, .. }) => {
            Some(v2::CodexErrorInfo::Unauthorized)
        }
        TurnError::Model(ModelError::Rejected { status: 400, .. }) => Some(v2::CodexErrorInfo::BadRequest),
        TurnError::Model(_) => Some(v2::CodexErrorInfo::Other),
        _ => None,
    }
}

/// Asks the client about `request` and gives the thread its answer.
async fn ask_client(request: ApprovalRequest, thread: ThreadHandle, out: Outgoing) {
    let ApprovalRequest { id, turn_id, item, kind } = request;
    let thread_id = thread.id().to_owned();
    let decision = match kind {
        ApprovalKind::Command { reason, risk } => {
            let params = v2::CommandExecutionRequestApprovalParams {
                thread_id,
                turn_id,
                item_id: item.id,
                reason,
                risk: risk.map(mapping::risk),
            };
            decision(out.request(|id| ServerRequest::CommandExecutionRequestApproval { id, params }).await)
        }
        ApprovalKind::Patch { reason, grant_root } => {
            let params = v2::FileChangeRequestApprovalParams {
                thread_id,
                turn_id,
                item_id: item.id,
                reason,
                grant_root: grant_root.map(|root| root.display().to_string()),
            };
            match decision(out.request(|id| ServerRequest::FileChangeRequestApproval { id, params }).await) {
                // "For the session" means nothing more for a patch than accepting it.
                Decision::AcceptForSession => Decision::Accept,
                other => other,
            }
        }
    };
    // The thread may have ended meanwhile; then nobody waits for the answer.
    let _ = thread.submit(Op::Approve { id, decision });
}

/// Reads the client's answer; anything but a clear one declines, and a closed connection
/// cancels.
fn decision(answer: Option<Answer>) -> Decision {
    let result = match answer {
        None => return Decision::Cancel,
        Some(Err(_)) => return Decision::Decline,
        Some(Ok(result)) => result,
    };
    // Both approval answers have the same shape; the command's is the fuller one.
    match serde_json::from_value::<v2::CommandExecutionRequestApprovalResponse>(result) {
        Ok(v2::CommandExecutionRequestApprovalResponse {
            decision: v2::ApprovalDecision::Accept,
            accept_settings,
        }) => {
            if accept_settings.is_some_and(|s| s.for_session) {
                Decision::AcceptForSession
            } else {
                Decision::Accept
            }
        }
        Ok(v2::CommandExecutionRequestApprovalResponse {
            decision: v2::ApprovalDecision::Cancel, ..
        }) => Decision::Cancel,
        Ok(v2::CommandExecutionRequestApprovalResponse {
            decision: v2::ApprovalDecision::Decline, ..
        })
        | Err(_) => Decision::Decline,
    }
}
