//! What a turn reports as it runs: items (a command, a patch, an answer, …) and their progress.
//! Each front end turns these into its own wire shapes (`exec` JSONL, app-server v2).

use std::path::PathBuf;
use std::time::Duration;

use crate::model::StreamDelta;
use crate::tools::apply_patch::AppliedChange;

/// One item of a turn, with the runtime's own id (unique within the session).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// Unique within the session: the model's call or item id where there is one.
    pub id: String,
    /// What the item is.
    pub kind: ItemKind,
}

/// The kinds of item (recorded in session files, tagged by `type`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// The user's input of this turn.
    UserMessage {
        /// The text parts.
        texts: Vec<String>,
        /// The local images attached.
        images: Vec<PathBuf>,
        /// The images attached by URL.
        #[serde(default)]
        image_urls: Vec<String>,
    },
    /// The agent's answer.
    AgentMessage {
        /// Its text.
        text: String,
    },
    /// The model's reasoning.
    Reasoning {
        /// The summary parts.
        summary: Vec<String>,
        /// The raw reasoning, where given.
        content: Vec<String>,
    },
    /// A command.
    Command(CommandItem),
    /// A patch.
    FileChange {
        /// The files it touches.
        changes: Vec<AppliedChange>,
        /// Where it is in its life.
        status: Status,
    },
    /// The plan.
    TodoList {
        /// The steps: text and whether done.
        items: Vec<(String, bool)>,
    },
    /// A web search the model made.
    WebSearch {
        /// What it searched for.
        query: String,
    },
    /// An image the agent looked at.
    ImageView {
        /// The image file.
        path: PathBuf,
    },
    /// A non-fatal error.
    Error {
        /// What went wrong.
        message: String,
    },
}

/// A command item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommandItem {
    /// The argv.
    pub argv: Vec<String>,
    /// Where it runs.
    pub cwd: PathBuf,
    /// Where it is in its life.
    pub status: Status,
    /// Its output so far (empty until it runs).
    pub aggregated_output: String,
    /// Its exit code, once it ended.
    pub exit_code: Option<i32>,
    /// How long it ran, once it ended.
    pub duration: Option<Duration>,
}

/// Where a command or a patch is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for approval, or running.
    InProgress,
    /// Done and succeeded.
    Completed,
    /// Ran (or was attempted) and failed.
    Failed,
    /// Needed an approval that was refused; it did not run.
    Declined,
}

/// Something a turn reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnEvent {
    /// An item appeared.
    ItemStarted(Item),
    /// An item in progress changed.
    ItemUpdated(Item),
    /// An item reached its final state.
    ItemCompleted(Item),
    /// Live model output.
    ModelDelta(StreamDelta),
    /// More output of a running command.
    CommandOutput {
        /// The command item.
        item_id: String,
        /// The output to append.
        delta: String,
    },
    /// A model request failed and will be retried.
    Retrying {
        /// The attempt that failed, from 1.
        attempt: u32,
        /// How many retries are allowed.
        max_retries: u32,
        /// Why it failed.
        reason: String,
    },
}

/// Receives what a turn reports, in order.
pub trait EventSink {
    /// Called once per event.
    fn event(&mut self, event: TurnEvent);
}

impl<F: FnMut(TurnEvent)> EventSink for F {
    fn event(&mut self, event: TurnEvent) {
        self(event)
    }
}
