//! The HTTP side of the model: `POST {base_url}/responses` (or `/chat/completions`, as the
//! provider's [`WireApi`] says), the stream read incrementally ([`super::stream`]), and retries
//! within the bounds of [`RequestLimits`].
//!
//! Every wait is bounded: the connection by a connect timeout, the response headers by a
//! timeout around sending the request, the stream by its idle timeout, the body of a refusal
//! by [`MAX_ERROR_BODY_BYTES`] and the headers timeout, the delay between attempts by the
//! capped `Retry-After` or backoff, and the number of attempts by the retry counts. (A stream
//! that keeps sending events is not cut short by time; its size is bounded by
//! [`super::stream::MAX_RESPONSE_BYTES`].)

use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};

use super::events::{StreamDelta, TokenUsage};
use super::http::Transport;
use super::items::{KnownItem, ResponseItem};
use super::request::RequestSettings;
use super::retry::RequestLimits;
use super::wire::WireApi;

/// The most bytes of an error response's body that are read (the rest is not waited for).
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// Where and how to reach the model server.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// For example `https://api.openai.com/v1`; the API's path is appended.
    pub base_url: String,
    /// The API the server speaks.
    pub wire_api: WireApi,
    /// Sent as `authorization: Bearer …` when set.
    pub api_key: Option<String>,
    /// The `originator` header: `codex_exec`, or `CODEX_INTERNAL_ORIGINATOR_OVERRIDE`.
    pub originator: String,
    /// The timeouts and retries.
    pub limits: RequestLimits,
}

/// Why a model request failed for good.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Every retry failed; the last failure is named. A stream that kept breaking is said in
    /// the reference's words (`stream disconnected before completion: …`).
    #[error("{}", retries_spent(*attempts, last, *stream))]
    RetriesSpent {
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
        /// Its HTTP status, if there was one.
        status: Option<u16>,
        /// Whether the last failure was a broken stream (else a request that failed).
        stream: bool,
    },
    /// The server refused the request in a way retrying cannot fix.
    #[error("the model server answered {status}: {body}{}", rejection_hint(*status))]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// The HTTP client could not be set up (for example, an https endpoint where the system has
    /// no CA certificates).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    /// The server reported that the response failed.
    #[error("the model response failed: {0}")]
    ResponseFailed(String),
    /// The response cannot be read within this client's limits (an event or the whole
    /// response too large); asking again would not help.
    #[error("the model response cannot be read: {0}")]
    Unreadable(String),
}

fn retries_spent(attempts: u32, last: &str, stream: bool) -> String {
    if stream {
        format!("stream disconnected before completion: {last}")
    } else {
        format!("the model request failed after {attempts} attempts: {last}")
    }
}

/// Where the client reports what happens while it works. Each report is awaited before the
/// client reads on, so a slow reader slows the stream down instead of piling reports up.
pub trait Observer: Send {
    /// Takes one report.
    fn observe(&mut self, event: ClientEvent) -> impl Future<Output = ()> + Send;
}

/// Something the client reports while it works, besides the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Live progress of the answer.
    Delta(StreamDelta),
    /// An output item is whole (`response.output_item.done`), before the response is; it
    /// comes again in the response.
    ItemDone(ResponseItem),
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
        /// The HTTP status of the failed attempt, if a response arrived.
        status: Option<u16>,
        /// Whether the response stream broke (rather than the request failing).
        stream: bool,
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
    /// Whether the endpoint needs TLS; the HTTP client itself is taken at each request.
    transport: Transport,
    endpoint: Endpoint,
    conversation_id: String,
    /// Sent as `x-openai-subagent` when the conversation is a sub-agent's (`review`).
    subagent: Option<&'static str>,
}

/// One failed attempt, and whether it is worth another.
pub(super) enum Attempt {
    /// Worth another attempt.
    Retry(Failure),
    /// Final.
    Fatal(ModelError),
}

