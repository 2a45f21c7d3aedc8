//! `model/list`: the model presets of Codex 0.63, with their reasoning efforts, paged as the
//! reference pages them (the cursor is the index of the next model).

use protocol::v2::{self, JsonRpcErrorError as RpcError, ReasoningEffort};

/// One preset: id, description, efforts (with what each means for it), whether it is the
/// default.
struct Preset {
    id: &'static str,
    description: &'static str,
    efforts: &'static [(ReasoningEffort, &'static str)],
    is_default: bool,
}

/// The presets, in the reference's order. (The reference lists `gpt-5.1-codex-max` as the
/// default here, while a thread started without a model gets `gpt-5.1-codex`, as ours does.)
const PRESETS: &[Preset] = &[
    Preset {
        id: "gpt-5.1-codex-max",
        description: "Latest Codex-optimized flagship for deep and fast reasoning.",
        efforts: &[
            (ReasoningEffort::Low, "Fast responses with lighter reasoning"),
            (ReasoningEffort::Medium, "Balances speed and reasoning depth for everyday tasks"),
            (ReasoningEffort::High, "Maximizes reasoning depth for complex problems"),
            (ReasoningEffort::Xhigh, "Extra high reasoning depth for complex problems"),
        ],
        is_default: true,
    },
    Preset {
        id: "gpt-5.1-codex",
        description: "Optimized for codex.",
        efforts: &[
            (ReasoningEffort::Low, "Fastest responses with limited reasoning"),
            (ReasoningEffort::Medium, "Dynamically adjusts reasoning based on the task"),
            (ReasoningEffort::High, "Maximizes reasoning depth for complex or ambiguous problems"),
        ],
        is_default: false,
    },
    Preset {
        id: "gpt-5.1-codex-mini",
        description: "Optimized for codex. Cheaper, faster, but less capable.",
        efforts: &[
            (ReasoningEffort::Medium, "Dynamically adjusts reasoning based on the task"),
            (ReasoningEffort::High, "Maximizes reasoning depth for complex or ambiguous problems"),
        ],
        is_default: false,
    },
    Preset {
        id: "gpt-5.1",
        description: "Broad world knowledge with strong general reasoning.",
        efforts: &[
            (
                ReasoningEffort::Low,
                "Balances speed with some reasoning; useful for straightforward queries and short explanations",
            ),
            (
                ReasoningEffort::Medium,
                "Provides a solid balance of reasoning depth and latency for general-purpose tasks",
            ),
            (ReasoningEffort::High, "Maximizes reasoning depth for complex or ambiguous problems"),
        ],
        is_default: false,
    },
];

impl Preset {
    fn model(&self) -> v2::Model {
        v2::Model {
            id: self.id.to_owned(),
            model: self.id.to_owned(),
            display_name: self.id.to_owned(),
            description: self.description.to_owned(),
            supported_reasoning_efforts: self
                .efforts
                .iter()
                .map(|(effort, description)| v2::ReasoningEffortOption {
                    reasoning_effort: *effort,
                    description: (*description).to_owned(),
                })
                .collect(),
            default_reasoning_effort: ReasoningEffort::Medium,
            is_default: self.is_default,
        }
    }
}

/// One page of the presets: from `cursor` (an index; the start when absent), at most `limit`
/// (all when absent, at least one). A cursor that is not a number, or lies past the end, is an
/// invalid request worded as the reference's, plus what to do.
pub fn list(params: &v2::ModelListParams) -> Result<v2::ModelListResponse, RpcError> {
    let start = match params.cursor.as_deref() {
        None => 0,
        Some(cursor) => cursor.parse::<usize>().map_err(|_| {
            RpcError::invalid_request(format!(
                "invalid cursor: {}; pass the nextCursor of the previous page, or none for the first",
                shorten(cursor)
            ))
        })?,
    };
    if start > PRESETS.len() {
        return Err(RpcError::invalid_request(format!(
            "cursor {start} exceeds total models {}; pass the nextCursor of the previous page, or none for the first",
            PRESETS.len()
        )));
    }
    let limit =
        params.limit.map_or(PRESETS.len(), |limit| usize::try_from(limit).unwrap_or(usize::MAX).max(1));
    let data: Vec<v2::Model> = PRESETS.iter().skip(start).take(limit).map(Preset::model).collect();
    let next = start + data.len();
    Ok(v2::ModelListResponse { data, next_cursor: (next < PRESETS.len()).then(|| next.to_string()) })
}

/// A client's cursor as it is echoed in an error: at most 64 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cursor: Option<&str>, limit: Option<u32>) -> Result<v2::ModelListResponse, RpcError> {
        list(&v2::ModelListParams { cursor: cursor.map(str::to_owned), limit })
    }

    fn ids(response: &v2::ModelListResponse) -> Vec<&str> {
        response.data.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn the_presets_page_as_the_reference_pages_them() {
        let all = page(None, None).unwrap();
        assert_eq!(ids(&all), ["gpt-5.1-codex-max", "gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5.1"]);
        assert_eq!(all.next_cursor, None);
        assert_eq!(all.data.iter().filter(|m| m.is_default).count(), 1);
        assert_eq!(all.data[0].supported_reasoning_efforts.len(), 4);
        let first = page(None, Some(1)).unwrap();
        assert_eq!((ids(&first), first.next_cursor.as_deref()), (vec!["gpt-5.1-codex-max"], Some("1")));
        let middle = page(Some("1"), Some(2)).unwrap();
        assert_eq!(middle.next_cursor.as_deref(), Some("3"));
        assert_eq!(ids(&page(None, Some(0)).unwrap()), ["gpt-5.1-codex-max"], "a limit of 0 is 1");
        let end = page(Some("4"), None).unwrap();
        assert!(end.data.is_empty() && end.next_cursor.is_none());
    }

    #[test]
    fn bad_cursors_are_invalid_requests_that_say_what_to_pass() {
        let past = page(Some("5"), None).unwrap_err();
        assert_eq!(past.code, -32600);
        assert!(past.message.starts_with("cursor 5 exceeds total models 4"), "{}", past.message);
        let junk = page(Some(&"x".repeat(1000)), None).unwrap_err();
        assert!(junk.message.starts_with("invalid cursor: xxx"), "{}", junk.message);
        assert!(junk.message.len() < 200 && junk.message.contains("nextCursor"), "{}", junk.message);
    }
}
