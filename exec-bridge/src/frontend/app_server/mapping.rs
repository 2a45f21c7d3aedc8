//! The runtime's items and turns in their app-server v2 shapes.

use protocol::v2;

use crate::engine::items::{CommandItem, CommandRisk, InputPart, Item, ItemKind, RiskLevel, Status};
use crate::engine::session::{RecordedTurn, TurnEnd};
use crate::engine::tools::apply_patch::{AppliedChange, ChangeKind};
use crate::engine::tools::shell;
use crate::engine::ThreadSnapshot;

/// The v2 form of an item; `None` for kinds v2 does not show (errors, which it reports as `error`
/// notifications).
pub fn item(item: &Item) -> Option<v2::ThreadItem> {
    let id = item.id.clone();
    Some(match &item.kind {
        ItemKind::UserMessage(message) => v2::ThreadItem::UserMessage {
            id,
            content: message
                .content
                .iter()
                .map(|part| match part {
                    InputPart::Text { text } => v2::UserInput::Text { text: text.clone() },
                    InputPart::Image { url } => v2::UserInput::Image { url: url.clone() },
                    InputPart::LocalImage { path } => {
                        v2::UserInput::LocalImage { path: path.display().to_string() }
                    }
                })
                .collect(),
        },
        ItemKind::AgentMessage { text } => v2::ThreadItem::AgentMessage { id, text: text.clone() },
        ItemKind::Reasoning { summary, content } => {
            v2::ThreadItem::Reasoning { id, summary: summary.clone(), content: content.clone() }
        }
        ItemKind::Command(command) => command_item(id, command),
        ItemKind::FileChange { changes, status } => v2::ThreadItem::FileChange {
            id,
            changes: changes.iter().map(file_change).collect(),
            status: match status {
                Status::InProgress => v2::PatchApplyStatus::InProgress,
                Status::Completed => v2::PatchApplyStatus::Completed,
                Status::Failed => v2::PatchApplyStatus::Failed,
                Status::Declined => v2::PatchApplyStatus::Declined,
            },
        },
        ItemKind::TodoList { items } => v2::ThreadItem::TodoList {
            id,
            items: items
                .iter()
                .enumerate()
                .map(|(i, (text, completed))| v2::TodoItem {
                    id: i.to_string(),
                    text: text.clone(),
                    completed: *completed,
                })
                .collect(),
        },
        ItemKind::WebSearch { query } => v2::ThreadItem::WebSearch { id, query: query.clone() },
        ItemKind::ImageView { path } => v2::ThreadItem::ImageView { id, path: path.display().to_string() },
        ItemKind::McpToolCall(call) => v2::ThreadItem::McpToolCall {
            id,
            server: call.server.clone(),
            tool: call.tool.clone(),
            status: match call.status {
                Status::InProgress => v2::McpToolCallStatus::InProgress,
                Status::Completed => v2::McpToolCallStatus::Completed,
                Status::Failed | Status::Declined => v2::McpToolCallStatus::Failed,
            },
            arguments: call.arguments.clone(),
            result: call.result.as_ref().map(|result| v2::McpToolCallResult {
                content: result.content.clone(),
                structured_content: result.structured_content.clone(),
            }),
            error: call.error.as_ref().map(|message| v2::McpToolCallError { message: message.clone() }),
        },
        ItemKind::CodeReview(review) => v2::ThreadItem::CodeReview { id, review: review.text() },
        ItemKind::Error { .. } => return None,
    })
}

fn command_item(id: String, command: &CommandItem) -> v2::ThreadItem {
    // Output exists once the command ran and printed something (the reference's `null` for a
    // silent command): not while it waits, nor when it was declined.
    let ran =
        matches!(command.status, Status::Completed | Status::Failed) && !command.aggregated_output.is_empty();
    v2::ThreadItem::CommandExecution {
        id,
        command: shell::display(&command.argv),
        cwd: command.cwd.display().to_string(),
        status: match command.status {
            Status::InProgress => v2::CommandExecutionStatus::InProgress,
            Status::Completed => v2::CommandExecutionStatus::Completed,
            Status::Failed => v2::CommandExecutionStatus::Failed,
            Status::Declined => v2::CommandExecutionStatus::Declined,
        },
        command_actions: command_actions(&command.argv),
        aggregated_output: ran.then(|| command.aggregated_output.clone()),
        exit_code: command.exit_code,
        duration_ms: command.duration.map(|d| d.as_millis() as i64),
    }
}

fn file_change(change: &AppliedChange) -> v2::FileUpdateChange {
    v2::FileUpdateChange {
        path: change.path.display().to_string(),
        kind: match change.kind {
            ChangeKind::Add => v2::PatchChangeKind::Add,
            ChangeKind::Delete => v2::PatchChangeKind::Delete,
            ChangeKind::Update => v2::PatchChangeKind::Update {
                move_path: change.moved_from.as_ref().map(|_| change.path.display().to_string()),
            },
        },
        diff: change.diff.clone(),
    }
}

/// The v2 shape of the model's assessment of a command.
pub fn risk(risk: CommandRisk) -> v2::SandboxCommandAssessment {
    v2::SandboxCommandAssessment {
        description: risk.description,
        risk_level: match risk.risk_level {
            RiskLevel::Low => v2::CommandRiskLevel::Low,
            RiskLevel::Medium => v2::CommandRiskLevel::Medium,
            RiskLevel::High => v2::CommandRiskLevel::High,
        },
    }
}

