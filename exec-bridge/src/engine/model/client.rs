//! The HTTP side of the model: `POST {base_url}/responses`, the stream read incrementally,
//! retries with backoff, and an idle-stream timeout.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::events::{Interpreted, ResponseEvent, StreamDelta, TokenUsage};
use super::items::ResponseItem;
use super::sse::SseParser;

/// Where and how to reach the model server.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// For example `https://api.openai.com/v1`; `/responses` is appended.
    pub base_url: String,
    /// Sent as `authorization: Bearer …` when set.
    pub api_key: Option<String>,
    /// The `originator` header: `codex_exec`, or `CODEX_INTERNAL_ORIGINATOR_OVERRIDE`.
    pub originator: String,
    /// How many times a failed request (connection error, 429, 5xx) is tried again.
    pub request_max_retries: u32,
    /// How many times a stream that broke off is requested again.
    pub stream_max_retries: u32,
    /// How long the stream may stay silent before it counts as broken.
    pub stream_idle_timeout: Duration,
}

/// Why a model request failed for good.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Every retry failed; the last failure is named.
    #[error("the model request failed after {attempts} attempts: {last}")]
    RetriesSpent {
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
        /// Its HTTP status, if there was one.
        status: Option<u16>,
    },
    /// The server refused the request in a way retrying cannot fix.
    #[error("the model server answered {status}: {body}{}", rejection_hint(*status))]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// The HTTP client could not be set up (for example, no TLS backend).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    /// The server reported that the response failed.
    #[error("the model response failed: {0}")]
    ResponseFailed(String),
    /// The response cannot be read within this client's limits (an event too large); asking
    /// again would not help.
    #[error("the model response cannot be read: {0}")]
    Unreadable(String),
}

/// Something the client reports while it works, besides the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Live progress of the answer.
    Delta(StreamDelta),
    /// A request failed and will be tried again after `delay`.
    Retrying {
        /// The attempt that failed, from 1.
        attempt: u32,
        /// How many retries are allowed in all.
        max_retries: u32,
        /// How long until the next attempt.
        delay: Duration,
        /// Why it failed.
        reason: String,
    },
}

/// The complete answer of one model request.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelResponse {
    /// The output items, in order.
    pub items: Vec<ResponseItem>,
    /// The tokens the request used.
    pub usage: TokenUsage,
}

/// A client for one conversation.
#[derive(Debug, Clone)]
pub struct ModelClient {
    http: Result<reqwest::Client, String>,
    endpoint: Endpoint,
    conversation_id: String,
}

/// One failed attempt, and whether it is worth another.
enum Attempt {
    Retry { reason: String, status: Option<u16>, retry_after: Option<Duration>, stream: bool },
    Fatal(ModelError),
}

impl ModelClient {
    /// A client that sends `conversation_id` as the `session_id` and `conversation_id` headers.
    pub fn new(endpoint: Endpoint, conversation_id: String) -> ModelClient {
        ModelClient { http: http_client(), endpoint, conversation_id }
    }

