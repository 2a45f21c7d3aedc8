//! The `--experimental-json` output: each runtime event as one line of the `exec` stream
//! ([`protocol::exec::ThreadEvent`]), with item ids `item_0`, `item_1`, … in order of first
//! appearance.

use std::collections::HashMap;
use std::io::Write;

use protocol::exec as wire;

use crate::engine::config::Config;
use crate::engine::items::{CommandItem, Item, ItemKind, Status};
use crate::engine::tools::apply_patch::{AppliedChange, ChangeKind};
use crate::engine::tools::shell;
use crate::engine::{Event, ThreadSnapshot, TurnError, TurnOutcome};

/// The events of the `exec` stream, made from the engine's: [`JsonlOutput`] writes them to
/// standard output; an embedder hands them over as they are.
#[derive(Debug, Default)]
pub struct JsonlStream {
    ids: HashMap<String, String>,
}

/// Writes the JSONL stream.
pub struct JsonlOutput<W: Write> {
    out: W,
    stream: JsonlStream,
}

impl<W: Write> super::Output for JsonlOutput<W> {
    fn begin(&mut self, thread: &ThreadSnapshot, _: &Config) {
        self.write(&JsonlStream::started(thread));
    }

    fn event(&mut self, event: &Event) {
        if let Some(event) = self.stream.event(event) {
            self.write(&event);
        }
    }

    fn end(&mut self, result: &Result<TurnOutcome, TurnError>) {
        for event in JsonlStream::end(result) {
            self.write(&event);
        }
    }
}

impl<W: Write> JsonlOutput<W> {
    /// Writes to `out` (stdout).
    pub fn new(out: W) -> Self {
        JsonlOutput { out, stream: JsonlStream::default() }
    }

    /// Writes one event as one line, flushed at once.
    pub fn write(&mut self, event: &wire::ThreadEvent) {
        match serde_json::to_string(event) {
            // A closed stdout (the reader went away) is not worth crashing over.
            Ok(line) => drop(writeln!(self.out, "{line}").and_then(|()| self.out.flush())),
            // Protocol types always serialize; should one not, say so rather than die.
            Err(e) => eprintln!("exec-bridge exec: an event could not be written: {e}"),
        }
    }
}

impl JsonlStream {
    /// The first event: `thread.started`.
    pub fn started(thread: &ThreadSnapshot) -> wire::ThreadEvent {
        wire::ThreadEvent::ThreadStarted(wire::ThreadStartedEvent { thread_id: thread.id.clone() })
    }

    /// The last events: `turn.completed`; or, as the reference ends a failed turn, an `error`
    /// event then `turn.failed`, both saying what failed (an interrupted turn has no `error`).
    pub fn end(result: &Result<TurnOutcome, TurnError>) -> Vec<wire::ThreadEvent> {
        match result {
            Ok(outcome) => vec![wire::ThreadEvent::TurnCompleted(wire::TurnCompletedEvent {
                usage: wire::Usage {
                    input_tokens: outcome.usage.input_tokens,
                    cached_input_tokens: outcome.usage.cached_input_tokens,
                    output_tokens: outcome.usage.output_tokens,
                },
            })],
            Err(error) => {
                let message = error.to_string();
                let failed = wire::ThreadEvent::TurnFailed(wire::TurnFailedEvent {
                    error: wire::ThreadError { message: message.clone() },
                });
                match error {
                    TurnError::Interrupted => vec![failed],
                    _ => vec![wire::ThreadEvent::Error(wire::ThreadErrorEvent { message }), failed],
                }
            }
        }
    }

    /// What an engine event becomes on the `exec` stream, if anything.
    pub fn event(&mut self, event: &Event) -> Option<wire::ThreadEvent> {
        let wrap = |item| wire::ItemStartedEvent { item };
        match event {
            Event::TurnStarted { .. } => Some(wire::ThreadEvent::TurnStarted(wire::TurnStartedEvent {})),
            // The reference announces no patch before it is applied; neither do we.
            Event::ItemStarted(Item { kind: ItemKind::FileChange { .. }, .. }) => None,
            Event::ItemStarted(item) => self.item(item).map(|i| wire::ThreadEvent::ItemStarted(wrap(i))),
            Event::ItemUpdated(item) => {
                self.item(item).map(|item| wire::ThreadEvent::ItemUpdated(wire::ItemUpdatedEvent { item }))
            }
            Event::ItemCompleted(item) => self
                .item(item)
                .map(|item| wire::ThreadEvent::ItemCompleted(wire::ItemCompletedEvent { item })),
            // As the reference does: a retry is reported as an `error` event, `Reconnecting... 1/5`.
            Event::Retrying { attempt, max_retries, .. } => {
                Some(wire::ThreadEvent::Error(wire::ThreadErrorEvent {
                    message: crate::frontend::reconnecting(*attempt, *max_retries),
                }))
            }
            Event::ModelDelta(_)
            | Event::CommandOutput { .. }
            | Event::McpProgress { .. }
            | Event::TokenCount(_)
            | Event::TurnDiff(_)
            | Event::PlanUpdated { .. }
            | Event::McpStartup { .. }
            | Event::ApprovalRequested(_)
            | Event::TurnEnded { .. } => None,
        }
    }

