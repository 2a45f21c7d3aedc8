//! The tools the model can call, and their definitions as the model sees them.

pub mod apply_patch;
pub mod family;
pub mod one_off;
pub mod process;
pub mod script;
pub mod shell;
pub mod shell_command;

use family::{PatchTool, ShellTool};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The built-in tools offered to `model`, in the order Codex 0.63 sends them: its family's
/// shell tool ([`family::tools_of`]), the three MCP resource tools (always, as the reference
/// offers them), `update_plan`, its family's `apply_patch` if any, then `view_image` and the
/// provider's `web_search` when enabled. (An MCP server's own tools follow, once it started.)
/// Each function's parameters are the JSON Schema of its argument type, so that what the model
/// is told and what is parsed cannot drift apart.
pub fn definitions(model: &str, view_image: bool, web_search: bool) -> Vec<Value> {
    let (shell, patch) = family::tools_of(model);
    // Generating the schemas is a good part of a thread's start: once per process for each set.
    static SETS: [std::sync::OnceLock<Vec<Value>>; 36] = [const { std::sync::OnceLock::new() }; 36];
    let index =
        (shell as usize * 3 + patch as usize) * 4 + usize::from(view_image) * 2 + usize::from(web_search);
    SETS[index].get_or_init(|| generate(shell, patch, view_image, web_search)).clone()
}

fn generate(shell: ShellTool, patch: PatchTool, view_image: bool, web_search: bool) -> Vec<Value> {
    let mut tools = vec![match shell {
        ShellTool::Shell => function::<shell::ShellArgs>("shell", "Runs a shell command and returns its output."),
        ShellTool::ShellCommand => function::<shell_command::ShellCommandArgs>(
            "shell_command",
            "Runs a command line in the user's default shell and returns its output. Set `workdir` rather than using `cd`.",
        ),
        ShellTool::LocalShell => json!({"type": "local_shell"}),
    }];
    tools.extend(crate::engine::mcp::resource_definitions());
    tools.push(function::<PlanArgs>(
        "update_plan",
        "Updates the task plan: a list of steps, each pending, in_progress or completed.",
    ));
    match patch {
        PatchTool::Freeform => tools.push(json!({
            "type": "custom",
            "name": "apply_patch",
            "description": "Edits files with a patch. Send the patch itself as the input (plain text in the grammar below, not JSON).",
            "format": {"type": "grammar", "syntax": "lark", "definition": family::PATCH_GRAMMAR},
        })),
        PatchTool::Function => tools.push(function::<ApplyPatchArgs>("apply_patch", APPLY_PATCH_DESCRIPTION)),
        PatchTool::None => {}
    }
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

/// `tools` for a thread whose model became `model`: the built-in ones of its family (with
/// `view_image` and `web_search` as they were), then the MCP servers' tools as they were.
pub fn for_model(tools: Vec<Value>, model: &str) -> Vec<Value> {
    let view_image = tools.iter().any(|tool| tool["name"] == "view_image");
    let web_search = tools.iter().any(|tool| tool["type"] == "web_search");
    let mut rebuilt = definitions(model, view_image, web_search);
    rebuilt.extend(
        tools.into_iter().filter(|tool| tool["name"].as_str().is_some_and(|name| name.starts_with("mcp__"))),
    );
    rebuilt
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

    fn names(tools: &[Value]) -> Vec<String> {
        tools
            .iter()
            .map(|t| t["name"].as_str().or(t["type"].as_str()).unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn the_shell_tool_is_described_from_its_argument_type() {
        let shell = &definitions("gpt-4.1", false, false)[0];
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
        let tools = definitions("gpt-oss:20b", true, true);
        assert_eq!(
            names(&tools),
            [
                "shell",
                "list_mcp_resources",
                "list_mcp_resource_templates",
                "read_mcp_resource",
                "update_plan",
                "apply_patch",
                "view_image",
                "web_search"
            ]
        );
        let plan = &tools[4]["parameters"];
        assert_eq!(plan["required"], json!(["plan"]));
        assert_eq!(plan["properties"]["explanation"]["type"], "string");
        let step = &plan["properties"]["plan"]["items"];
        assert_eq!(step["additionalProperties"], false);
        assert_eq!(step["properties"]["status"]["enum"], json!(["pending", "in_progress", "completed"]));
        assert_eq!(tools[5]["parameters"]["required"], json!(["input"]));
        for tool in tools.iter().filter(|t| t["type"] == "function") {
            assert_eq!(tool["parameters"]["additionalProperties"], false, "{tool}");
        }
        let own: Vec<&Value> =
            tools.iter().filter(|t| !t["name"].as_str().unwrap_or("").contains("mcp")).collect();
        assert!(!own.iter().any(|t| t.to_string().contains("null")), "no nullable types");
    }

    #[test]
    fn each_family_gets_its_tools_in_the_reference_s_order() {
        let resources = ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"];
        let with = |first: &str, rest: &[&str]| -> Vec<String> {
            std::iter::once(first).chain(resources).chain(rest.iter().copied()).map(str::to_owned).collect()
        };
        let codex = definitions("gpt-5.1-codex", true, false);
        assert_eq!(names(&codex), with("shell_command", &["update_plan", "apply_patch", "view_image"]));
        assert_eq!(codex[5]["type"], "custom");
        assert_eq!(codex[5]["format"]["syntax"], "lark");
        assert_eq!(
            names(&definitions("gpt-4.1", true, false)),
            with("shell", &["update_plan", "view_image"])
        );
        assert_eq!(
            names(&definitions("codex-mini-latest", true, false)),
            with("local_shell", &["update_plan", "view_image"])
        );
    }

    #[test]
    fn the_tools_follow_the_model_and_keep_the_servers_tools() {
        let mut codex = definitions("gpt-5.1-codex-max", true, false);
        codex.push(json!({"type": "function", "name": "mcp__docs__search", "parameters": {}}));
        assert_eq!(
            codex[0]["parameters"]["properties"]["command"],
            json!({"type": "string", "description": "The command line, run by the user's default shell."})
        );
        assert_eq!(codex[0]["parameters"]["required"], json!(["command"]));
        let other = for_model(codex, "gpt-4.1");
        let mut expected = definitions("gpt-4.1", true, false);
        expected.push(json!({"type": "function", "name": "mcp__docs__search", "parameters": {}}));
        assert_eq!(other, expected);
    }
}
