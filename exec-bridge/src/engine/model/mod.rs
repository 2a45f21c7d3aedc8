//! The model side: an OpenAI Responses-compatible server (or a Chat Completions one, see
//! [`chat`]) over HTTP and server-sent events, and the typed items and events of that API.

pub mod chat;
pub mod client;
pub mod events;
pub mod http;
pub mod items;
pub mod request;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod wire;

pub use client::{ClientEvent, Endpoint, ModelClient, ModelError, ModelResponse, Observer};
pub use events::{StreamDelta, TokenUsage};
pub use items::{ContentPart, KnownItem, ResponseItem};
pub use retry::RequestLimits;
pub use wire::WireApi;
