//! Running a review: the review item, the reviewer (a sub-agent of the thread, see
//! [`ThreadState::sub_agent`]), and what the thread keeps of it.

use tokio::sync::mpsc;

use super::output::{self, ReviewOutput};
use super::{ReviewItem, ReviewRequest, GUIDELINES, SUBAGENT};
use crate::engine::config::ReasoningEffort;
use crate::engine::items::{Event, Item, ItemKind, Status, TurnError};
use crate::engine::model::request::RequestSettings;
use crate::engine::model::{ResponseItem, StreamDelta};
use crate::engine::session::Record;
use crate::engine::task::turn_end;
use crate::engine::thread::{ThreadState, EVENT_CAPACITY};
use crate::engine::tools;
use crate::engine::turn::TurnContext;
use crate::engine::user_input::UserMessage;

impl ThreadState {
    /// Runs the review `request` as the current turn (the caller records its start and end):
    /// the review item starts, the reviewer runs to its end, the item completes with what it
    /// found. The session file records the review's start and end (`entered_review_mode`,
    /// `exited_review_mode`). When asked, the review (or that there is none) is added to the
    /// history as a user message. A reviewer interrupted or failed leaves no review, and the
    /// turn ends as interrupted or failed.
    pub(in crate::engine) async fn review(
        &mut self,
        request: ReviewRequest,
        cx: &mut TurnContext,
    ) -> Result<(), TurnError> {
        // The MCP servers' tools are the reviewer's too.
        self.mcp_ready(&cx.turn_id).await?;
        // The reviewer's events reach the thread's reader as they happen, but the text of its
        // agent messages (see [`shown`]).
        let (events, from_reviewer) = mpsc::channel(EVENT_CAPACITY);
        let forwarder = tokio::spawn(forward(from_reviewer, self.event_sender()));
        let reviewer = self.sub_agent(SUBAGENT, self.reviewer_request(), events);
        let mut review = ReviewItem::started(&request);
        review.reviewer = reviewer.as_ref().ok().map(|reviewer| reviewer.id.clone());
        let started = self.item(ItemKind::CodeReview(Box::new(review.clone())), Some(&cx.turn_id));
        self.write(Record::EnteredReviewMode {
            prompt: review.prompt.clone(),
            user_facing_hint: review.hint.clone(),
            append_to_original_thread: review.append_to_original_thread,
        })?;
        self.emit(Event::ItemStarted(started.clone())).await;

        let answered = match reviewer {
            Ok(mut reviewer) => {
                let answered = reviewer.answer(review.prompt.clone(), cx).await;
                self.adopt(&reviewer);
                answered
            }
            Err(error) => Err(TurnError::Session(error)),
        };
        // The reviewer is gone, and every sender of its events with it: once the forwarder is
        // done, all of them have been passed on.
        let _ = forwarder.await;
        // The review turn has no agent message of its own.
        cx.final_message = None;
        let output = match &answered {
            Ok(Some(text)) => Some(ReviewOutput::parse(text)),
            Ok(None) | Err(_) => None,
        };
        if review.append_to_original_thread {
            if self.history.is_empty() {
                self.record(self.environment_context())?;
            }
            self.record(ResponseItem::user_text(output::history_message(output.as_ref())))?;
        }
        self.write(Record::ExitedReviewMode { review_output: output.clone() })?;
        review.status = if output.is_some() { Status::Completed } else { Status::Failed };
        review.output = output;
        self.complete(&cx.turn_id, Item { kind: ItemKind::CodeReview(Box::new(review)), ..started }).await?;
        answered.map(|_| ())
    }

    /// The reviewer's model requests: the review model with low effort and detailed reasoning
    /// summaries, the guidelines as instructions, the thread's tools for that model's family
    /// but `view_image` and web search, and no output schema (as Codex asks).
    fn reviewer_request(&self) -> impl FnOnce(&str) -> RequestSettings {
        let model = self.review_model.clone();
        let kept = self
            .request
            .tools
            .iter()
            .filter(|tool| tool["name"] != "view_image" && tool["type"] != "web_search");
        let tools = tools::for_model(kept.cloned().collect(), &model);
        move |id| RequestSettings {
            model,
            instructions: GUIDELINES.to_owned(),
            tools,
            reasoning_effort: Some(ReasoningEffort::Low),
            reasoning_summary: "detailed",
            output_schema: None,
            cache_key: id.to_owned(),
        }
    }

    /// The reviewer's one turn (this state is the reviewer's): the environment context and
    /// `prompt`, then the turn loop, recorded in its session file under the thread's turn id;
    /// its last agent message.
    async fn answer(&mut self, prompt: String, cx: &mut TurnContext) -> Result<Option<String>, TurnError> {
        self.write(Record::TurnStarted { turn_id: cx.turn_id.clone() })?;
        let input = UserMessage::text(prompt);
        let mut result = match self.send_input(input, cx).await {
            Ok(()) => self.turn_loop(cx).await,
            Err(error) => Err(error),
        };
        if let Some(plan) = cx.plan.take() {
            result = result.and(self.complete(&cx.turn_id, plan).await);
        }
        self.write(Record::TurnEnded { turn_id: cx.turn_id.clone(), end: turn_end(&result) })?;
        result.map(|()| cx.final_message.take())
    }
}

/// Passes the reviewer's events on to the thread's reader until the reviewer is gone.
async fn forward(mut from_reviewer: mpsc::Receiver<Event>, to_thread: mpsc::Sender<Event>) {
    while let Some(event) = from_reviewer.recv().await {
        if shown(&event) {
            let _ = to_thread.send(event).await;
        }
    }
}

/// Whether the thread's reader sees an event of the reviewer: all of them but the text of its
/// agent messages (their deltas, and their completion), which is the raw answer the review item
/// renders. The messages are still announced as started.
fn shown(event: &Event) -> bool {
    !matches!(
        event,
        Event::ModelDelta(StreamDelta::OutputText { .. })
            | Event::ItemCompleted(Item { kind: ItemKind::AgentMessage { .. }, .. })
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::items::OutputStream;

    #[test]
    fn the_reviewer_s_answer_is_not_shown_but_its_work_is() {
        let message = Item { id: "m".into(), kind: ItemKind::AgentMessage { text: "{}".into() } };
        assert!(!shown(&Event::ItemCompleted(message.clone())));
        assert!(shown(&Event::ItemStarted(message)));
        assert!(!shown(&Event::ModelDelta(StreamDelta::OutputText {
            item_id: "m".into(),
            delta: "{".into()
        })));
        let reasoning =
            Item { id: "r".into(), kind: ItemKind::Reasoning { summary: vec!["s".into()], content: vec![] } };
        assert!(shown(&Event::ItemCompleted(reasoning)));
        assert!(shown(&Event::CommandOutput {
            item_id: "c".into(),
            chunk: b"out".to_vec(),
            stream: OutputStream::Stdout
        }));
    }
}
