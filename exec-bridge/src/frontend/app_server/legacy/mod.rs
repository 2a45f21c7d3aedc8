//! The legacy `codex/event/*` stream: a thread's events as the v1 events Codex 0.63 sends beside
//! its v2 notifications, in the reference's order. Each engine event gives the legacy events
//! sent before its v2 notification and those sent after it (an item's `item_started` comes
//! before `item/started`; the whole `agent_message` after `item/completed`).

mod values;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use base64::Engine as _;
use protocol::v1;

use super::forward;
use crate::engine::items::{InputPart, ItemKind, OutputStream, Status};
use crate::engine::model::{KnownItem, ResponseItem, StreamDelta};
use crate::engine::tools::apply_patch::summary;
use crate::engine::{ApprovalKind, Event, Item, TurnError};
use values::{command_end, file_changes, invocation, parsed_cmd, step_status, token_info, turn_item};

/// The legacy events of one engine event: those sent before its v2 notification, and after.
#[derive(Debug, Default, PartialEq)]
pub struct Split {
    /// Sent before the v2 notification.
    pub before: Vec<v1::EventMsg>,
    /// Sent after it.
    pub after: Vec<v1::EventMsg>,
}

/// One thread's legacy stream: what it must remember between events.
#[derive(Debug)]
pub struct LegacyStream {
    thread_id: String,
    /// The thread's working directory, which patch summaries are relative to.
    cwd: std::path::PathBuf,
    /// The running turn (`""` before the first).
    turn_id: String,
    /// The patch items an approval was asked for (their apply is not `auto_approved`).
    asked: HashSet<String>,
    /// When each running MCP call began, for its duration.
    mcp_began: HashMap<String, Instant>,
}

impl LegacyStream {
    /// The stream of thread `thread_id`, working in `cwd`.
    pub fn new(thread_id: &str, cwd: std::path::PathBuf) -> LegacyStream {
        LegacyStream {
            thread_id: thread_id.to_owned(),
            cwd,
            turn_id: String::new(),
            asked: HashSet::new(),
            mcp_began: HashMap::new(),
        }
    }

    /// `msg` as the params of its notification: events of the MCP servers' start belong to the
    /// thread (id `""`), the others to the running turn.
    pub fn wrap(&self, msg: v1::EventMsg) -> v1::LegacyEvent {
        let thread_level =
            matches!(msg, v1::EventMsg::McpStartupUpdate { .. } | v1::EventMsg::McpStartupComplete { .. });
        v1::LegacyEvent {
            id: if thread_level { String::new() } else { self.turn_id.clone() },
            msg,
            conversation_id: self.thread_id.clone(),
        }
    }

