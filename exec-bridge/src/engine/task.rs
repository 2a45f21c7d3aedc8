//! The task that owns a thread: it takes submissions one at a time, runs each turn to its end,
//! and while a turn runs it keeps taking submissions, routing interrupts and approval answers to
//! the turn.

use std::path::Path;

use tokio::sync::{mpsc, watch};

use super::handle::{Op, Submission, ThreadEvents, ThreadHandle};
use super::items::{ApprovalId, Decision, Event, Item, ItemKind, TurnError};
use super::review::ReviewRequest;
use super::session::{Record, RecordedTurn, TurnEnd};
use super::settings::{ThreadSpec, UserTurn};
use super::thread::{ThreadState, EVENT_CAPACITY};
use super::turn::TurnContext;
use super::user_input::UserMessage;
use super::StartError;

/// Starts a new thread: a new session file, and the task that runs it.
pub fn start_thread(spec: ThreadSpec) -> Result<(ThreadHandle, ThreadEvents), StartError> {
    let (events, receiver) = mpsc::channel(EVENT_CAPACITY);
    Ok(spawn(ThreadState::start(spec, events)?, receiver))
}

/// Resumes the thread recorded in the session file `path`, with its whole history.
pub fn resume_thread(spec: ThreadSpec, path: &Path) -> Result<(ThreadHandle, ThreadEvents), StartError> {
    let (events, receiver) = mpsc::channel(EVENT_CAPACITY);
    Ok(spawn(ThreadState::resume(spec, path, events)?, receiver))
}

fn spawn(state: ThreadState, events: mpsc::Receiver<Event>) -> (ThreadHandle, ThreadEvents) {
    let (submissions, receiver) = mpsc::unbounded_channel();
    let handle = ThreadHandle::new(state.id.clone(), submissions, state.snapshot.clone());
    tokio::spawn(serve(state, receiver));
    (handle, ThreadEvents::new(events))
}

/// The task's body: the MCP servers' start, then submissions in order, until shutdown or every
/// handle is gone.
async fn serve(mut state: ThreadState, mut submissions: mpsc::UnboundedReceiver<Submission>) {
    state.mcp_start().await;
    while let Some(submission) = submissions.recv().await {
        match submission {
            Submission::Turn { turn_id, turn } => {
                if !run_turn(&mut state, turn_id, Work::Model(turn), &mut submissions).await {
                    break;
                }
            }
            Submission::Compact { turn_id } => {
                if !run_turn(&mut state, turn_id, Work::Compact, &mut submissions).await {
                    break;
                }
            }
            Submission::UserShell { turn_id, command } => {
                if !run_turn(&mut state, turn_id, Work::UserShell(command), &mut submissions).await {
                    break;
                }
            }
            Submission::Review { turn_id, request } => {
                if !run_turn(&mut state, turn_id, Work::Review(request), &mut submissions).await {
                    break;
                }
            }
            // Nothing runs: nothing to interrupt or approve.
            Submission::Op(Op::Interrupt | Op::Approve { .. }) => {}
            Submission::Op(Op::Shutdown) => break,
        }
    }
}

/// What a turn does.
enum Work {
    /// Send the user's input to the model and act on what it answers.
    Model(Box<UserTurn>),
    /// Run a command of the user's, outside the model's history.
    UserShell(String),
    /// Summarise the conversation and go on from the summary.
    Compact,
    /// Have a reviewer review the code (see [`super::review`]).
    Review(Box<ReviewRequest>),
}

impl Work {
    /// The items the turn `turn_id` opens with (announced with its start): a review's request,
    /// as the user's message (whose id is the turn's).
    fn opening(&self, turn_id: &str) -> Vec<Item> {
        match self {
            Work::Review(request) => vec![Item {
                id: turn_id.to_owned(),
                kind: ItemKind::UserMessage(UserMessage::text(request.display())),
            }],
            Work::Model(_) | Work::UserShell(_) | Work::Compact => Vec::new(),
        }
    }
}

/// Runs one turn while routing the submissions that arrive meanwhile; returns whether the thread
/// goes on (`false` after a shutdown).
async fn run_turn(
    state: &mut ThreadState,
    turn_id: String,
    work: Work,
    submissions: &mut mpsc::UnboundedReceiver<Submission>,
) -> bool {
    let (interrupt, cancel) = watch::channel(false);
    let (answer, answers) = mpsc::unbounded_channel::<(ApprovalId, Decision)>();
    let mut goes_on = true;
    let running = lifecycle(state, work, TurnContext::new(turn_id, cancel, answers));
    tokio::pin!(running);
    loop {
        tokio::select! {
            () = &mut running => return goes_on,
            submission = submissions.recv(), if goes_on => match submission {
                Some(Submission::Op(Op::Interrupt)) => {
                    let _ = interrupt.send(true);
                }
                Some(Submission::Op(Op::Approve { id, decision })) => {
                    let _ = answer.send((id, decision));
                }
                // The handle refuses a second turn while one runs.
                Some(
                    Submission::Turn { .. }
                    | Submission::UserShell { .. }
                    | Submission::Compact { .. }
                    | Submission::Review { .. },
                ) => {}
                Some(Submission::Op(Op::Shutdown)) | None => {
                    let _ = interrupt.send(true);
                    goes_on = false;
                }
            },
        }
    }
}

/// A turn from its start to its end: recorded, published and reported as it goes.
async fn lifecycle(state: &mut ThreadState, work: Work, mut cx: TurnContext) {
    let turn_id = cx.turn_id.clone();
    // The opening items are recorded as completed at once: they are never reported on their own.
    let opening = work.opening(&turn_id);
    let started = state.write(Record::TurnStarted { turn_id: turn_id.clone() }).and_then(|()| {
        opening.iter().try_for_each(|item| {
            state.write(Record::ItemCompleted { turn_id: turn_id.clone(), item: item.clone() })
        })
    });
    state.snapshot.send_modify(|now| {
        now.turns.push(RecordedTurn { id: turn_id.clone(), items: opening.clone(), end: None })
    });
    let context_window = super::tools::family::usable_context_window(&state.request.model);
    state.emit(Event::TurnStarted { turn_id: turn_id.clone(), items: opening, context_window }).await;
    let mut result = match started {
        Ok(()) => match work {
            Work::Model(turn) => state.run_turn(*turn, &mut cx).await,
            Work::UserShell(command) => state.user_shell(command, &mut cx).await,
            Work::Compact => state.compact(&mut cx).await,
            Work::Review(request) => state.review(*request, &mut cx).await,
        },
        Err(error) => Err(TurnError::Session(error)),
    };
    if let Some(plan) = cx.plan.take() {
        result = result.and(state.complete(&turn_id, plan).await);
    }
    let end = turn_end(&result);
    if let Err(error) = state.write(Record::TurnEnded { turn_id: turn_id.clone(), end: end.clone() }) {
        result = result.and(Err(TurnError::Session(error)));
    }
    state.snapshot.send_modify(|now| {
        if let Some(turn) = now.turns.last_mut() {
            turn.end = Some(end);
        }
        now.running = None;
    });
    state.emit(Event::TurnEnded { turn_id, result: result.map(|()| cx.outcome()) }).await;
}

/// How a turn that gave `result` ended, as its session file records it.
pub(super) fn turn_end(result: &Result<(), TurnError>) -> TurnEnd {
    match result {
        Ok(()) => TurnEnd::Completed,
        Err(TurnError::Interrupted) => TurnEnd::Interrupted,
        Err(error) => TurnEnd::Failed { message: error.to_string() },
    }
}
