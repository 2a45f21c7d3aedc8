//! The scripted server's lists of models, as LM Studio and Ollama give theirs (so that it can
//! stand in for either with `--oss`).

/// A list of the server's models, in the form of the server that has the path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Listing {
    /// `GET …/models`, as OpenAI and LM Studio answer it.
    OpenAi,
    /// `GET /api/tags`, as Ollama answers it.
    Ollama,
}

impl Listing {
    pub(crate) fn of(path: &str) -> Option<Listing> {
        if path.ends_with("/models") {
            Some(Listing::OpenAi)
        } else if path == "/api/tags" {
            Some(Listing::Ollama)
        } else {
            None
        }
    }

    pub(crate) fn body(self, models: &[String]) -> String {
        let body = match self {
            Listing::OpenAi => serde_json::json!({
                "object": "list",
                "data": models.iter().map(|id| serde_json::json!({"id": id, "object": "model"})).collect::<Vec<_>>()
            }),
            Listing::Ollama => serde_json::json!({
                "models": models.iter().map(|name| serde_json::json!({"name": name, "model": name})).collect::<Vec<_>>()
            }),
        };
        body.to_string()
    }
}
