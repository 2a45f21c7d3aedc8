//! The output without `--experimental-json`: a readable transcript, coloured on a terminal.

use std::io::Write;

use crate::items::{Item, ItemKind, Status, TurnEvent};
use crate::model::TokenUsage;
use crate::tools::apply_patch::ChangeKind;
use crate::tools::shell;

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

    /// The header: what is in force.
    pub fn header(&mut self, settings: &[(&str, String)]) {
        self.line(&self.paint(BOLD, &format!("agentwire exec-bridge {}", env!("CARGO_PKG_VERSION"))));
        self.line("--------");
        for (name, value) in settings {
            self.line(&format!("{}: {value}", self.paint(BOLD, name)));
        }
        self.line("--------");
    }

    /// Writes what a runtime event shows, if anything.
    pub fn turn_event(&mut self, event: TurnEvent) {
        match event {
            TurnEvent::ItemStarted(item) => self.started(&item),
            TurnEvent::ItemUpdated(item) => self.plan(&item),
            TurnEvent::ItemCompleted(item) => self.completed(&item),
            TurnEvent::Retrying { attempt, max_retries, reason } => self.line(&self.paint(
                YELLOW,
                &format!("model request failed ({reason}); retrying {attempt}/{max_retries}"),
            )),
            TurnEvent::ModelDelta(_) | TurnEvent::CommandOutput { .. } => {}
        }
    }

    fn started(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::UserMessage { texts, images, .. } => {
                self.line(&self.paint(CYAN, "user"));
                self.line(&texts.join("\n"));
                for image in images {
                    self.line(&self.paint(DIM, &format!("[image: {}]", image.display())));
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
            ItemKind::Error { message } => self.line(&self.paint(RED, &format!("error: {message}"))),
            ItemKind::UserMessage { .. } => {}
        }
    }

    /// The end of a turn.
    pub fn finished(&mut self, usage: &TokenUsage) {
        self.line(&format!(
            "{} {}",
            self.paint(DIM, "tokens used:"),
            usage.input_tokens + usage.output_tokens
        ));
    }

    /// A failed turn.
    pub fn failed(&mut self, message: &str) {
        self.line(&self.paint(RED, &format!("error: {message}")));
    }
}