    /// The `exec` form of an item; `None` for kinds the stream does not show.
    fn item(&mut self, item: &Item) -> Option<wire::ThreadItem> {
        let details = match &item.kind {
            // The reference's `exec` stream has no review item (`exec` starts no review).
            ItemKind::UserMessage { .. } | ItemKind::ImageView { .. } | ItemKind::CodeReview(_) => {
                return None
            }
            ItemKind::AgentMessage { text } => {
                wire::ThreadItemDetails::AgentMessage(wire::AgentMessageItem { text: text.clone() })
            }
            // The reference shows reasoning only when it has text.
            ItemKind::Reasoning { summary, content } if summary.is_empty() && content.is_empty() => {
                return None
            }
            ItemKind::Reasoning { summary, content } => {
                let text = if summary.is_empty() { content.join("\n\n") } else { summary.join("\n\n") };
                wire::ThreadItemDetails::Reasoning(wire::ReasoningItem { text })
            }
            ItemKind::Command(command) => wire::ThreadItemDetails::CommandExecution(command_item(command)),
            ItemKind::FileChange { changes, status } => {
                wire::ThreadItemDetails::FileChange(file_change_item(changes, *status))
            }
            ItemKind::TodoList { items } => wire::ThreadItemDetails::TodoList(wire::TodoListItem {
                items: items
                    .iter()
                    .map(|(text, completed)| wire::TodoItem { text: text.clone(), completed: *completed })
                    .collect(),
            }),
            ItemKind::WebSearch { query } => {
                wire::ThreadItemDetails::WebSearch(wire::WebSearchItem { query: query.clone() })
            }
            ItemKind::McpToolCall(call) => wire::ThreadItemDetails::McpToolCall(wire::McpToolCallItem {
                server: call.server.clone(),
                tool: call.tool.clone(),
                arguments: call.arguments.clone(),
                result: call.result.as_ref().map(|result| wire::McpToolCallItemResult {
                    content: result.content.clone(),
                    structured_content: result.structured_content.clone(),
                }),
                error: call
                    .error
                    .as_ref()
                    .map(|message| wire::McpToolCallItemError { message: message.clone() }),
                status: match call.status {
                    Status::InProgress => wire::McpToolCallStatus::InProgress,
                    Status::Completed => wire::McpToolCallStatus::Completed,
                    Status::Failed | Status::Declined => wire::McpToolCallStatus::Failed,
                },
            }),
            ItemKind::Error { message } => {
                wire::ThreadItemDetails::Error(wire::ErrorItem { message: message.clone() })
            }
        };
        let next = self.ids.len();
        let id = self.ids.entry(item.id.clone()).or_insert_with(|| format!("item_{next}")).clone();
        Some(wire::ThreadItem { id, details })
    }
}

fn command_item(command: &CommandItem) -> wire::CommandExecutionItem {
    wire::CommandExecutionItem {
        command: shell::display(&command.argv),
        aggregated_output: command.aggregated_output.clone(),
        exit_code: command.exit_code,
        status: match command.status {
            Status::InProgress => wire::CommandExecutionStatus::InProgress,
            Status::Completed => wire::CommandExecutionStatus::Completed,
            Status::Failed => wire::CommandExecutionStatus::Failed,
            Status::Declined => wire::CommandExecutionStatus::Declined,
        },
    }
}

fn file_change_item(changes: &[AppliedChange], status: Status) -> wire::FileChangeItem {
    wire::FileChangeItem {
        changes: changes
            .iter()
            .map(|c| wire::FileUpdateChange {
                path: c.path.display().to_string(),
                kind: match c.kind {
                    ChangeKind::Add => wire::PatchChangeKind::Add,
                    ChangeKind::Delete => wire::PatchChangeKind::Delete,
                    ChangeKind::Update => wire::PatchChangeKind::Update,
                },
            })
            .collect(),
        status: match status {
            Status::Completed => wire::PatchApplyStatus::Completed,
            Status::Declined => wire::PatchApplyStatus::Declined,
            Status::Failed | Status::InProgress => wire::PatchApplyStatus::Failed,
        },
    }
}
