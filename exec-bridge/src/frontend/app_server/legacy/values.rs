//! The values inside legacy events, from the engine's: token usage, plan steps, commands,
//! MCP calls and patches.

use std::collections::BTreeMap;

use protocol::{v1, v2};

use super::super::mapping;
use crate::engine::items::{
    CommandItem, CommandRisk, InputPart, ItemKind, RiskLevel, Status, StepStatus, TokenInfo,
};
use crate::engine::model::TokenUsage;
use crate::engine::review::output::ReviewOutput;
use crate::engine::tools::apply_patch::{AppliedChange, ChangeKind};
use crate::engine::Item;

pub(super) fn token_info(info: &TokenInfo) -> v1::TokenUsageInfo {
    v1::TokenUsageInfo {
        total_token_usage: token_usage(&info.total),
        last_token_usage: token_usage(&info.last),
        model_context_window: info.context_window,
    }
}

pub(super) fn token_usage(usage: &TokenUsage) -> v1::TokenUsage {
    v1::TokenUsage {
        input_tokens: usage.input_tokens,
        cached_input_tokens: usage.cached_input_tokens,
        output_tokens: usage.output_tokens,
        reasoning_output_tokens: usage.reasoning_output_tokens,
        total_tokens: usage.total(),
    }
}

pub(super) fn step_status(status: StepStatus) -> v1::StepStatus {
    match status {
        StepStatus::Pending => v1::StepStatus::Pending,
        StepStatus::InProgress => v1::StepStatus::InProgress,
        StepStatus::Completed => v1::StepStatus::Completed,
    }
}

/// What each part of a command does, in the legacy shape of v2's `commandActions`.
pub(super) fn parsed_cmd(argv: &[String]) -> Vec<v1::ParsedCommand> {
    mapping::command_actions(argv)
        .into_iter()
        .map(|action| match action {
            v2::CommandAction::Read { command, name, path } => {
                v1::ParsedCommand::Read { cmd: command, name, path }
            }
            v2::CommandAction::ListFiles { command, path } => {
                v1::ParsedCommand::ListFiles { cmd: command, path }
            }
            v2::CommandAction::Search { command, query, path } => {
                v1::ParsedCommand::Search { cmd: command, query, path }
            }
            v2::CommandAction::Unknown { command } => v1::ParsedCommand::Unknown { cmd: command },
        })
        .collect()
}

pub(super) fn invocation(call: &crate::engine::items::McpCallItem) -> v1::McpInvocation {
    v1::McpInvocation {
        server: call.server.clone(),
        tool: call.tool.clone(),
        arguments: Some(call.arguments.clone()),
    }
}

/// A patch's changes by path (a moved file under the path it moved from).
pub(super) fn file_changes(changes: &[AppliedChange]) -> BTreeMap<String, v1::FileChange> {
    changes
        .iter()
        .map(|change| {
            let path = change.moved_from.as_ref().unwrap_or(&change.path).display().to_string();
            let legacy = match change.kind {
                ChangeKind::Add => v1::FileChange::Add { content: change.diff.clone() },
                ChangeKind::Delete => v1::FileChange::Delete { content: change.diff.clone() },
                ChangeKind::Update => v1::FileChange::Update {
                    unified_diff: change.diff.clone(),
                    move_path: change.moved_from.as_ref().map(|_| change.path.display().to_string()),
                },
            };
            (path, legacy)
        })
        .collect()
}

/// Who ran a command: the user (`thread/shellCommand`) or the model.
pub(super) fn source(command: &CommandItem) -> v1::ExecCommandSource {
    if command.by_user {
        v1::ExecCommandSource::UserShell
    } else {
        v1::ExecCommandSource::Agent
    }
}

/// A command's end, from its completed item; a command that did not run (declined, or
/// refused without asking) ends with exit code -1 and says so on stderr, as in the reference.
pub(super) fn command_end(turn_id: &str, call_id: String, command: &CommandItem) -> v1::ExecCommandEnd {
    let ran = matches!(command.status, Status::Completed | Status::Failed);
    let refused = "exec command rejected by user".to_owned();
    v1::ExecCommandEnd {
        call_id,
        turn_id: turn_id.to_owned(),
        command: command.argv.clone(),
        cwd: command.cwd.display().to_string(),
        parsed_cmd: parsed_cmd(&command.argv),
        source: source(command),
        interaction_input: None,
        stdout: command.stdout.clone(),
        stderr: if ran { command.stderr.clone() } else { refused.clone() },
        aggregated_output: if ran { command.aggregated_output.clone() } else { refused.clone() },
        exit_code: if ran { command.exit_code.unwrap_or(-1) } else { -1 },
        duration: command.duration.unwrap_or_default().into(),
        formatted_output: if ran {
            crate::engine::tools::shell::shortened(&command.aggregated_output)
        } else {
            refused
        },
    }
}