    /// The legacy events of `event`.
    pub fn of(&mut self, event: &Event) -> Split {
        use v1::EventMsg as E;
        let mut split = Split::default();
        match event {
            Event::TurnStarted { turn_id, context_window, .. } => {
                self.turn_id = turn_id.clone();
                // Nothing of an earlier turn is still under way.
                self.asked.clear();
                self.mcp_began.clear();
                split.after.push(E::TaskStarted { model_context_window: *context_window });
            }
            Event::ItemStarted(item) => split.before.extend(self.started(item)),
            Event::ItemUpdated(_) | Event::McpProgress { .. } => {}
            Event::ItemCompleted(item) => split = self.completed(item),
            Event::ModelDelta(delta) => split = self.delta(delta),
            Event::CommandOutput { item_id, chunk, stream } => split.before.push(E::ExecCommandOutputDelta {
                call_id: item_id.clone(),
                stream: match stream {
                    OutputStream::Stdout => v1::ExecOutputStream::Stdout,
                    OutputStream::Stderr => v1::ExecOutputStream::Stderr,
                },
                chunk: base64::engine::general_purpose::STANDARD.encode(chunk),
            }),
            Event::TokenCount(info) => split.before.push(E::TokenCount {
                info: info.as_ref().map(token_info),
                rate_limits: Some(v1::RateLimitSnapshot::default()),
            }),
            Event::TurnDiff(diff) => split.before.push(E::TurnDiff { unified_diff: diff.clone() }),
            Event::PlanUpdated { explanation, steps } => split.before.push(E::PlanUpdate {
                explanation: explanation.clone(),
                plan: steps
                    .iter()
                    .map(|(step, status)| v1::PlanItemArg {
                        step: step.clone(),
                        status: step_status(*status),
                    })
                    .collect(),
            }),
            Event::McpStartup { ready, failed } => {
                let update = |server: &String, status| E::McpStartupUpdate { server: server.clone(), status };
                let all = failed.iter().map(|(server, _)| server).chain(ready);
                split.before.extend(all.map(|server| update(server, v1::McpStartupStatus::Starting)));
                for (server, why) in failed {
                    split.before.push(update(server, v1::McpStartupStatus::Failed { error: why.clone() }));
                }
                split.before.extend(ready.iter().map(|server| update(server, v1::McpStartupStatus::Ready)));
                split.before.push(E::McpStartupComplete {
                    ready: ready.clone(),
                    failed: failed
                        .iter()
                        .map(|(server, why)| v1::McpStartupFailure {
                            server: server.clone(),
                            error: why.clone(),
                        })
                        .collect(),
                    cancelled: vec![],
                });
            }
            Event::Retrying { attempt, max_retries, status, stream, .. } => {
                split.before.push(E::StreamError {
                    message: crate::frontend::reconnecting(*attempt, *max_retries),
                    codex_error_info: Some(values::error_info(forward::retry_info(*stream, *status))),
                })
            }
            Event::ApprovalRequested(request) => {
                split.before.push(self.approval(&request.item, &request.kind))
            }
            Event::TurnEnded { result, .. } => split.before.push(match result {
                Ok(outcome) => E::TaskComplete { last_agent_message: outcome.final_message.clone() },
                Err(TurnError::Interrupted) => E::TurnAborted { reason: v1::TurnAbortReason::Interrupted },
                Err(error) => E::Error {
                    message: error.to_string(),
                    codex_error_info: forward::error_info(error).map(values::error_info),
                },
            }),
        }
        split
    }

    /// The legacy start of a patch item held back until the event after it, `next`, is known:
    /// the apply's start when it is applied without asking. Nothing when an approval is asked
    /// (its request stands for the start; see [`Self::of`]), when it is refused without asking,
    /// or when the patch could not be read (it changes nothing).
    pub fn patch_begins(&mut self, item: &Item, next: &Event) -> Vec<v1::EventMsg> {
        let ItemKind::FileChange { changes, .. } = &item.kind else { return vec![] };
        let asked = matches!(next, Event::ApprovalRequested(request) if request.item.id == item.id);
        let refused = matches!(next, Event::ItemCompleted(done)
            if done.id == item.id && matches!(done.kind, ItemKind::FileChange { status: Status::Declined, .. }));
        if asked || refused || changes.is_empty() {
            return vec![];
        }
        vec![v1::EventMsg::PatchApplyBegin {
            call_id: item.id.clone(),
            turn_id: self.turn_id.clone(),
            auto_approved: true,
            changes: file_changes(changes),
        }]
    }

    fn started(&mut self, item: &Item) -> Vec<v1::EventMsg> {
        use v1::EventMsg as E;
        match &item.kind {
            ItemKind::UserMessage { .. } => {
                turn_item(item).map(|item| self.item_event(item, true)).into_iter().collect()
            }
            ItemKind::Command(command) => vec![E::ExecCommandBegin(v1::ExecCommandBegin {
                call_id: item.id.clone(),
                turn_id: self.turn_id.clone(),
                command: command.argv.clone(),
                cwd: command.cwd.display().to_string(),
                parsed_cmd: parsed_cmd(&command.argv),
                source: values::source(command),
                interaction_input: None,
            })],
            ItemKind::CodeReview(review) => vec![E::EnteredReviewMode {
                prompt: review.prompt.clone(),
                user_facing_hint: review.hint.clone(),
                append_to_original_thread: review.append_to_original_thread,
            }],
            ItemKind::McpToolCall(call) => {
                self.mcp_began.insert(item.id.clone(), Instant::now());
                vec![E::McpToolCallBegin { call_id: item.id.clone(), invocation: invocation(call) }]
            }
            _ => vec![],
        }
    }

