//! The output without `--experimental-json`: a readable transcript, coloured on a terminal.

use std::io::Write;

use crate::engine::config::Config;
use crate::engine::items::{ApprovalKind, ApprovalRequest, InputPart, Item, ItemKind, RiskLevel, Status};
use crate::engine::tools::apply_patch::ChangeKind;
use crate::engine::tools::shell;
use crate::engine::{Event, ThreadSnapshot, TurnError, TurnOutcome};

/// Writes the transcript.
pub struct HumanOutput<W: Write> {
    out: W,
    color: bool,
}

/// ANSI styles.
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

impl<W: Write> HumanOutput<W> {
    /// Writes to `out`, with colours when `color`.
    pub fn new(out: W, color: bool) -> Self {
        HumanOutput { out, color }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}").and_then(|()| self.out.flush());
    }

    /// The model's assessment of a command that needs approval, when it gave one
    /// (`experimental_sandbox_command_assessment`).
    fn approval(&mut self, request: &ApprovalRequest) {
        if let ApprovalKind::Command { risk: Some(risk), .. } = &request.kind {
            let style = match risk.risk_level {
                RiskLevel::Low => GREEN,
                RiskLevel::Medium => YELLOW,
                RiskLevel::High => RED,
            };
            let level = self.paint(style, &format!("risk {}", risk.risk_level.as_str()));
            self.line(&format!("{level}: {}", risk.description));
        }
    }

    fn started(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::UserMessage(message) => {
                self.line(&self.paint(CYAN, "user"));
                self.line(&message.texts().collect::<Vec<_>>().join("\n"));
                for part in &message.content {
                    if let InputPart::LocalImage { path } = part {
                        self.line(&self.paint(DIM, &format!("[image: {}]", path.display())));
                    }
                }
            }
            ItemKind::Command(command) => self.line(&format!(
                "{}\n{} in {}",
                self.paint(MAGENTA, "exec"),
                self.paint(BOLD, &shell::display(&command.argv)),
                command.cwd.display()
            )),
            ItemKind::TodoList { .. } => self.plan(item),
            _ => {}
        }
    }

    fn plan(&mut self, item: &Item) {
        if let ItemKind::TodoList { items } = &item.kind {
            self.line(&self.paint(CYAN, "plan"));
            for (text, done) in items {
                self.line(&format!("  {} {text}", if *done { "[x]" } else { "[ ]" }));
            }
        }
    }

    fn completed(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::AgentMessage { text } => {
                self.line(&self.paint(MAGENTA, "agent"));
                self.line(text);
            }
            ItemKind::Reasoning { summary, .. } if !summary.is_empty() => {
                self.line(&self.paint(MAGENTA, "thinking"));
                self.line(&self.paint(DIM, &summary.join("\n\n")));
            }
            ItemKind::Command(command) => {
                let took = command.duration.map(|d| format!(" in {} ms", d.as_millis())).unwrap_or_default();
                let verdict = match (command.status, command.exit_code) {
                    (Status::Declined, _) => self.paint(YELLOW, " declined: it needs approval"),
                    (Status::Completed, _) => self.paint(GREEN, &format!(" succeeded{took}:")),
                    (_, Some(code)) => self.paint(RED, &format!(" exited {code}{took}:")),
                    (_, None) => self.paint(RED, " failed:"),
                };
                self.line(&verdict);
                for line in command.aggregated_output.lines().take(20) {
                    self.line(&self.paint(DIM, &format!("  {line}")));
                }
            }
            ItemKind::FileChange { changes, status } => {
                let verdict = match status {
                    Status::Completed => self.paint(GREEN, "file update"),
                    Status::Declined => self.paint(YELLOW, "file update declined: it needs approval"),
                    _ => self.paint(RED, "file update failed (nothing written)"),
                };
                self.line(&verdict);
                for change in changes {
                    let letter = match change.kind {
                        ChangeKind::Add => "A",
                        ChangeKind::Delete => "D",
                        ChangeKind::Update => "M",
                    };
                    self.line(&format!("  {letter} {}", change.path.display()));
                }
            }
            ItemKind::TodoList { .. } | ItemKind::Reasoning { .. } => {}
            ItemKind::WebSearch { query } => {
                self.line(&self.paint(DIM, &format!("searched the web: {query}")))
            }
            ItemKind::ImageView { path } => {
                self.line(&self.paint(DIM, &format!("viewed image {}", path.display())))
            }
            ItemKind::McpToolCall(call) => {
                let verdict = match (&call.status, &call.error) {
                    (Status::Completed, _) => {
                        self.paint(GREEN, &format!("{}.{} succeeded", call.server, call.tool))
                    }
                    (_, Some(error)) => {
                        self.paint(RED, &format!("{}.{} failed: {error}", call.server, call.tool))
                    }
                    _ => self.paint(RED, &format!("{}.{} failed", call.server, call.tool)),
                };
                self.line(&verdict);
            }
            ItemKind::Error { message } => self.line(&self.paint(RED, &format!("error: {message}"))),
            ItemKind::CodeReview(review) => {
                self.line(&self.paint(CYAN, "review"));
                self.line(&review.text());
            }
            ItemKind::UserMessage { .. } => {}
        }
    }
}

impl<W: Write> super::Output for HumanOutput<W> {
    fn begin(&mut self, thread: &ThreadSnapshot, config: &Config) {
        let policy = &thread.settings.policy;
        let settings = [
            ("workdir", thread.settings.cwd.display().to_string()),
            ("model", thread.model.clone()),
            ("provider", config.provider.id.clone()),
            ("approval", policy.approval.as_str().to_owned()),
            ("sandbox", policy.sandbox.as_str().to_owned()),
            ("session id", thread.id.clone()),
        ];
        self.line(&self.paint(BOLD, &format!("agentwire exec-bridge {}", env!("CARGO_PKG_VERSION"))));
        self.line("--------");
        for (name, value) in settings {
            self.line(&format!("{}: {value}", self.paint(BOLD, name)));
        }
        self.line("--------");
    }

    fn event(&mut self, event: &Event) {
        match event {
            Event::ItemStarted(item) => self.started(item),
            Event::ItemUpdated(item) => self.plan(item),
            Event::ItemCompleted(item) => self.completed(item),
            Event::Retrying { attempt, max_retries, reason, .. } => self.line(&self.paint(
                YELLOW,
                &format!("model request failed ({reason}); retrying {attempt}/{max_retries}"),
            )),
            Event::ApprovalRequested(request) => self.approval(request),
            Event::TurnStarted { .. }
            | Event::ModelDelta(_)
            | Event::CommandOutput { .. }
            | Event::McpProgress { .. }
            | Event::TokenCount(_)
            | Event::TurnDiff(_)
            | Event::PlanUpdated { .. }
            | Event::McpStartup { .. }
            | Event::TurnEnded { .. } => {}
        }
    }

    fn end(&mut self, result: &Result<TurnOutcome, TurnError>) {
        match result {
            Ok(outcome) => {
                self.line(&format!("{} {}", self.paint(DIM, "tokens used:"), outcome.usage.total()))
            }
            Err(error) => self.line(&self.paint(RED, &format!("error: {error}"))),
        }
    }
}
