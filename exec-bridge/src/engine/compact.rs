//! Compaction: the conversation summarised through the model, and the history replaced by what
//! [`super::history::compacted`] keeps of it (the first context, the user's messages, the
//! summary), as the reference compacts. It runs as a turn of its own: the summary streams to
//! the client as an agent message, and the session file records it (`compacted`), so that a
//! resumed thread goes on from the same history.

use super::history::{self, History};
use super::items::{ItemKind, TurnError};
use super::model::items::message_text;
use super::model::{KnownItem, ModelError, ResponseItem};
use super::session::Record;
use super::streamed::Streamed;
use super::thread::ThreadState;
use super::turn::TurnContext;

/// What the model is asked (the reference's words).
pub const PROMPT: &str = "You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.\n\nInclude:\n- Current progress and key decisions made\n- Important context, constraints, or user preferences\n- What remains to be done (clear next steps)\n- Any critical data, examples, or references needed to continue\n\nBe concise, structured, and focused on helping the next LLM seamlessly continue the work.\n";

impl ThreadState {
    /// Compacts the conversation (the caller records the turn's start and end). The model gets
    /// the whole conversation and [`PROMPT`], with no tools; its answer is the summary. When it
    /// gives none, or the turn is interrupted, the history stays as it was; a thread with no
    /// conversation yet is not compacted.
    pub(super) async fn compact(&mut self, cx: &mut TurnContext) -> Result<(), TurnError> {
        if self.history.is_empty() {
            // Nothing to summarise; and the first turn must still open with the context.
            return Err(TurnError::Input(
                "the thread has no conversation to compact yet; start a turn first".into(),
            ));
        }
        self.close_dangling_calls()?;
        let mut settings = self.request.clone();
        settings.tools.clear();
        settings.output_schema = None;
        let prompt = KnownItem::Message {
            id: None,
            role: "user".to_owned(),
            content: vec![super::model::ContentPart::InputText { text: PROMPT.to_owned() }],
        };
        let mut input = self.history.for_request();
        input.push(&prompt);
        let body = self.client.body(&settings, &input);
        let response = self.ask_model(&body, cx, Streamed::Hidden).await?.response;
        let (id, summary) = response
            .items
            .iter()
            .find_map(|item| match item {
                ResponseItem::Known(KnownItem::Message { id, role, content }) if role == "assistant" => {
                    Some((id.clone(), message_text(content)))
                }
                _ => None,
            })
            .filter(|(_, summary)| !summary.trim().is_empty())
            .ok_or_else(|| {
                TurnError::Model(ModelError::ResponseFailed(
                    "the model wrote no summary; the conversation is left as it was (try again, or start a new thread)".into(),
                ))
            })?;
        let kept = history::compacted(self.history.items(), &summary);
        self.write(Record::Compacted { message: summary.clone() })?;
        self.history = History::new(kept);
        cx.final_message = Some(summary.clone());
        let item = self.item(ItemKind::AgentMessage { text: summary }, id.as_deref());
        self.complete(&cx.turn_id, item).await
    }
}
