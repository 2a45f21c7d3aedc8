//! The two APIs a model server may speak, as `model_providers.<id>.wire_api` names them: the
//! Responses API (`POST /responses`, the default) and Chat Completions (`POST
//! /chat/completions`, which Ollama and most other servers speak).

use super::chat;
use super::items::KnownItem;
use super::request::{self, RequestSettings};

/// The API a provider speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WireApi {
    /// The Responses API.
    #[default]
    Responses,
    /// The Chat Completions API.
    Chat,
}

impl WireApi {
    /// Reads the value of `wire_api`; `None` for a value that names no API.
    pub fn parse(value: &str) -> Option<WireApi> {
        match value {
            "responses" => Some(WireApi::Responses),
            "chat" => Some(WireApi::Chat),
            _ => None,
        }
    }

    /// The path appended to the provider's base URL.
    pub fn path(self) -> &'static str {
        match self {
            WireApi::Responses => "responses",
            WireApi::Chat => "chat/completions",
        }
    }

    /// The request body for `input` in this API, as the JSON bytes sent.
    pub fn body(self, settings: &RequestSettings, input: &[&KnownItem]) -> Vec<u8> {
        match self {
            WireApi::Responses => request::body(settings, input),
            WireApi::Chat => chat::request::body(settings, input),
        }
    }
}
