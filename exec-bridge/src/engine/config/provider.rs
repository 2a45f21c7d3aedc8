//! Model providers: the built-in ones (`openai`, `lmstudio`, `ollama`) and those of
//! `[model_providers.<id>]`, with their timeouts and retries ([`RequestLimits`]).

use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;
use crate::engine::local::LocalServer;
use crate::engine::model::{RequestLimits, WireApi};

/// The keys of `[model_providers.<id>]`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProviderToml {
    /// Accepted (users' files have it); nothing shows it yet.
    #[allow(dead_code)]
    name: Option<String>,
    base_url: Option<String>,
    env_key: Option<String>,
    /// The API the provider speaks: `responses` (the default) or `chat` (Chat Completions).
    wire_api: Option<String>,
    request_max_retries: Option<u32>,
    stream_max_retries: Option<u32>,
    stream_idle_timeout_ms: Option<u64>,
    connect_timeout_ms: Option<u64>,
    response_headers_timeout_ms: Option<u64>,
    retry_after_max_ms: Option<u64>,
}

/// A model provider, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    /// Its id in the configuration, for example `openai`.
    pub id: String,
    /// The base URL; the API's path (`/responses`, `/chat/completions`) is appended.
    pub base_url: String,
    /// The API it speaks.
    pub wire_api: WireApi,
    /// The environment variable holding its API key.
    pub env_key: Option<String>,
    /// Its timeouts and retries (each retry count at most
    /// [`crate::engine::model::retry::MAX_RETRIES`]).
    pub limits: RequestLimits,
}

/// The provider `id`: a built-in one, changed by `own` (its `[model_providers.<id>]`) when
/// given, or one defined there. `OPENAI_BASE_URL`, when set, is the base URL of `openai`.
pub(super) fn resolve(
    id: &str,
    own: Option<&ProviderToml>,
    vars: &super::Vars,
) -> Result<Provider, ConfigError> {
    let builtin = builtin(id);
    let mut provider = match (own, builtin) {
        (None, Some(builtin)) => builtin,
        (None, None) => return Err(ConfigError::UnknownProvider(id.to_owned())),
        (Some(own), builtin) => {
            let wire_api = match own.wire_api.as_deref() {
                None => builtin.as_ref().map_or(WireApi::Responses, |b| b.wire_api),
                Some(value) => WireApi::parse(value).ok_or_else(|| ConfigError::WireApi {
                    provider: id.to_owned(),
                    wire_api: value.to_owned(),
                })?,
            };
            let base_url = own.base_url.clone().or_else(|| builtin.as_ref().map(|b| b.base_url.clone()));
            let Some(base_url) = base_url else { return Err(ConfigError::UnknownProvider(id.to_owned())) };
            Provider {
                id: id.to_owned(),
                base_url,
                wire_api,
                env_key: own.env_key.clone().or_else(|| builtin.and_then(|b| b.env_key)),
                limits: limits(own),
            }
        }
    };
    if provider.id == "openai" {
        if let Some(url) = vars.get("OPENAI_BASE_URL") {
            provider.base_url = url.to_owned();
        }
    }
    if provider.id == "ollama" && own.and_then(|own| own.base_url.as_ref()).is_none() {
        // As Codex: `CODEX_OSS_BASE_URL`, else `CODEX_OSS_PORT` on localhost.
        if let Some(url) = vars.get("CODEX_OSS_BASE_URL").filter(|url| !url.trim().is_empty()) {
            provider.base_url = url.trim().to_owned();
        } else if let Some(port) = vars.get("CODEX_OSS_PORT").and_then(|port| port.trim().parse::<u16>().ok())
        {
            provider.base_url = format!("http://localhost:{port}/v1");
        }
    }
    Ok(provider)
}

/// The local servers `--oss` may use: the one `named` (`--local-provider`, else
/// `oss_provider`), else both, LM Studio first; each as a provider (`[model_providers.<id>]`
/// may change its base URL).
pub(super) fn local(
    named: Option<&str>,
    own: &std::collections::BTreeMap<String, ProviderToml>,
    vars: &super::Vars,
) -> Result<Vec<(LocalServer, Provider)>, ConfigError> {
    let servers = match named {
        Some(id) => vec![LocalServer::from_id(id).ok_or_else(|| ConfigError::OssProvider(id.to_owned()))?],
        None => vec![LocalServer::LmStudio, LocalServer::Ollama],
    };
    servers
        .into_iter()
        .map(|server| Ok((server, resolve(server.id(), own.get(server.id()), vars)?)))
        .collect()
}

/// The limits `own` sets, the defaults for the rest.
fn limits(own: &ProviderToml) -> RequestLimits {
    let default = RequestLimits::default();
    let ms = |value: Option<u64>, default: Duration| value.map_or(default, Duration::from_millis);
    RequestLimits {
        request_max_retries: own.request_max_retries.unwrap_or(default.request_max_retries),
        stream_max_retries: own.stream_max_retries.unwrap_or(default.stream_max_retries),
        connect_timeout: ms(own.connect_timeout_ms, default.connect_timeout),
        headers_timeout: ms(own.response_headers_timeout_ms, default.headers_timeout),
        stream_idle_timeout: ms(own.stream_idle_timeout_ms, default.stream_idle_timeout),
        retry_after_max: ms(own.retry_after_max_ms, default.retry_after_max),
    }
    .capped()
}

/// The providers known without configuration: OpenAI, and the local servers of `--oss`, LM
/// Studio (which speaks the Responses API) and Ollama (Chat Completions), as Codex has them.
fn builtin(id: &str) -> Option<Provider> {
    let (base_url, wire_api, env_key) = match id {
        "openai" => (super::OPENAI_BASE_URL, WireApi::Responses, Some("OPENAI_API_KEY")),
        "lmstudio" => ("http://localhost:1234/v1", WireApi::Responses, None),
        "ollama" => ("http://localhost:11434/v1", WireApi::Chat, None),
        _ => return None,
    };
    Some(Provider {
        id: id.to_owned(),
        base_url: base_url.to_owned(),
        wire_api,
        env_key: env_key.map(str::to_owned),
        limits: RequestLimits::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_has_a_key_and_retries_are_capped() {
        let own: ProviderToml = toml::from_str(
            "base_url = \"http://x\"\nrequest_max_retries = 1000\nconnect_timeout_ms = 1\nresponse_headers_timeout_ms = 2\nstream_idle_timeout_ms = 3\nretry_after_max_ms = 4\n",
        )
        .unwrap();
        let limits = resolve("mine", Some(&own), &Default::default()).unwrap().limits;
        assert_eq!(limits.request_max_retries, crate::engine::model::retry::MAX_RETRIES);
        assert_eq!(limits.stream_max_retries, 5);
        assert_eq!(
            [
                limits.connect_timeout,
                limits.headers_timeout,
                limits.stream_idle_timeout,
                limits.retry_after_max
            ],
            [1, 2, 3, 4].map(Duration::from_millis)
        );
        assert_eq!(resolve("ollama", None, &Default::default()).unwrap().limits, RequestLimits::default());
    }
}
