//! How long and how often one model request is tried: every wait is bounded, and so is the
//! whole sequence of attempts.
//!
//! One attempt waits at most [`RequestLimits::connect_timeout`] for the connection,
//! [`RequestLimits::headers_timeout`] for the response headers, then
//! [`RequestLimits::stream_idle_timeout`] between two events of the stream. A failed attempt
//! (no connection, no headers in time, 429 or 5xx, a stream that breaks off) is tried again
//! after a delay: the server's `Retry-After`, but at most [`RequestLimits::retry_after_max`],
//! else an exponential backoff of at most [`MAX_BACKOFF`]. Request failures and broken streams
//! each have their own number of retries, both at most [`MAX_RETRIES`].

use std::time::Duration;

/// The most retries of either kind, whatever the configuration says (as the reference).
pub const MAX_RETRIES: u32 = 100;
/// The longest backoff between two attempts when the server gives no `Retry-After`.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How long and how often the client tries one model request (a provider's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// How many times a failed request (no connection, no headers, 429, 5xx) is tried again
    /// (`request_max_retries`, default 4).
    pub request_max_retries: u32,
    /// How many times a stream that broke off is requested again (`stream_max_retries`,
    /// default 5).
    pub stream_max_retries: u32,
    /// How long connecting to the server may take (`connect_timeout_ms`, default 10 s).
    pub connect_timeout: Duration,
    /// How long the server may take to send the response headers once the request is sent
    /// (`response_headers_timeout_ms`, default 60 s).
    pub headers_timeout: Duration,
    /// How long the stream may go without a complete event before it counts as broken
    /// (`stream_idle_timeout_ms`, default 300 s).
    pub stream_idle_timeout: Duration,
    /// The longest wait a `Retry-After` header may ask for; a longer one is cut to this
    /// (`retry_after_max_ms`, default 30 s).
    pub retry_after_max: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            request_max_retries: 4,
            stream_max_retries: 5,
            connect_timeout: Duration::from_secs(10),
            headers_timeout: Duration::from_secs(60),
            stream_idle_timeout: Duration::from_secs(300),
            retry_after_max: Duration::from_secs(30),
        }
    }
}

impl RequestLimits {
    /// These limits with both retry counts at most [`MAX_RETRIES`].
    pub fn capped(self) -> Self {
        RequestLimits {
            request_max_retries: self.request_max_retries.min(MAX_RETRIES),
            stream_max_retries: self.stream_max_retries.min(MAX_RETRIES),
            ..self
        }
    }

    /// How long to wait before retry number `retry` (from 1), given the server's `Retry-After`;
    /// and, when that was cut to [`RequestLimits::retry_after_max`], a note saying so.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> (Duration, Option<String>) {
        match retry_after {
            Some(asked) if asked > self.retry_after_max => (
                self.retry_after_max,
                Some(format!(
                    "the server asked to wait {} s; waiting {} ms, the provider's retry_after_max_ms",
                    asked.as_secs(),
                    self.retry_after_max.as_millis()
                )),
            ),
            Some(asked) => (asked, None),
            None => (backoff(retry), None),
        }
    }
}

/// 200 ms, doubled per retry, at most [`MAX_BACKOFF`].
fn backoff(retry: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << retry.min(6).saturating_sub(1))).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(200));
        assert_eq!(backoff(2), Duration::from_millis(400));
        assert_eq!(backoff(3), Duration::from_millis(800));
        assert_eq!(backoff(30), Duration::from_millis(6400));
    }

    #[test]
    fn retry_after_is_obeyed_up_to_the_cap() {
        let limits = RequestLimits::default();
        assert_eq!(limits.delay(1, Some(Duration::ZERO)), (Duration::ZERO, None));
        assert_eq!(limits.delay(1, Some(Duration::from_secs(7))), (Duration::from_secs(7), None));
        let (delay, note) = limits.delay(1, Some(Duration::from_secs(3600)));
        assert_eq!(delay, Duration::from_secs(30));
        assert!(note.is_some_and(|n| n.contains("3600 s") && n.contains("retry_after_max_ms")));
        assert_eq!(limits.delay(2, None), (Duration::from_millis(400), None));
    }

    #[test]
    fn retries_are_capped() {
        let limits =
            RequestLimits { request_max_retries: u32::MAX, stream_max_retries: 7, ..Default::default() };
        assert_eq!(
            (limits.capped().request_max_retries, limits.capped().stream_max_retries),
            (MAX_RETRIES, 7)
        );
    }
}