/// What went wrong in an attempt worth repeating.
pub(super) struct Failure {
    /// What happened, for the user.
    pub(super) reason: String,
    /// The HTTP status, if there was one.
    pub(super) status: Option<u16>,
    /// The server's `Retry-After`.
    pub(super) retry_after: Option<Duration>,
    /// Whether the stream broke off (else the request failed).
    pub(super) stream: bool,
}

impl Attempt {
    /// A request that failed before a stream began.
    fn request(reason: String) -> Attempt {
        Attempt::Retry(Failure { reason, status: None, retry_after: None, stream: false })
    }

    /// A stream that broke off.
    pub(super) fn broken(reason: String) -> Attempt {
        Attempt::Retry(Failure { reason, status: None, retry_after: None, stream: true })
    }
}

impl ModelClient {
    /// A client that sends `conversation_id` as the `session_id` and `conversation_id` headers.
    /// Its HTTP client is the process's (see [`super::http`]), built at the first request that
    /// needs it: TLS, with the system's CA store, only for an https endpoint.
    pub fn new(endpoint: Endpoint, conversation_id: String) -> ModelClient {
        let transport = Transport::for_url(&endpoint.base_url);
        ModelClient { transport, endpoint, conversation_id, subagent: None }
    }

    /// A client for the conversation `conversation_id` of a sub-agent of kind `subagent` (a
    /// reviewer): the same endpoint, and every request says `x-openai-subagent: SUBAGENT`.
    pub fn for_subagent(&self, conversation_id: String, subagent: &'static str) -> ModelClient {
        ModelClient { conversation_id, subagent: Some(subagent), ..self.clone() }
    }

    /// The `originator` of the requests.
    pub fn originator(&self) -> &str {
        &self.endpoint.originator
    }

    /// The request body for `input` (environment context, user messages and history, in
    /// order), in the API the endpoint speaks.
    pub fn body(&self, settings: &RequestSettings, input: &[&KnownItem]) -> Vec<u8> {
        self.endpoint.wire_api.body(settings, input)
    }

    /// Sends one request body and collects the answer, reporting deltas and retries to
    /// `observer` as they happen. Fails, within the bounds of the endpoint's limits, when every
    /// retry failed. `number` is the request's place in the conversation, different for every
    /// request that gets an answer (the conversation's length: it grows between two such
    /// requests): a Chat Completions answer's items, which the API gives no ids, get theirs
    /// from it.
    pub async fn respond<O: Observer>(
        &self,
        body: &[u8],
        number: u64,
        observer: &mut O,
    ) -> Result<ModelResponse, ModelError> {
        let limits = self.endpoint.limits;
        let (mut request_retries, mut stream_retries) = (0, 0);
        loop {
            let failure = match self.attempt(body, number, observer).await {
                Ok(response) => return Ok(response),
                Err(Attempt::Fatal(error)) => return Err(error),
                Err(Attempt::Retry(failure)) => failure,
            };
            let stream = failure.stream;
            let (used, max) = if failure.stream {
                stream_retries += 1;
                (stream_retries, limits.stream_max_retries)
            } else {
                request_retries += 1;
                (request_retries, limits.request_max_retries)
            };
            let Failure { reason, status, retry_after, .. } = failure;
            if used > max {
                return Err(ModelError::RetriesSpent { attempts: used, last: reason, status, stream });
            }
            let (delay, note) = limits.delay(used, retry_after);
            let reason = match note {
                Some(note) => format!("{reason}; {note}"),
                None => reason,
            };
            observer
                .observe(ClientEvent::Retrying {
                    attempt: used,
                    max_retries: max,
                    delay,
                    reason,
                    status,
                    stream,
                })
                .await;
            tokio::time::sleep(delay).await;
        }
    }

