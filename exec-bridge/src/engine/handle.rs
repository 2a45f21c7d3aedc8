//! The handle of a thread: the submitting half of its queue pair. The thread's state lives in
//! one task ([`super::task`]); a handle submits operations to it and reads a snapshot the task
//! keeps current, so that nothing outside the task ever waits for a turn.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::items::{ApprovalId, Decision, Event};
use super::review::ReviewRequest;
use super::session::{RecordedTurn, RolloutError};
use super::settings::{ThreadSettings, UserTurn};
use crate::engine::config::{ReasoningEffort, WorkspaceWrite};

/// What a caller may submit to a thread besides a turn (see [`ThreadHandle::start_turn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Stop the running turn (it ends as interrupted); nothing happens when none runs.
    Interrupt,
    /// Answer the approval request `id` of the running turn.
    Approve {
        /// The request's id, from [`Event::ApprovalRequested`].
        id: ApprovalId,
        /// The answer.
        decision: Decision,
    },
    /// Stop the running turn, if any, and end the thread's task (its event stream then ends).
    Shutdown,
}

/// What travels to the thread's task.
#[derive(Debug)]
pub(super) enum Submission {
    /// Run a turn, whose id the handle reserved.
    Turn {
        /// The reserved id.
        turn_id: String,
        /// What the user sent and the overrides.
        turn: Box<UserTurn>,
    },
    /// Compact the conversation, as a turn whose id the handle reserved.
    Compact {
        /// The reserved id.
        turn_id: String,
    },
    /// Review the code as a turn, whose id the handle reserved.
    Review {
        /// The reserved id.
        turn_id: String,
        /// What to review.
        request: Box<ReviewRequest>,
    },
    /// Run a command of the user's as a turn, whose id the handle reserved.
    UserShell {
        /// The reserved id.
        turn_id: String,
        /// The command line, for the user's shell.
        command: String,
    },
    /// Anything else.
    Op(Op),
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// A turn is already running on the thread.
    #[error("thread {thread_id} is running turn {turn_id} already; wait for it to end or interrupt it")]
    Busy {
        /// The thread.
        thread_id: String,
        /// The running turn.
        turn_id: String,
    },
    /// The thread's task has ended (it was shut down).
    #[error("thread {0} has been shut down; resume it to continue")]
    Closed(String),
}

/// Why a thread could not be started or resumed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The session file could not be created or read.
    #[error(transparent)]
    Session(#[from] RolloutError),
}

/// What a thread is like now, as its task last published it.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSnapshot {
    /// The thread's id.
    pub id: String,
    /// Its session file.
    pub rollout_path: PathBuf,
    /// The model provider it was started with.
    pub model_provider: String,
    /// The settings in force.
    pub settings: ThreadSettings,
    /// The model in use.
    pub model: String,
    /// The reasoning effort, if one is set.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// The configured `workspace-write` settings (for reporting the sandbox).
    pub workspace_write: WorkspaceWrite,
    /// Every turn so far (earlier sessions' included), with its completed items.
    pub turns: Vec<RecordedTurn>,
    /// The id of the turn running now, if any.
    pub running: Option<String>,
}

/// The submitting half of a thread's queue pair. Cheap to clone; every method returns at once.
#[derive(Debug, Clone)]
pub struct ThreadHandle {
    id: String,
    submissions: mpsc::UnboundedSender<Submission>,
    snapshot: Arc<watch::Sender<ThreadSnapshot>>,
}

/// The receiving half: every [`Event`] of the thread, in order. It ends when the thread's task
/// does. It holds at most [`EVENT_CAPACITY`](super::thread::EVENT_CAPACITY) events: while it is
/// full, the thread's turn waits.
#[derive(Debug)]
pub struct ThreadEvents {
    events: mpsc::Receiver<Event>,
}

impl ThreadEvents {
    pub(super) fn new(events: mpsc::Receiver<Event>) -> ThreadEvents {
        ThreadEvents { events }
    }

    /// The next event; `None` once the thread's task has ended.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event if one is waiting; `None` otherwise (without waiting).
    pub fn try_next(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

impl ThreadHandle {
    pub(super) fn new(
        id: String,
        submissions: mpsc::UnboundedSender<Submission>,
        snapshot: Arc<watch::Sender<ThreadSnapshot>>,
    ) -> ThreadHandle {
        ThreadHandle { id, submissions, snapshot }
    }

    /// The thread's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The thread as it is now, without waiting for a running turn.
    pub fn snapshot(&self) -> ThreadSnapshot {
        self.snapshot.borrow().clone()
    }

    /// Submits a user turn and returns its id. The id is reserved before the turn can report
    /// anything, and a second turn is refused while one runs.
    pub fn start_turn(&self, turn: UserTurn) -> Result<String, SubmitError> {
        self.submit_turn(|turn_id| Submission::Turn { turn_id, turn: Box::new(turn) })
    }

    /// Submits a command of the user's (a command line for the user's shell), run as a turn of
    /// its own that never enters the model's history, and returns the turn's id. Refused while
    /// a turn runs, as [`ThreadHandle::start_turn`] is.
    pub fn run_user_shell(&self, command: String) -> Result<String, SubmitError> {
        self.submit_turn(|turn_id| Submission::UserShell { turn_id, command })
    }

    /// Submits a compaction of the conversation (see [`crate::engine::history::compacted`]), run
    /// as a turn of its own, and returns the turn's id. Refused while a turn runs, as
    /// [`ThreadHandle::start_turn`] is.
    pub fn compact(&self) -> Result<String, SubmitError> {
        self.submit_turn(|turn_id| Submission::Compact { turn_id })
    }

    /// Submits a code review (see [`crate::engine::review`]), run as a turn of its own by a
    /// reviewer, and returns the turn's id. Refused while a turn runs, as
    /// [`ThreadHandle::start_turn`] is.
    pub fn review(&self, request: ReviewRequest) -> Result<String, SubmitError> {
        self.submit_turn(|turn_id| Submission::Review { turn_id, request: Box::new(request) })
    }

    /// Reserves the next turn id (refused while a turn runs) and submits what `make` makes of it.
    fn submit_turn(&self, make: impl FnOnce(String) -> Submission) -> Result<String, SubmitError> {
        let mut reserved = Err(String::new());
        self.snapshot.send_if_modified(|now| match &now.running {
            Some(running) => {
                reserved = Err(running.clone());
                false
            }
            None => {
                let id = now.turns.len().to_string();
                now.running = Some(id.clone());
                reserved = Ok(id);
                true
            }
        });
        let turn_id =
            reserved.map_err(|running| SubmitError::Busy { thread_id: self.id.clone(), turn_id: running })?;
        if self.submissions.send(make(turn_id.clone())).is_err() {
            self.snapshot.send_modify(|now| now.running = None);
            return Err(SubmitError::Closed(self.id.clone()));
        }
        Ok(turn_id)
    }

    /// Submits `op`.
    pub fn submit(&self, op: Op) -> Result<(), SubmitError> {
        self.submissions.send(Submission::Op(op)).map_err(|_| SubmitError::Closed(self.id.clone()))
    }
}