/// The legacy form of the items that have one (messages, reasoning, web searches).
pub(super) fn turn_item(item: &Item) -> Option<v1::TurnItem> {
    let id = item.id.clone();
    Some(match &item.kind {
        ItemKind::UserMessage(message) => v1::TurnItem::UserMessage {
            id,
            content: message
                .content
                .iter()
                .map(|part| match part {
                    InputPart::Text { text } => v1::UserInput::Text { text: text.clone() },
                    InputPart::Image { url } => v1::UserInput::Image { image_url: url.clone() },
                    InputPart::LocalImage { path } => {
                        v1::UserInput::LocalImage { path: path.display().to_string() }
                    }
                })
                .collect(),
        },
        ItemKind::AgentMessage { text } => v1::TurnItem::AgentMessage {
            id,
            content: vec![v1::AgentMessageContent::Text { text: text.clone() }],
        },
        ItemKind::Reasoning { summary, content } => {
            v1::TurnItem::Reasoning { id, summary_text: summary.clone(), raw_content: content.clone() }
        }
        ItemKind::WebSearch { query } => v1::TurnItem::WebSearch { id, query: query.clone() },
        _ => return None,
    })
}

/// What a reviewer found, in the legacy shape (its scores widened as the reference widens them).
pub(super) fn review_output(output: &ReviewOutput) -> v1::ReviewOutputEvent {
    v1::ReviewOutputEvent {
        findings: output
            .findings
            .iter()
            .map(|finding| v1::ReviewFinding {
                title: finding.title.clone(),
                body: finding.body.clone(),
                confidence_score: f64::from(finding.confidence_score),
                priority: finding.priority,
                code_location: v1::ReviewCodeLocation {
                    absolute_file_path: finding.code_location.absolute_file_path.clone(),
                    line_range: v1::ReviewLineRange {
                        start: finding.code_location.line_range.start,
                        end: finding.code_location.line_range.end,
                    },
                },
            })
            .collect(),
        overall_correctness: output.overall_correctness.clone(),
        overall_explanation: output.overall_explanation.clone(),
        overall_confidence_score: f64::from(output.overall_confidence_score),
    }
}

/// A turn error's class, in the legacy (snake_case) form of v2's.
pub(super) fn error_info(info: v2::CodexErrorInfo) -> v1::CodexErrorInfo {
    use v1::CodexErrorInfo as L;
    use v2::CodexErrorInfo as V;
    match info {
        V::ContextWindowExceeded => L::ContextWindowExceeded,
        V::UsageLimitExceeded => L::UsageLimitExceeded,
        V::HttpConnectionFailed { http_status_code } => L::HttpConnectionFailed { http_status_code },
        V::ResponseStreamConnectionFailed { http_status_code } => {
            L::ResponseStreamConnectionFailed { http_status_code }
        }
        V::InternalServerError => L::InternalServerError,
        V::Unauthorized => L::Unauthorized,
        V::BadRequest => L::BadRequest,
        V::SandboxError => L::SandboxError,
        V::ResponseStreamDisconnected { http_status_code } => {
            L::ResponseStreamDisconnected { http_status_code }
        }
        V::ResponseTooManyFailedAttempts { http_status_code } => {
            L::ResponseTooManyFailedAttempts { http_status_code }
        }
        V::Other => L::Other,
    }
}

/// The model's assessment of a command, in the legacy shape.
pub(super) fn risk(risk: CommandRisk) -> v1::SandboxCommandAssessment {
    v1::SandboxCommandAssessment {
        description: risk.description,
        risk_level: match risk.risk_level {
            RiskLevel::Low => v1::SandboxRiskLevel::Low,
            RiskLevel::Medium => v1::SandboxRiskLevel::Medium,
            RiskLevel::High => v1::SandboxRiskLevel::High,
        },
    }
}
