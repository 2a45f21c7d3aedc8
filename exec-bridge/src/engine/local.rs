//! `--oss`: a model served on this machine by LM Studio or Ollama. Which one is
//! `--local-provider`, else `oss_provider` in config.toml, else whichever answers (both are
//! asked at once). The chosen server must answer and list the model (`-m`, else its default:
//! `openai/gpt-oss-20b` for LM Studio, `gpt-oss:20b` for Ollama); a missing model is reported
//! with the command that fetches it, never fetched behind the user's back. LM Studio is spoken
//! to with the Responses API, Ollama with Chat Completions, as Codex does.

use std::time::Duration;

use serde_json::Value;

use super::config::{Config, Provider};

/// How long a local server has to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a local server has to list its models.
const LIST_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes of a model list that are read.
const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

/// A local model server `--oss` can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalServer {
    /// LM Studio, on port 1234 by default.
    LmStudio,
    /// Ollama, on port 11434 by default.
    Ollama,
}

impl LocalServer {
    /// The server a provider id names (`lmstudio`, `ollama`).
    pub fn from_id(id: &str) -> Option<LocalServer> {
        match id {
            "lmstudio" => Some(LocalServer::LmStudio),
            "ollama" => Some(LocalServer::Ollama),
            _ => None,
        }
    }

    /// Its provider id.
    pub fn id(self) -> &'static str {
        match self {
            LocalServer::LmStudio => "lmstudio",
            LocalServer::Ollama => "ollama",
        }
    }

    /// Its name, for people.
    pub fn name(self) -> &'static str {
        match self {
            LocalServer::LmStudio => "LM Studio",
            LocalServer::Ollama => "Ollama",
        }
    }

    /// The model used when `-m` names none.
    pub fn default_model(self) -> &'static str {
        match self {
            LocalServer::LmStudio => "openai/gpt-oss-20b",
            LocalServer::Ollama => "gpt-oss:20b",
        }
    }

    /// What to do when it does not answer (the reference's words).
    fn not_running(self) -> &'static str {
        match self {
            LocalServer::LmStudio => {
                "LM Studio is not responding. Install from https://lmstudio.ai/download and run 'lms server start'."
            }
            LocalServer::Ollama => {
                "No running Ollama server detected. Start it with: `ollama serve` (after installing). Install instructions: https://github.com/ollama/ollama?tab=readme-ov-file#ollama"
            }
        }
    }

    /// The command that fetches `model`.
    fn fetch_command(self, model: &str) -> String {
        match self {
            LocalServer::LmStudio => format!("lms get {model}"),
            LocalServer::Ollama => format!("ollama pull {model}"),
        }
    }

    /// Where it lists its models, given its provider's base URL: `{base}/models` for LM Studio,
    /// `/api/tags` on the host for Ollama (whose base URL ends in `/v1`).
    fn list_url(self, base_url: &str) -> String {
        let base = base_url.trim_end_matches('/');
        match self {
            LocalServer::LmStudio => format!("{base}/models"),
            LocalServer::Ollama => format!("{}/api/tags", base.strip_suffix("/v1").unwrap_or(base)),
        }
    }

    /// Whether `models` (its list) holds `model`. Ollama lists names with their tag: a name
    /// without one is its `:latest`.
    fn has(self, models: &[String], model: &str) -> bool {
        let tagged = (self == LocalServer::Ollama && !model.contains(':')).then(|| format!("{model}:latest"));
        models.iter().any(|listed| listed == model || Some(listed) == tagged.as_ref())
    }

    /// The model names in its list.
    fn models(self, list: &Value) -> Option<Vec<String>> {
        let (entries, field) = match self {
            LocalServer::LmStudio => (list["data"].as_array()?, "id"),
            LocalServer::Ollama => (list["models"].as_array()?, "name"),
        };
        Some(entries.iter().filter_map(|entry| entry[field].as_str().map(str::to_owned)).collect())
    }
}

/// What `--oss` leaves to choose once the configuration is read: the servers to ask, in order
/// of preference, each with its provider, and the model `-m` named.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalChoice {
    /// One server when `--local-provider` or `oss_provider` names it; else both.
    pub candidates: Vec<(LocalServer, Provider)>,
    /// The model `-m` named; else the chosen server's default.
    pub model: Option<String>,
}

