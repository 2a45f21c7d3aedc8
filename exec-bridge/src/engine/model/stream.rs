//! Reading one response's event stream until its end, within bounds: the stream
//! may go at most the idle timeout without a complete event (bytes that make no event, such
//! as a trickle of blank lines, do not count as life), one event may be at most
//! [`super::sse::MAX_EVENT_BYTES`] long and the whole response at most
//! [`MAX_RESPONSE_BYTES`].

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

use super::client::{error_chain, Attempt, ClientEvent, ModelError, ModelResponse, Observer};
use super::events::{Interpreted, ResponseEvent, StreamDelta};
use super::sse::SseParser;

/// The most bytes one response stream may carry: 256 MiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;
/// How much of an event that cannot be read is quoted in the error.
const QUOTED_BYTES: usize = 200;

/// What makes a response out of a stream's events: one per wire API.
pub(super) trait Decoder {
    /// Takes the data of one event, adding the live progress it brings to `deltas`; the whole
    /// response once this event completes it.
    fn event(&mut self, data: &str, deltas: &mut Vec<StreamDelta>) -> Result<Option<ModelResponse>, Attempt>;

    /// The stream ended without an event that completes the response: the response, where the
    /// wire API allows that, else why it is broken.
    fn end(&mut self) -> Result<ModelResponse, Attempt>;

    /// Whether the server said the answer is whole (so that a stream that then goes idle,
    /// instead of ending, ends it: [`Decoder::end`]).
    fn finished(&self) -> bool {
        false
    }

    /// The output items whose stream is done since the last call (the Responses API says so
    /// item by item; a wire API that does not has none before the response completes).
    fn newly_done(&mut self) -> Vec<super::items::ResponseItem> {
        Vec::new()
    }
}

/// The Responses API's stream: items as `response.output_item.done` gives them, complete at
/// `response.completed`.
#[derive(Default)]
pub(super) struct ResponsesDecoder {
    items: Vec<super::items::ResponseItem>,
    /// How many of `items` [`Decoder::newly_done`] gave.
    reported: usize,
}

impl Decoder for ResponsesDecoder {
    fn event(&mut self, data: &str, deltas: &mut Vec<StreamDelta>) -> Result<Option<ModelResponse>, Attempt> {
        let event = serde_json::from_str::<ResponseEvent>(data).map_err(|e| cannot_read(&e, data))?;
        match event.interpret() {
            Interpreted::Delta(delta) => deltas.push(delta),
            Interpreted::ItemDone(item) => self.items.push(item),
            Interpreted::Completed(usage) => {
                self.reported = 0;
                return Ok(Some(ModelResponse { items: std::mem::take(&mut self.items), usage }));
            }
            Interpreted::Failed(message) => return Err(Attempt::Fatal(ModelError::ResponseFailed(message))),
            Interpreted::Other => {}
        }
        Ok(None)
    }

    fn end(&mut self) -> Result<ModelResponse, Attempt> {
        Err(Attempt::broken("stream closed before response.completed".into()))
    }

    fn newly_done(&mut self) -> Vec<super::items::ResponseItem> {
        let done = self.items[self.reported.min(self.items.len())..].to_vec();
        self.reported = self.items.len();
        done
    }
}

/// An event that cannot be read: the stream is broken (another attempt may do better).
pub(super) fn cannot_read(error: &serde_json::Error, data: &str) -> Attempt {
    Attempt::broken(format!("the stream sent an event that cannot be read ({error}): {}", quote(data)))
}

/// Reads the event stream of `response` with `decoder`, reporting deltas to `observer` (each
/// report awaited).
pub(super) async fn read<O: Observer, D: Decoder>(
    response: reqwest::Response,
    idle: Duration,
    observer: &mut O,
    mut decoder: D,
) -> Result<ModelResponse, Attempt> {
    let mut parser = SseParser::new();
    let mut stream = response.bytes_stream();
    let mut deltas = Vec::new();
    let mut received = 0usize;
    let mut deadline = Instant::now() + idle;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) if decoder.finished() => return decoder.end(),
            Err(_) => {
                return Err(Attempt::broken(format!(
                    "the stream was idle for {} ms (no complete event)",
                    idle.as_millis()
                )))
            }
            Ok(None) => return decoder.end(),
            Ok(Some(Err(e))) => {
                return Err(Attempt::broken(format!("the stream broke: {}", error_chain(&e))))
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        received = received.saturating_add(chunk.len());
        if received > MAX_RESPONSE_BYTES {
            return Err(unreadable(format!(
                "the response is longer than {MAX_RESPONSE_BYTES} bytes (the most this client reads)"
            )));
        }
        let events = parser.push(&chunk).map_err(|e| unreadable(e.to_string()))?;
        if events.is_empty() {
            continue;
        }
        for data in events {
            let done = decoder.event(&data, &mut deltas)?;
            for delta in deltas.drain(..) {
                observer.observe(ClientEvent::Delta(delta)).await;
            }
            for item in decoder.newly_done() {
                observer.observe(ClientEvent::ItemDone(item)).await;
            }
            if let Some(response) = done {
                return Ok(response);
            }
        }
        // The time the observer took is not the server's silence.
        deadline = Instant::now() + idle;
    }
}

fn unreadable(message: String) -> Attempt {
    Attempt::Fatal(ModelError::Unreadable(message))
}

/// The start of `data`, for an error message.
fn quote(data: &str) -> String {
    if data.len() <= QUOTED_BYTES {
        return data.to_owned();
    }
    let mut end = QUOTED_BYTES;
    while !data.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &data[..end], data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_events_are_quoted_by_their_start() {
        assert_eq!(quote("short"), "short");
        let long = "é".repeat(300);
        let quoted = quote(&long);
        assert!(quoted.ends_with("… (600 bytes)") && quoted.len() < 220, "{quoted}");
    }
}
