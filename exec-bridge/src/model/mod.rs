//! The model side: an OpenAI Responses-compatible server over HTTP and server-sent events.

pub mod client;
pub mod events;
pub mod request;
pub mod sse;

pub use client::{ClientEvent, Endpoint, ModelClient, ModelError, ModelResponse};
pub use events::{StreamDelta, TokenUsage};