    /// Sends one request body and collects the answer, reporting deltas and retries to
    /// `observe` as they happen.
    pub async fn respond(
        &self,
        body: &Value,
        observe: &mut (dyn FnMut(ClientEvent) + Send),
    ) -> Result<ModelResponse, ModelError> {
        let (mut request_retries, mut stream_retries) = (0, 0);
        loop {
            let (reason, status, retry_after, stream) = match self.attempt(body, observe).await {
                Ok(response) => return Ok(response),
                Err(Attempt::Fatal(error)) => return Err(error),
                Err(Attempt::Retry { reason, status, retry_after, stream }) => {
                    (reason, status, retry_after, stream)
                }
            };
            let (used, max) = if stream {
                stream_retries += 1;
                (stream_retries, self.endpoint.stream_max_retries)
            } else {
                request_retries += 1;
                (request_retries, self.endpoint.request_max_retries)
            };
            if used > max {
                return Err(ModelError::RetriesSpent { attempts: used, last: reason, status });
            }
            let delay = retry_after.unwrap_or_else(|| backoff(used));
            observe(ClientEvent::Retrying { attempt: used, max_retries: max, delay, reason });
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        body: &Value,
        observe: &mut (dyn FnMut(ClientEvent) + Send),
    ) -> Result<ModelResponse, Attempt> {
        let url = format!("{}/responses", self.endpoint.base_url.trim_end_matches('/'));
        let http = self.http.as_ref().map_err(|e| Attempt::Fatal(ModelError::Setup(e.clone())))?;
        let response =
            http.post(&url).headers(self.headers()).json(body).send().await.map_err(|e| Attempt::Retry {
                reason: format!("cannot reach {url}: {}", error_chain(&e)),
                status: None,
                retry_after: None,
                stream: false,
            })?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        self.read_stream(response, observe).await
    }

    /// Reads the event stream of a response until `response.completed`, bounded in silence by
    /// the idle timeout.
    async fn read_stream(
        &self,
        response: reqwest::Response,
        observe: &mut (dyn FnMut(ClientEvent) + Send),
    ) -> Result<ModelResponse, Attempt> {
        let mut parser = SseParser::new();
        let mut stream = response.bytes_stream();
        let mut items = Vec::new();
        let broken =
            |reason: String| Attempt::Retry { reason, status: None, retry_after: None, stream: true };
        loop {
            let chunk = match tokio::time::timeout(self.endpoint.stream_idle_timeout, stream.next()).await {
                Err(_) => {
                    return Err(broken(format!(
                        "the stream was idle for {} ms",
                        self.endpoint.stream_idle_timeout.as_millis()
                    )))
                }
                Ok(None) => return Err(broken("the stream ended before response.completed".into())),
                Ok(Some(Err(e))) => return Err(broken(format!("the stream broke: {}", error_chain(&e)))),
                Ok(Some(Ok(chunk))) => chunk,
            };
            let events = parser
                .push(&chunk)
                .map_err(|e| Attempt::Fatal(ModelError::Unreadable(e.to_string())))?;
            for data in events {
                let event = serde_json::from_str::<ResponseEvent>(&data).map_err(|e| {
                    broken(format!("the stream sent an event that cannot be read ({e}): {data}"))
                })?;
                match event.interpret() {
                    Interpreted::Delta(delta) => observe(ClientEvent::Delta(delta)),
                    Interpreted::ItemDone(item) => items.push(item),
                    Interpreted::Completed(usage) => return Ok(ModelResponse { items, usage }),
                    Interpreted::Failed(message) => {
                        return Err(Attempt::Fatal(ModelError::ResponseFailed(message)))
                    }
                    Interpreted::Other => {}
                }
            }
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        if let Some(key) = &self.endpoint.api_key {
            put("authorization", &format!("Bearer {key}"));
        }
        put("originator", &self.endpoint.originator);
        put("session_id", &self.conversation_id);
        put("conversation_id", &self.conversation_id);
        put("version", env!("CARGO_PKG_VERSION"));
        put("user-agent", &user_agent(&self.endpoint.originator));
        put("accept", "text/event-stream");
        headers
    }
}

/// A response that is not a success: 429 and 5xx are worth another attempt (after
/// `Retry-After`, when given); anything else is final.
async fn refused(response: reqwest::Response) -> Attempt {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let code = status.as_u16();
    if code == 429 || status.is_server_error() {
        Attempt::Retry {
            reason: format!("{status}: {}", text.trim()),
            status: Some(code),
            retry_after,
            stream: false,
        }
    } else {
        Attempt::Fatal(ModelError::Rejected { status: code, body: text.trim().to_owned() })
    }
}

/// What to do about a refused request, where it is clear.
fn rejection_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => " (check the API key: CODEX_API_KEY, or the provider's env_key such as OPENAI_API_KEY)",
        404 => " (check the base URL: OPENAI_BASE_URL or model_providers.<id>.base_url; `/responses` is appended)",
        _ => "",
    }
}

/// `originator/version (os; arch)`.
pub fn user_agent(originator: &str) -> String {
    format!(
        "{originator}/{} ({}; {}) agentwire",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// 200 ms, doubled per retry, at most 10 s.
fn backoff(retry: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << retry.min(6).saturating_sub(1)))
        .min(Duration::from_secs(10))
}

/// An error with its causes, `: `-separated.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// One HTTP client per process: TLS through rustls with the ring provider; why not, when it
/// cannot be set up.
fn http_client() -> Result<reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder().build().map_err(|e| error_chain(&e))
        })
        .clone()
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
}