/// What each part of a command does, as far as its words tell: `cat`/`head`/`tail` read, `ls`
/// lists, `grep`/`rg` search; anything else is `unknown`. `bash -lc SCRIPT` is read as SCRIPT.
/// As Codex reads them: a script that is more than words and separators (a redirection, an
/// expansion, …) is one `unknown` action, and an `echo` beside other parts is left out.
pub fn command_actions(argv: &[String]) -> Vec<v2::CommandAction> {
    use crate::engine::tools::script;
    let script = match argv {
        [shell, flag, script]
            if crate::engine::policy::is_shell(shell) && matches!(flag.as_str(), "-c" | "-lc") =>
        {
            script.clone()
        }
        _ => shell::display(argv),
    };
    if !script::is_plain(&script) {
        return vec![v2::CommandAction::Unknown { command: script }];
    }
    let mut parts = script::parts(&script);
    if parts.len() > 1 {
        parts.retain(|part| !(part == &"echo" || part.starts_with("echo ")));
    }
    parts
        .into_iter()
        .map(|part| {
            let words = shlex::split(part).unwrap_or_default();
            let command = part.to_owned();
            let last_arg = words.iter().skip(1).rfind(|w| !w.starts_with('-')).cloned();
            match words.first().map(String::as_str) {
                Some("cat" | "head" | "tail" | "less" | "nl") if last_arg.is_some() => {
                    let path = last_arg.unwrap_or_default();
                    let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
                    v2::CommandAction::Read { command, name, path }
                }
                Some("ls" | "tree") => v2::CommandAction::ListFiles { command, path: last_arg },
                Some("grep" | "rg") => {
                    let args: Vec<&String> = words.iter().skip(1).filter(|w| !w.starts_with('-')).collect();
                    v2::CommandAction::Search {
                        command,
                        query: args.first().map(|q| q.to_string()),
                        path: args.get(1).map(|p| p.to_string()),
                    }
                }
                _ => v2::CommandAction::Unknown { command },
            }
        })
        .collect()
}

/// The v2 form of a thread's turns, with their items, as `thread/resume` shows them; the
/// running one is in progress. As Codex rebuilds them from the session file, the turns are
/// numbered `turn-1`, `turn-2`, … and their items `item-1`, `item-2`, … across the thread.
pub fn turns(thread: &ThreadSnapshot) -> Vec<v2::Turn> {
    let mut items = 0;
    thread
        .turns
        .iter()
        .enumerate()
        .map(|(index, recorded)| {
            let mut turn = turn(recorded, thread.running.as_deref() == Some(&recorded.id));
            turn.id = format!("turn-{}", index + 1);
            for item in &mut turn.items {
                items += 1;
                item.set_id(format!("item-{items}"));
            }
            turn
        })
        .collect()
}

/// The v2 form of a recorded turn, with its items.
fn turn(recorded: &RecordedTurn, running: bool) -> v2::Turn {
    v2::Turn {
        id: recorded.id.clone(),
        items: recorded.items.iter().filter_map(item).collect(),
        status: match &recorded.end {
            None if running => v2::TurnStatus::InProgress,
            Some(TurnEnd::Completed) => v2::TurnStatus::Completed,
            Some(TurnEnd::Interrupted) | None => v2::TurnStatus::Interrupted,
            Some(TurnEnd::Failed { message }) => v2::TurnStatus::Failed {
                error: v2::TurnError { message: message.clone(), codex_error_info: None },
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn command_actions_read_each_part() {
        let actions = command_actions(&argv(&[
            "bash",
            "-lc",
            "cat src/a.rs | grep -n foo src && ls -la docs; touch x",
        ]));
        assert_eq!(
            actions,
            [
                v2::CommandAction::Read {
                    command: "cat src/a.rs".into(),
                    name: "a.rs".into(),
                    path: "src/a.rs".into()
                },
                v2::CommandAction::Search {
                    command: "grep -n foo src".into(),
                    query: Some("foo".into()),
                    path: Some("src".into())
                },
                v2::CommandAction::ListFiles { command: "ls -la docs".into(), path: Some("docs".into()) },
                v2::CommandAction::Unknown { command: "touch x".into() },
            ]
        );
    }

    #[test]
    fn scripts_are_read_as_codex_reads_them() {
        // A redirection makes the script one action, whole; an echo among others is left out.
        let script = "echo err1 >&2 && cat x.txt";
        let whole = v2::CommandAction::Unknown { command: script.into() };
        assert_eq!(command_actions(&argv(&["bash", "-lc", script])), [whole]);
        let read = v2::CommandAction::Read {
            command: "cat x.txt".into(),
            name: "x.txt".into(),
            path: "x.txt".into(),
        };
        assert_eq!(command_actions(&argv(&["bash", "-lc", "echo 'a; b' && cat x.txt"])), [read]);
        let alone = v2::CommandAction::Unknown { command: "echo hi".into() };
        assert_eq!(command_actions(&argv(&["bash", "-lc", "echo hi"])), [alone]);
    }
}