    fn completed(&mut self, item: &Item) -> Split {
        use v1::EventMsg as E;
        let mut split = Split::default();
        let id = item.id.clone();
        match &item.kind {
            ItemKind::UserMessage(message) => {
                split.before.extend(turn_item(item).map(|i| self.item_event(i, false)));
                let images = message.content.iter().filter_map(|part| match part {
                    InputPart::Image { url } => Some(url.clone()),
                    _ => None,
                });
                let text = message.texts().collect::<Vec<_>>().join("\n");
                split.after.push(E::UserMessage { message: text, images: Some(images.collect()) });
            }
            ItemKind::AgentMessage { text } => {
                split.before.extend(turn_item(item).map(|i| self.item_event(i, false)));
                split.after.push(E::AgentMessage { message: text.clone() });
            }
            ItemKind::Reasoning { summary, .. } => {
                split.before.extend(turn_item(item).map(|i| self.item_event(i, false)));
                split.after.extend(summary.iter().map(|text| E::AgentReasoning { text: text.clone() }));
            }
            // Started as it began streaming, with its v2 `item/started`.
            ItemKind::WebSearch { query } => {
                split.before.extend(turn_item(item).map(|i| self.item_event(i, false)));
                split.after.push(E::WebSearchEnd { call_id: id, query: query.clone() });
            }
            ItemKind::CodeReview(review) => split.before.push(E::ExitedReviewMode {
                review_output: review.output.as_ref().map(values::review_output),
            }),
            ItemKind::ImageView { path } => {
                split.after.push(E::ViewImageToolCall { call_id: id, path: path.display().to_string() })
            }
            ItemKind::Command(command) => {
                split.before.push(E::ExecCommandEnd(command_end(&self.turn_id, id, command)));
            }
            ItemKind::FileChange { changes: item_changes, status } => {
                let asked = self.asked.remove(&id);
                if !matches!(status, Status::Completed | Status::Failed) || item_changes.is_empty() {
                    // Not applied, or nothing to apply: no apply to report.
                    return split;
                }
                let changes = file_changes(item_changes);
                if asked {
                    split.before.push(E::PatchApplyBegin {
                        call_id: id.clone(),
                        turn_id: self.turn_id.clone(),
                        auto_approved: false,
                        changes: changes.clone(),
                    });
                }
                let success = *status == Status::Completed;
                let stdout = if success { summary(item_changes, &self.cwd) } else { String::new() };
                let stderr =
                    if success { String::new() } else { "the patch could not be applied".to_owned() };
                split.before.push(E::PatchApplyEnd {
                    call_id: id,
                    turn_id: self.turn_id.clone(),
                    stdout,
                    stderr,
                    success,
                    changes,
                });
            }
            ItemKind::McpToolCall(call) => {
                let began = self.mcp_began.remove(&id);
                let result = match (&call.result, &call.error) {
                    (Some(result), _) => v1::CallToolOutcome::Ok(v1::CallToolResult {
                        content: result.content.clone(),
                        structured_content: result.structured_content.clone(),
                        // A resource tool's result is this runtime's own, and says it is no
                        // error, as Codex's does; a server's says it only when it failed.
                        is_error: if call.status == Status::Failed {
                            Some(true)
                        } else {
                            crate::engine::mcp::RESOURCE_TOOLS.contains(&call.tool.as_str()).then_some(false)
                        },
                    }),
                    (None, error) => v1::CallToolOutcome::Err(error.clone().unwrap_or_default()),
                };
                split.before.push(E::McpToolCallEnd {
                    call_id: id,
                    invocation: invocation(call),
                    duration: began.map(|t| t.elapsed()).unwrap_or_default().into(),
                    result,
                });
            }
            _ => {}
        }
        split
    }

