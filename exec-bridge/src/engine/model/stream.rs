//! Reading one response's event stream until `response.completed`, within bounds: the stream
//! may go at most the idle timeout without a complete event (bytes that make no event, such
//! as a trickle of blank lines, do not count as life), one event may be at most
//! [`super::sse::MAX_EVENT_BYTES`] long and the whole response at most
//! [`MAX_RESPONSE_BYTES`].

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

use super::client::{error_chain, Attempt, ClientEvent, ModelError, ModelResponse, Observer};
use super::events::{Interpreted, ResponseEvent};
use super::sse::SseParser;

/// The most bytes one response stream may carry: 256 MiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;
/// How much of an event that cannot be read is quoted in the error.
const QUOTED_BYTES: usize = 200;

/// Reads the event stream of `response`, reporting deltas to `observer` (each report awaited).
pub(super) async fn read<O: Observer>(
    response: reqwest::Response,
    idle: Duration,
    observer: &mut O,
) -> Result<ModelResponse, Attempt> {
    let mut parser = SseParser::new();
    let mut stream = response.bytes_stream();
    let mut items = Vec::new();
    let mut received = 0usize;
    let mut deadline = Instant::now() + idle;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                return Err(Attempt::broken(format!(
                    "the stream was idle for {} ms (no complete event)",
                    idle.as_millis()
                )))
            }
            Ok(None) => return Err(Attempt::broken("the stream ended before response.completed".into())),
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
            let event = serde_json::from_str::<ResponseEvent>(&data).map_err(|e| {
                Attempt::broken(format!(
                    "the stream sent an event that cannot be read ({e}): {}",
                    quote(&data)
                ))
            })?;
            match event.interpret() {
                Interpreted::Delta(delta) => observer.observe(ClientEvent::Delta(delta)).await,
                Interpreted::ItemDone(item) => items.push(item),
                Interpreted::Completed(usage) => return Ok(ModelResponse { items, usage }),
                Interpreted::Failed(message) => {
                    return Err(Attempt::Fatal(ModelError::ResponseFailed(message)))
                }
                Interpreted::Other => {}
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
