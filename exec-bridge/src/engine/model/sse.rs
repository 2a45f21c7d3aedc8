//! An incremental parser for server-sent events: feed it bytes as they arrive, take out each
//! complete event's `data` as soon as its blank line has been seen.
//!
//! The work is linear in the input: each byte is looked at once (the parser remembers how far
//! it has scanned), complete lines leave the buffer once per [`SseParser::push`], and only the
//! current line and the current event's `data` are kept. One event may be at most
//! [`MAX_EVENT_BYTES`] long (counted from the end of the previous event, comments and other
//! fields included); a longer one fails the stream with [`SseError::EventTooLarge`] instead of
//! growing the buffer.

/// The most bytes one event may take on the wire: 16 MiB.
pub const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;
/// The buffers shrink back to this after a big event.
const KEEP_CAPACITY: usize = 64 * 1024;

/// Why the stream cannot be read further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// An event grew past the limit without its blank line.
    #[error("an event of the stream is longer than {limit} bytes (the most this client reads in one event)")]
    EventTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// Buffers the current line and the current event until whole events are in.
#[derive(Debug)]
pub struct SseParser {
    /// Bytes not yet taken as lines: the start of the current line.
    buffer: Vec<u8>,
    /// How much of `buffer` is known to hold no line end.
    scanned: usize,
    /// The `data` lines of the current event, `\n`-joined.
    data: Vec<u8>,
    /// Whether the current event has a `data` field yet (an empty one counts).
    has_data: bool,
    /// The bytes of the current event so far, lines taken out included.
    event_bytes: usize,
    /// The most bytes one event may take.
    limit: usize,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::with_limit(MAX_EVENT_BYTES)
    }
}

impl SseParser {
    /// An empty parser, with events limited to [`MAX_EVENT_BYTES`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty parser whose events may be at most `limit` bytes long.
    pub fn with_limit(limit: usize) -> Self {
        SseParser { buffer: Vec::new(), scanned: 0, data: Vec::new(), has_data: false, event_bytes: 0, limit }
    }

    /// Adds `bytes` and returns the `data` of every event they complete, in order. Lines of one
    /// event's `data:` fields are joined with `\n`; comments and other fields are skipped. Lines
    /// end with `\n` or `\r\n`.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, SseError> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut taken = 0;
        while let Some(at) = self.buffer[self.scanned..].iter().position(|&b| b == b'\n') {
            let end = self.scanned + at;
            self.scanned = end + 1;
            self.event_bytes += end + 1 - taken;
            if self.event_bytes > self.limit {
                return Err(self.too_large());
            }
            let line = &self.buffer[taken..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                if let Some(event) = self.dispatch() {
                    events.push(event);
                }
            } else if let Some(value) = line.strip_prefix(b"data:") {
                let value = value.strip_prefix(b" ").unwrap_or(value);
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            taken = end + 1;
        }
        self.buffer.drain(..taken);
        self.scanned = self.buffer.len();
        if self.buffer.capacity() > KEEP_CAPACITY && self.buffer.len() < KEEP_CAPACITY {
            self.buffer.shrink_to(KEEP_CAPACITY);
        }
        if self.event_bytes + self.buffer.len() > self.limit {
            return Err(self.too_large());
        }
        Ok(events)
    }

    /// Ends the current event (a blank line was read): its data, if it had a `data` field.
    fn dispatch(&mut self) -> Option<String> {
        self.event_bytes = 0;
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        let event = String::from_utf8_lossy(&self.data).into_owned();
        self.data.clear();
        self.data.shrink_to(KEEP_CAPACITY);
        Some(event)
    }

    /// The error for an event past the limit; the parser holds nothing more.
    fn too_large(&mut self) -> SseError {
        *self = Self::with_limit(self.limit);
        SseError::EventTooLarge { limit: self.limit }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn events_split_across_chunks_come_out_whole() {
        let mut parser = SseParser::new();
        assert!(parser.push(b"event: a\ndata: {\"x\"").unwrap().is_empty());
        assert_eq!(
            parser.push(b":1}\n\n: comment\n\ndata: two\ndata: lines\n\nda").unwrap(),
            ["{\"x\":1}", "two\nlines"]
        );
        assert_eq!(parser.push(b"ta: last\r\n\r\n").unwrap(), ["last"]);
    }

    #[test]
    fn line_ends_split_between_chunks_and_crlf_events() {
        let mut parser = SseParser::new();
        let stream = b"data: a\r\n\r\ndata:b\n\ndata: c\r\ndata: d\r\n\r\n";
        let mut events = Vec::new();
        for byte in stream {
            events.extend(parser.push(&[*byte]).unwrap());
        }
        assert_eq!(events, ["a", "b", "c\nd"]);
    }

    #[test]
    fn an_event_past_the_limit_fails_whether_or_not_its_lines_end() {
        let mut parser = SseParser::with_limit(100);
        assert_eq!(parser.push(&[b'x'; 101]), Err(SseError::EventTooLarge { limit: 100 }));
        let mut parser = SseParser::with_limit(100);
        let comments = b": keep-alive\n".repeat(7);
        assert!(parser.push(&comments).unwrap().is_empty());
        assert!(parser.push(&comments).is_err(), "comments without a blank line count towards the limit");
        let mut parser = SseParser::with_limit(100);
        let small = b"data: 0123456789\n\n".repeat(50);
        assert_eq!(parser.push(&small).unwrap().len(), 50, "many small events are fine");
    }

    /// Before, every push scanned the whole buffer and every event drained its front: a big
    /// event in small chunks, or many events in one chunk, took quadratic time (seconds for
    /// these sizes). Now both are linear.
    #[test]
    fn big_inputs_take_linear_time() {
        let started = Instant::now();
        let mut parser = SseParser::new();
        let chunk = [b'x'; 4096];
        parser.push(b"data: ").unwrap();
        for _ in 0..(12 * 1024 * 1024 / chunk.len()) {
            assert!(parser.push(&chunk).unwrap().is_empty());
        }
        let big = parser.push(b"\n\n").unwrap();
        assert_eq!(big[0].len(), 12 * 1024 * 1024);

        let many = b"data: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n".repeat(200_000);
        assert_eq!(SseParser::new().push(&many).unwrap().len(), 200_000);
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(5), "parsing took {elapsed:?}");
    }
}
