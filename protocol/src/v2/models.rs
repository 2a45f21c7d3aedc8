//! `model/list`: the models a client may pick.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policy::ReasoningEffort;

/// Params of `model/list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ModelListParams {
    /// Where to continue: the `nextCursor` of the previous page. Absent for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cursor: Option<String>,
    /// The most models to return; the server picks when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// Result of `model/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ModelListResponse {
    /// The models of this page.
    pub data: Vec<Model>,
    /// Pass it as `cursor` for the next page; `null` exactly when nothing remains.
    pub next_cursor: Option<String>,
}

/// A model a client may pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct Model {
    /// The id to pass as `model`.
    pub id: String,
    /// The model's name at the provider.
    pub model: String,
    /// A name to show.
    pub display_name: String,
    /// What the model is good at, for a human.
    pub description: String,
    /// The reasoning efforts the model accepts.
    pub supported_reasoning_efforts: Vec<ReasoningEffortOption>,
    /// The effort used when none is asked for.
    pub default_reasoning_effort: ReasoningEffort,
    /// Whether this is the model used when none is asked for.
    pub is_default: bool,
}

/// One reasoning effort a model accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReasoningEffortOption {
    /// The effort.
    pub reasoning_effort: ReasoningEffort,
    /// What it means for this model, for a human.
    pub description: String,
}
