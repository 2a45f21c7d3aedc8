//! An incremental parser for server-sent events: feed it bytes as they arrive, take out each
//! complete event's `data` as soon as its blank line has been seen.

/// Buffers bytes until whole events are in.
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
}

impl SseParser {
    /// An empty parser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes` and returns the `data` of every event they complete, in order. Lines of one
    /// event's `data:` fields are joined with `\n`; comments and other fields are skipped.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some((end, separator)) = find_event_end(&self.buffer) {
            let raw: Vec<u8> = self.buffer.drain(..end + separator).collect();
            let text = String::from_utf8_lossy(&raw[..end]);
            let data: Vec<&str> = text
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(|data| data.strip_prefix(' ').unwrap_or(data))
                .collect();
            if !data.is_empty() {
                events.push(data.join("\n"));
            }
        }
        events
    }
}

/// The end of the first complete event and the length of the blank line after it.
fn find_event_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2));
    let crlf = buffer.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_come_out_whole() {
        let mut parser = SseParser::new();
        assert!(parser.push(b"event: a\ndata: {\"x\"").is_empty());
        assert_eq!(
            parser.push(b":1}\n\n: comment\n\ndata: two\ndata: lines\n\nda"),
            ["{\"x\":1}", "two\nlines"]
        );
        assert_eq!(parser.push(b"ta: last\r\n\r\n"), ["last"]);
    }
}