/// Why no local server can be used.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The named server does not answer.
    #[error("OSS setup failed: {advice} (asked {url}: {reason})")]
    NotRunning {
        /// What to do about it.
        advice: &'static str,
        /// Where it was asked.
        url: String,
        /// What happened.
        reason: String,
    },
    /// Neither server answers.
    #[error("OSS setup failed: no local model server answers: {0}. Start one (`lms server start` for LM Studio, `ollama serve` for Ollama), or point --oss at one with --local-provider or oss_provider in config.toml")]
    NoneRunning(String),
    /// The server answers but does not have the model.
    #[error("OSS setup failed: {server} does not have the model `{model}`; fetch it with `{fetch}`{listed}")]
    MissingModel {
        /// The server's name.
        server: &'static str,
        /// The model.
        model: String,
        /// The command that fetches it.
        fetch: String,
        /// The models it has, if any, as a sentence's end.
        listed: String,
    },
}

/// What one server said when asked for its models.
enum Answer {
    /// Its models (`None` when the list cannot be read: it answers, but what it has is unknown).
    Models(Option<Vec<String>>),
    /// It did not answer: why.
    Silent(String),
}

/// Chooses the local server for `config` (see the module docs) and sets its provider and model.
/// Returns what to tell the user about the choice when it was not named, or the model list
/// could not be read.
pub async fn select(config: &mut Config) -> Result<Option<String>, LocalError> {
    let Some(choice) = config.local.take() else { return Ok(None) };
    let answers = futures_util::future::join_all(
        choice.candidates.iter().map(|(server, provider)| ask(*server, provider)),
    )
    .await;
    let asked: Vec<_> = choice.candidates.into_iter().zip(answers).collect();
    let named = asked.len() == 1;
    let wanted =
        |server: LocalServer| choice.model.clone().unwrap_or_else(|| server.default_model().to_owned());
    let has_model = |server: LocalServer, answer: &Answer| match answer {
        Answer::Models(Some(models)) => server.has(models, &wanted(server)),
        _ => false,
    };
    let answering: Vec<usize> =
        (0..asked.len()).filter(|&i| matches!(asked[i].1, Answer::Models(_))).collect();
    // Of two servers that answer, the one that has the model; else the first.
    let chosen = answering
        .iter()
        .copied()
        .find(|&i| has_model(asked[i].0 .0, &asked[i].1))
        .or(answering.first().copied());
    let Some(chosen) = chosen else {
        return Err(silent(&asked));
    };
    let ((server, provider), answer) = &asked[chosen];
    let server = *server;
    let model = wanted(server);
    let mut notes = Vec::new();
    if !named {
        let others: Vec<String> = asked
            .iter()
            .filter(|((other, _), _)| *other != server)
            .map(|((other, provider), answer)| match answer {
                Answer::Silent(_) => format!("{} does not answer at {}", other.name(), provider.base_url),
                Answer::Models(_) => {
                    format!("{} answers too; pass --local-provider {} to use it", other.name(), other.id())
                }
            })
            .collect();
        notes.push(format!(
            "--oss: using {} at {} ({})",
            server.name(),
            provider.base_url,
            others.join("; ")
        ));
    }
    match answer {
        Answer::Models(Some(models)) if !server.has(models, &model) => {
            let listed = if models.is_empty() {
                String::new()
            } else {
                format!(", or pass -m with one it has: {}", shown(models))
            };
            return Err(LocalError::MissingModel {
                server: server.name(),
                fetch: server.fetch_command(&model),
                model,
                listed,
            });
        }
        Answer::Models(None) => notes.push(format!(
            "--oss: the model list of {} at {} cannot be read; trying `{model}` anyway",
            server.name(),
            server.list_url(&provider.base_url)
        )),
        _ => {}
    }
    config.provider = provider.clone();
    config.model = model;
    Ok((!notes.is_empty()).then(|| notes.join("\n")))
}

/// How many of a server's models an error names.
const SHOWN_MODELS: usize = 20;

/// The first [`SHOWN_MODELS`] names of `models`, for a message: control characters (a server's
/// names are its own) left out.
fn shown(models: &[String]) -> String {
    let clean = |name: &String| name.chars().filter(|c| !c.is_control()).take(200).collect::<String>();
    let mut text = models.iter().take(SHOWN_MODELS).map(clean).collect::<Vec<_>>().join(", ");
    if models.len() > SHOWN_MODELS {
        text.push_str(&format!(" (and {} more)", models.len() - SHOWN_MODELS));
    }
    text
}

