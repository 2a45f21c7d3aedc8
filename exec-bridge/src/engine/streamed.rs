//! Asking the model, with what it streams reported as it comes: its deltas and retries as the
//! thread's events, and each message, reasoning or web search completed as soon as its
//! `response.output_item.done` arrives (as the reference completes them), not when the whole
//! response does. The turn then acts on the response's items; those completed already are not
//! completed again.

use tokio::sync::{mpsc, oneshot};

use super::items::{Event, Item, ItemKind, TokenInfo, TurnError};
use super::model::items::{message_text, ReasoningPart, SummaryPart};
use super::model::{ClientEvent, KnownItem, ModelResponse, Observer, ResponseItem};
use super::thread::ThreadState;
use super::tools;
use super::tools::shell::cancelled;
use super::turn::TurnContext;

/// Whether the items the model streams are shown as they complete (a turn's answer) or not at
/// all (a compaction's summary, which the caller shows its own way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Streamed {
    /// Completed as each is whole.
    Shown,
    /// Not shown.
    Hidden,
}

/// A model response, and the items of it already completed while it streamed, in order.
pub(super) struct Answer {
    pub(super) response: ModelResponse,
    pub(super) completed: Vec<ResponseItem>,
}

impl ThreadState {
    /// Sends `body` to the model, its deltas and retries reported as events (and its streamed
    /// items completed, when `streamed` is [`Streamed::Shown`]), until it answers or the turn
    /// is interrupted; the answer's usage is added to the turn's.
    pub(super) async fn ask_model(
        &mut self,
        body: &[u8],
        cx: &mut TurnContext,
        streamed: Streamed,
    ) -> Result<Answer, TurnError> {
        // One item at a time: the client waits until the item is completed before it reads on,
        // so that the next item's deltas come after it.
        let (done, mut done_items) = mpsc::channel(1);
        let mut reporter = Reporter { events: self.event_sender(), done };
        let client = self.client.clone();
        let mut respond = std::pin::pin!(client.respond(body, self.history.len() as u64, &mut reporter));
        let mut completed = Vec::new();
        let response = loop {
            tokio::select! {
                response = &mut respond => break response?,
                Some((item, ack)) = done_items.recv() => {
                    if streamed == Streamed::Shown {
                        if let Some(shown) = self.streamed_item(&item) {
                            self.complete(&cx.turn_id, shown).await?;
                            completed.push(item);
                        }
                    }
                    let _ = ack.send(());
                }
                () = cancelled(&mut cx.cancel) => return Err(TurnError::Interrupted),
            }
        };
        cx.usage.add(response.usage);
        let mut total = self.tokens.map(|t| t.total).unwrap_or_default();
        total.add(response.usage);
        let context_window = tools::family::usable_context_window(&self.request.model);
        self.tokens = Some(TokenInfo { total, last: response.usage, context_window });
        Ok(Answer { response, completed })
    }

    /// The item shown for an output item the model streams (a message, reasoning, a web
    /// search); `None` for the others.
    pub(super) fn streamed_item(&mut self, item: &ResponseItem) -> Option<Item> {
        let ResponseItem::Known(known) = item else { return None };
        Some(match known {
            KnownItem::Message { id, role, content } if role == "assistant" => {
                self.item(ItemKind::AgentMessage { text: message_text(content) }, id.as_deref())
            }
            KnownItem::Reasoning { id, summary, content, .. } => {
                let summary = summary.iter().map(|SummaryPart::SummaryText { text }| text.clone()).collect();
                let content = content
                    .iter()
                    .flatten()
                    .map(|(ReasoningPart::ReasoningText { text } | ReasoningPart::Text { text })| {
                        text.clone()
                    })
                    .collect();
                self.item(ItemKind::Reasoning { summary, content }, id.as_deref())
            }
            KnownItem::WebSearchCall { id, action, .. } => {
                let query = action.as_ref().and_then(|action| action.query.clone()).unwrap_or_default();
                self.item(ItemKind::WebSearch { query }, id.as_deref())
            }
            _ => return None,
        })
    }
}

/// Reports what the model client sees: deltas and retries as the thread's events, each
/// awaited; a whole item to [`ThreadState::ask_model`], awaited until it is completed.
struct Reporter {
    events: mpsc::Sender<Event>,
    done: mpsc::Sender<(ResponseItem, oneshot::Sender<()>)>,
}

impl Observer for Reporter {
    async fn observe(&mut self, event: ClientEvent) {
        let event = match event {
            ClientEvent::Delta(delta) => Event::ModelDelta(delta),
            ClientEvent::Retrying { attempt, max_retries, reason, status, stream, .. } => {
                Event::Retrying { attempt, max_retries, reason, status, stream }
            }
            ClientEvent::ItemDone(item) => {
                let (ack, completed) = oneshot::channel();
                if self.done.send((item, ack)).await.is_ok() {
                    let _ = completed.await;
                }
                return;
            }
        };
        let _ = self.events.send(event).await;
    }
}