    fn delta(&mut self, delta: &StreamDelta) -> Split {
        use v1::EventMsg as E;
        let (thread_id, turn_id) = (self.thread_id.clone(), self.turn_id.clone());
        let mut split = Split::default();
        match delta {
            StreamDelta::ItemAdded { item: ResponseItem::Known(known) } => {
                let item = match known {
                    KnownItem::Message { id, role, .. } if role == "assistant" => {
                        v1::TurnItem::AgentMessage { id: id.clone().unwrap_or_default(), content: vec![] }
                    }
                    KnownItem::Reasoning { id, .. } => v1::TurnItem::Reasoning {
                        id: id.clone().unwrap_or_default(),
                        summary_text: vec![],
                        raw_content: vec![],
                    },
                    KnownItem::WebSearchCall { id, action, .. } => v1::TurnItem::WebSearch {
                        id: id.clone().unwrap_or_default(),
                        query: action.as_ref().and_then(|action| action.query.clone()).unwrap_or_default(),
                    },
                    _ => return split,
                };
                split.before.push(self.item_event(item, true));
            }
            StreamDelta::ItemAdded { .. } => {}
            StreamDelta::OutputText { item_id, delta } => {
                split.before.push(E::AgentMessageContentDelta {
                    thread_id,
                    turn_id,
                    item_id: item_id.clone(),
                    delta: delta.clone(),
                });
                split.after.push(E::AgentMessageDelta { delta: delta.clone() });
            }
            StreamDelta::ReasoningSummaryPartAdded { item_id, summary_index } => {
                split.before.push(E::AgentReasoningSectionBreak {
                    item_id: item_id.clone(),
                    summary_index: *summary_index,
                });
            }
            StreamDelta::ReasoningSummaryText { item_id, summary_index, delta } => {
                split.before.push(E::ReasoningContentDelta {
                    thread_id,
                    turn_id,
                    item_id: item_id.clone(),
                    delta: delta.clone(),
                    summary_index: *summary_index,
                });
                split.after.push(E::AgentReasoningDelta { delta: delta.clone() });
            }
            StreamDelta::ReasoningText { item_id, content_index, delta } => {
                split.before.push(E::ReasoningRawContentDelta {
                    thread_id,
                    turn_id,
                    item_id: item_id.clone(),
                    delta: delta.clone(),
                    content_index: *content_index,
                });
                split.after.push(E::AgentReasoningRawContentDelta { delta: delta.clone() });
            }
        }
        split
    }

    fn approval(&mut self, item: &Item, kind: &ApprovalKind) -> v1::EventMsg {
        match (kind, &item.kind) {
            (ApprovalKind::Command { reason, risk }, ItemKind::Command(command)) => {
                v1::EventMsg::ExecApprovalRequest {
                    call_id: item.id.clone(),
                    turn_id: self.turn_id.clone(),
                    command: command.argv.clone(),
                    cwd: command.cwd.display().to_string(),
                    parsed_cmd: parsed_cmd(&command.argv),
                    reason: reason.clone(),
                    risk: risk.clone().map(values::risk),
                }
            }
            (ApprovalKind::Patch { reason, grant_root }, kind) => {
                self.asked.insert(item.id.clone());
                let changes = match kind {
                    ItemKind::FileChange { changes, .. } => file_changes(changes),
                    _ => BTreeMap::new(),
                };
                v1::EventMsg::ApplyPatchApprovalRequest {
                    call_id: item.id.clone(),
                    turn_id: self.turn_id.clone(),
                    changes,
                    reason: reason.clone(),
                    grant_root: grant_root.as_ref().map(|root| root.display().to_string()),
                }
            }
            // A command approval always carries its command item.
            (ApprovalKind::Command { reason, .. }, _) => {
                v1::EventMsg::Error { message: reason.clone().unwrap_or_default(), codex_error_info: None }
            }
        }
    }

    fn item_event(&self, item: v1::TurnItem, started: bool) -> v1::EventMsg {
        let (thread_id, turn_id) = (self.thread_id.clone(), self.turn_id.clone());
        if started {
            v1::EventMsg::ItemStarted { thread_id, turn_id, item }
        } else {
            v1::EventMsg::ItemCompleted { thread_id, turn_id, item }
        }
    }
}