    /// One request: its response headers within the headers timeout, then its stream.
    async fn attempt<O: Observer>(
        &self,
        body: &[u8],
        number: u64,
        observer: &mut O,
    ) -> Result<ModelResponse, Attempt> {
        let wire_api = self.endpoint.wire_api;
        let url = format!("{}/{}", self.endpoint.base_url.trim_end_matches('/'), wire_api.path());
        let limits = &self.endpoint.limits;
        let http = super::http::client(self.transport, limits.connect_timeout)
            .map_err(|e| Attempt::Fatal(ModelError::Setup(e)))?;
        let sent = http.post(&url).headers(self.headers()).body(body.to_vec()).send();
        let response = match tokio::time::timeout(limits.headers_timeout, sent).await {
            Err(_) => {
                return Err(Attempt::request(format!(
                    "no response headers from {url} within {} ms (response_headers_timeout_ms)",
                    limits.headers_timeout.as_millis()
                )))
            }
            // No other timeout is set on the HTTP client: this one is the connect timeout.
            Ok(Err(e)) if e.is_timeout() => {
                return Err(Attempt::request(format!(
                    "cannot connect to {url} within {} ms (connect_timeout_ms)",
                    limits.connect_timeout.as_millis()
                )))
            }
            Ok(Err(e)) => return Err(Attempt::request(format!("cannot reach {url}: {}", error_chain(&e)))),
            Ok(Ok(response)) => response,
        };
        if !response.status().is_success() {
            return Err(refused(response, limits.headers_timeout).await);
        }
        let idle = limits.stream_idle_timeout;
        match wire_api {
            WireApi::Responses => {
                super::stream::read(response, idle, observer, super::stream::ResponsesDecoder::default())
                    .await
            }
            WireApi::Chat => {
                super::stream::read(response, idle, observer, super::chat::stream::ChatDecoder::new(number))
                    .await
            }
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(mut value) = HeaderValue::from_str(value) {
                // The key is kept out of any debug output of the request.
                value.set_sensitive(name == "authorization");
                headers.insert(name, value);
            }
        };
        if let Some(key) = &self.endpoint.api_key {
            put("authorization", &format!("Bearer {key}"));
        }
        put("originator", &self.endpoint.originator);
        put("session_id", &self.conversation_id);
        put("conversation_id", &self.conversation_id);
        if let Some(subagent) = self.subagent {
            put("x-openai-subagent", subagent);
        }
        put("version", env!("CARGO_PKG_VERSION"));
        put("user-agent", &user_agent(&self.endpoint.originator));
        put("accept", "text/event-stream");
        put("content-type", "application/json");
        headers
    }
}

/// A response that is not a success: 429 and 5xx are worth another attempt (after
/// `Retry-After`, when given); anything else is final. At most [`MAX_ERROR_BODY_BYTES`] of its
/// body are read, for at most `within`.
async fn refused(response: reqwest::Response, within: Duration) -> Attempt {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = error_body(response, within).await;
    let code = status.as_u16();
    if code == 429 || status.is_server_error() {
        Attempt::Retry(Failure {
            reason: format!("{status}: {}", text.trim()),
            status: Some(code),
            retry_after,
            stream: false,
        })
    } else {
        Attempt::Fatal(ModelError::Rejected { status: code, body: text.trim().to_owned() })
    }
}

/// The start of an error response's body: what arrived of its first
/// [`MAX_ERROR_BODY_BYTES`] until it ended or broke, or `within` passed.
async fn error_body(response: reqwest::Response, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while body.len() < MAX_ERROR_BODY_BYTES {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(MAX_ERROR_BODY_BYTES);
    String::from_utf8_lossy(&body).into_owned()
}

/// What to do about a refused request, where it is clear.
fn rejection_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => " (check the API key: CODEX_API_KEY, or the provider's env_key such as OPENAI_API_KEY)",
        404 => " (check the base URL: OPENAI_BASE_URL or model_providers.<id>.base_url, to which `/responses` or `/chat/completions` is appended, and the model name)",
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

/// An error with its causes, `: `-separated.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
