//! The tools the model can call, and their definitions as the model sees them.

pub mod apply_patch;
pub mod family;
pub mod one_off;
pub mod process;
pub mod shell;
pub mod shell_command;

use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The definitions sent in the request's `tools`: `shell`, `apply_patch` and `update_plan`
/// always, `view_image` and the provider's `web_search` when enabled. Each function's parameters
/// are the JSON Schema of its argument type, so that what the model is told and what is parsed
/// cannot drift apart.
pub fn definitions(view_image: bool, web_search: bool) -> Vec<Value> {
    // Generating the schemas took a quarter of a thread's start (27 of 104 µs): once per process
    // for each of the four sets.
    static SETS: [std::sync::OnceLock<Vec<Value>>; 4] = [const { std::sync::OnceLock::new() }; 4];
    SETS[usize::from(view_image) * 2 + usize::from(web_search)]
        .get_or_init(|| generate(view_image, web_search))
        .clone()
}

fn generate(view_image: bool, web_search: bool) -> Vec<Value> {
    let mut tools = vec![
        function::<shell::ShellArgs>("shell", "Runs a shell command and returns its output."),
        function::<ApplyPatchArgs>("apply_patch", APPLY_PATCH_DESCRIPTION),
        function::<PlanArgs>(
            "update_plan",
            "Updates the task plan: a list of steps, each pending, in_progress or completed.",
        ),
    ];
    if view_image {
        tools.push(function::<ViewImageArgs>(
            "view_image",
            "Attaches a local image (by filesystem path) to the conversation.",
        ));
    }
    if web_search {
        tools.push(json!({"type": "web_search"}));
    }
    tools
}

/// `tools` with its shell tool the one Codex 0.63 offers `model`: `shell_command` for the
/// models of [`shell_command::offered_to`], `shell` for the others; the other tools are kept.
pub fn for_model(mut tools: Vec<Value>, model: &str) -> Vec<Value> {
    static SHELL: std::sync::OnceLock<[Value; 2]> = std::sync::OnceLock::new();
    let [shell, shell_command] = SHELL.get_or_init(|| {
        [
            function::<shell::ShellArgs>("shell", "Runs a shell command and returns its output."),
            function::<shell_command::ShellCommandArgs>(
                "shell_command",
                "Runs a command line in the user's default shell and returns its output. Set `workdir` rather than using `cd`.",
            ),
        ]
    });
    let wanted = if shell_command::offered_to(model) { shell_command } else { shell };
    for tool in &mut tools {
        if matches!(tool["name"].as_str(), Some("shell" | "shell_command")) {
            *tool = wanted.clone();
        }
    }
    tools
}

const APPLY_PATCH_DESCRIPTION: &str = "Edits files with a patch in the `*** Begin Patch` / `*** End Patch` format: `*** Add File: PATH` followed by `+` lines, `*** Delete File: PATH`, or `*** Update File: PATH` (optionally `*** Move to: PATH`) followed by `@@` edits of ` `, `-` and `+` lines.";

/// A function tool whose parameters are the schema of `T`.
fn function<T: JsonSchema>(name: &str, description: &str) -> Value {
    json!({
        "type": "function",
        "name": name,
        "description": description,
        "strict": false,
        "parameters": parameters::<T>(),
    })
}

/// The JSON Schema of `T` in the plain form function tools use: inlined, every object closed
/// (`additionalProperties: false`), an optional field typed as its value (not `null`), and
/// without titles, formats and bounds.
pub fn parameters<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07()
        .with(|settings| {
            settings.inline_subschemas = true;
            settings.meta_schema = None;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(root) = schema.as_object_mut() {
        root.remove("description");
    }
    simplify(&mut schema);
    schema
}

fn simplify(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            for key in ["title", "format", "minimum", "$schema", "default"] {
                object.remove(key);
            }
            drop_null_type(object);
            if object.get("type").and_then(Value::as_str) == Some("object") {
                object.insert("additionalProperties".into(), Value::Bool(false));
            }
            object.values_mut().for_each(simplify);
        }
        Value::Array(items) => items.iter_mut().for_each(simplify),
        _ => {}
    }
}

/// `"type": ["string", "null"]` becomes `"type": "string"`.
fn drop_null_type(object: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = object.get("type") {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if kept.len() == 1 {
            object.insert("type".into(), kept[0].clone());
        }
    }
}

/// The arguments of `apply_patch` as a function tool.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, JsonSchema)]
pub struct ApplyPatchArgs {
    /// The entire patch.
    pub input: String,
}

/// The arguments of `update_plan`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, JsonSchema)]
pub struct PlanArgs {
    /// Why the plan changed.
    #[serde(default)]
    pub explanation: Option<String>,
    /// The steps.
    pub plan: Vec<PlanStep>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, JsonSchema)]
pub struct PlanStep {
    /// What the step is.
    pub step: String,
    /// `pending`, `in_progress` or `completed`.
    pub status: StepStatus,
}

/// The status of a plan step: not started, under way, or done. (The variants carry no doc
/// comments, so that the schema the model sees is a plain `enum` of the three names.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    InProgress,
    Completed,
}

/// The arguments of `view_image`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, JsonSchema)]
pub struct ViewImageArgs {
    /// Local filesystem path to an image file.
    pub path: String,
}

/// The largest image file sent to the model (`view_image`, or a local image of a turn):
/// 20 MiB. A larger one is refused without being read.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// A local image as a `data:` URL, for the model: a regular file of at most
/// [`MAX_IMAGE_BYTES`] (see [`crate::bounded::read_regular`]).
pub fn image_data_url(path: &std::path::Path) -> Result<String, crate::bounded::FileError> {
    use base64::Engine;
    let bytes = crate::bounded::read_regular(path, MAX_IMAGE_BYTES)?;
    let mime = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    };
    Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_tool_is_described_from_its_argument_type() {
        let shell = &definitions(false, false)[0];
        assert_eq!(
            shell["parameters"],
            json!({
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
            })
        );
    }

    #[test]
    fn every_tool_is_a_closed_object_and_optional_fields_are_not_nullable() {
        let tools = definitions(true, true);
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap_or("web_search")).collect();
        assert_eq!(names, ["shell", "apply_patch", "update_plan", "view_image", "web_search"]);
        let plan = &tools[2]["parameters"];
        assert_eq!(plan["required"], json!(["plan"]));
        assert_eq!(plan["properties"]["explanation"]["type"], "string");
        let step = &plan["properties"]["plan"]["items"];
        assert_eq!(step["additionalProperties"], false);
        assert_eq!(step["properties"]["status"]["enum"], json!(["pending", "in_progress", "completed"]));
        assert_eq!(tools[1]["parameters"]["required"], json!(["input"]));
        assert!(!tools.iter().any(|t| t.to_string().contains("null")), "no nullable types");
    }

    #[test]
    fn the_shell_tool_follows_the_model() {
        let names = |tools: &[Value]| -> Vec<String> {
            tools.iter().map(|t| t["name"].as_str().unwrap_or("web_search").to_owned()).collect()
        };
        let codex = for_model(definitions(true, false), "gpt-5.1-codex-max");
        assert_eq!(names(&codex), ["shell_command", "apply_patch", "update_plan", "view_image"]);
        assert_eq!(
            codex[0]["parameters"]["properties"]["command"],
            json!({"type": "string", "description": "The command line, run by the user's default shell."})
        );
        assert_eq!(codex[0]["parameters"]["required"], json!(["command"]));
        let other = for_model(codex, "gpt-4.1");
        assert_eq!(names(&other)[0], "shell");
        assert_eq!(other[0], definitions(false, false)[0]);
    }
}