/// The error when no server answered.
fn silent(asked: &[((LocalServer, Provider), Answer)]) -> LocalError {
    let reason = |answer: &Answer| match answer {
        Answer::Silent(reason) => reason.clone(),
        Answer::Models(_) => String::new(),
    };
    if let [((server, provider), answer)] = asked {
        return LocalError::NotRunning {
            advice: server.not_running(),
            url: server.list_url(&provider.base_url),
            reason: reason(answer),
        };
    }
    let each: Vec<String> = asked
        .iter()
        .map(|((server, provider), answer)| {
            let url = server.list_url(&provider.base_url);
            let port = reqwest::Url::parse(&url).ok().and_then(|url| url.port_or_known_default());
            let port = port.map_or_else(String::new, |port| format!(" on port {port}"));
            format!("{}{port} ({url}: {})", server.name(), reason(answer))
        })
        .collect();
    LocalError::NoneRunning(each.join(", nor "))
}

/// Asks `server` for its models, within [`CONNECT_TIMEOUT`] and [`LIST_TIMEOUT`].
async fn ask(server: LocalServer, provider: &Provider) -> Answer {
    let url = server.list_url(&provider.base_url);
    let transport = super::model::http::Transport::for_url(&url);
    let client = match super::model::http::client(transport, CONNECT_TIMEOUT) {
        Ok(client) => client,
        Err(reason) => return Answer::Silent(reason),
    };
    let listed = async {
        let response = client.get(&url).send().await.map_err(|e| root_cause(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("it answered {status}"));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            body.extend_from_slice(&chunk.map_err(|e| root_cause(&e))?);
            if body.len() > MAX_LIST_BYTES {
                return Ok(None);
            }
        }
        Ok(serde_json::from_slice::<Value>(&body).ok().and_then(|list| server.models(&list)))
    };
    match tokio::time::timeout(LIST_TIMEOUT, listed).await {
        Err(_) => Answer::Silent(format!("no answer within {} s", LIST_TIMEOUT.as_secs())),
        Ok(Err(reason)) => Answer::Silent(reason),
        Ok(Ok(models)) => Answer::Models(models),
    }
}

/// The innermost cause of `error` (for a refused connection: "Connection refused"), which
/// says what happened without the HTTP client's layers.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_server_lists_its_models_in_its_own_form() {
        assert_eq!(
            LocalServer::Ollama.list_url("http://localhost:11434/v1/"),
            "http://localhost:11434/api/tags"
        );
        assert_eq!(
            LocalServer::LmStudio.list_url("http://localhost:1234/v1"),
            "http://localhost:1234/v1/models"
        );
        let ollama = json!({"models": [{"name": "gpt-oss:20b", "model": "gpt-oss:20b"}]});
        assert_eq!(LocalServer::Ollama.models(&ollama), Some(vec!["gpt-oss:20b".to_owned()]));
        let lmstudio = json!({"object": "list", "data": [{"id": "openai/gpt-oss-20b"}]});
        assert_eq!(LocalServer::LmStudio.models(&lmstudio), Some(vec!["openai/gpt-oss-20b".to_owned()]));
        assert_eq!(LocalServer::LmStudio.models(&ollama), None);
    }

    #[test]
    fn an_ollama_name_without_a_tag_is_its_latest() {
        let listed = ["llama3.2:latest".to_owned(), "gpt-oss:20b".to_owned()];
        assert!(LocalServer::Ollama.has(&listed, "llama3.2"));
        assert!(LocalServer::Ollama.has(&listed, "gpt-oss:20b"));
        assert!(!LocalServer::Ollama.has(&listed, "gpt-oss"));
        assert!(!LocalServer::LmStudio.has(&listed, "llama3.2"));
    }

    #[test]
    fn a_long_or_hostile_model_list_is_shown_short_and_clean() {
        let many: Vec<String> = (0..25).map(|n| format!("m{n}\u{1b}[2J")).collect();
        let text = shown(&many);
        assert!(text.starts_with("m0[2J, m1[2J") && text.ends_with("m19[2J (and 5 more)"), "{text}");
    }
}
