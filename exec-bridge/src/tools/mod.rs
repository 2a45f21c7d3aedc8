//! The tools the model can call, and their definitions as the model sees them.

pub mod apply_patch;
pub mod shell;

use serde_json::{json, Value};

/// The definitions sent in the request's `tools`: `shell`, `apply_patch` and `update_plan`
/// always, `view_image` and the provider's `web_search` when enabled.
pub fn definitions(view_image: bool, web_search: bool) -> Vec<Value> {
    let mut tools = vec![
        json!({
            "type": "function",
            "name": "shell",
            "description": "Runs a shell command and returns its output.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute, as argv."},
                    "workdir": {"type": "string", "description": "The working directory to execute the command in."},
                    "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds."},
                    "with_escalated_permissions": {"type": "boolean", "description": "Whether to request running the command without the sandbox."},
                    "justification": {"type": "string", "description": "Why escalated permissions are needed; shown to the user."}
                },
                "required": ["command"],
                "additionalProperties": false
            }
        }),
        json!({
            "type": "function",
            "name": "apply_patch",
            "description": "Edits files with a patch in the `*** Begin Patch` / `*** End Patch` format: `*** Add File: PATH` followed by `+` lines, `*** Delete File: PATH`, or `*** Update File: PATH` (optionally `*** Move to: PATH`) followed by `@@` edits of ` `, `-` and `+` lines.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {"input": {"type": "string", "description": "The entire patch."}},
                "required": ["input"],
                "additionalProperties": false
            }
        }),
        json!({
            "type": "function",
            "name": "update_plan",
            "description": "Updates the task plan: a list of steps, each pending, in_progress or completed.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "explanation": {"type": "string"},
                    "plan": {"type": "array", "items": {"type": "object", "properties": {
                        "step": {"type": "string"},
                        "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}
                    }, "required": ["step", "status"], "additionalProperties": false}}
                },
                "required": ["plan"],
                "additionalProperties": false
            }
        }),
    ];
    if view_image {
        tools.push(json!({
            "type": "function",
            "name": "view_image",
            "description": "Attaches a local image (by filesystem path) to the conversation.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string", "description": "Local filesystem path to an image file."}},
                "required": ["path"],
                "additionalProperties": false
            }
        }));
    }
    if web_search {
        tools.push(json!({"type": "web_search"}));
    }
    tools
}

/// The arguments of `update_plan`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct PlanArgs {
    /// Why the plan changed.
    #[serde(default)]
    pub explanation: Option<String>,
    /// The steps.
    pub plan: Vec<PlanStep>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct PlanStep {
    /// What the step is.
    pub step: String,
    /// `pending`, `in_progress` or `completed`.
    pub status: StepStatus,
}

/// The status of a plan step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Under way.
    InProgress,
    /// Done.
    Completed,
}

/// The arguments of `view_image`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ViewImageArgs {
    /// The image file.
    pub path: String,
}

/// A local image as a `data:` URL, for the model.
pub fn image_data_url(path: &std::path::Path) -> std::io::Result<String> {
    use base64::Engine;
    let bytes = std::fs::read(path)?;
    let mime = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    };
    Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}
