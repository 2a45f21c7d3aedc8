//! A tool call of the model, parsed: which tool, with which typed arguments, and how its output
//! goes back (a function call's output, or a custom tool call's).

use super::model::KnownItem;
use super::tools::shell::{CommandForm, ShellArgs};
use super::tools::shell_command::ShellCommandArgs;
use super::tools::{ApplyPatchArgs, PlanArgs, ViewImageArgs};

/// One call to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ToolCall {
    /// Pairs the call with its output.
    pub(super) call_id: String,
    /// Whether the output is a custom tool call's.
    pub(super) custom: bool,
    /// What to run.
    pub(super) tool: Tool,
}

/// The tools, with their arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tool {
    /// Run a command.
    Shell(ShellArgs),
    /// Run a command line in the user's shell.
    ShellCommand(ShellCommandArgs),
    /// Apply a patch (the patch text).
    ApplyPatch(String),
    /// Set the plan.
    UpdatePlan(PlanArgs),
    /// Attach an image.
    ViewImage(ViewImageArgs),
    /// A tool this runtime does not offer; the text tells the model.
    Unsupported(String),
    /// Arguments that do not fit the tool; the text tells the model what is wrong.
    InvalidArguments(String),
}

impl ToolCall {
    /// The call `item` makes, if it is a tool call.
    pub(super) fn from_item(item: &KnownItem) -> Option<ToolCall> {
        let (call_id, custom, tool) = match item {
            KnownItem::FunctionCall { name, arguments, call_id, .. } => {
                (call_id.clone(), false, function(name, arguments))
            }
            KnownItem::CustomToolCall { name, input, call_id, .. } => {
                let tool = match name.as_str() {
                    "apply_patch" => Tool::ApplyPatch(input.clone()),
                    other => Tool::Unsupported(format!("unsupported tool `{other}`")),
                };
                (call_id.clone(), true, tool)
            }
            KnownItem::LocalShellCall { id, call_id, action, .. } => {
                let call_id = call_id.clone().or_else(|| id.clone()).unwrap_or_default();
                let args = ShellArgs {
                    command: CommandForm::Argv(action.command.clone()),
                    workdir: action.working_directory.clone(),
                    timeout_ms: action.timeout_ms,
                    with_escalated_permissions: None,
                    justification: None,
                };
                (call_id, false, shell(args))
            }
            _ => return None,
        };
        Some(ToolCall { call_id, custom, tool })
    }
}

/// A function call by name, its JSON arguments read into the tool's argument type.
fn function(name: &str, arguments: &str) -> Tool {
    fn parse<T: serde::de::DeserializeOwned>(name: &str, arguments: &str, tool: fn(T) -> Tool) -> Tool {
        match serde_json::from_str::<T>(arguments) {
            Ok(args) => tool(args),
            Err(e) => Tool::InvalidArguments(format!("invalid arguments for {name}: {e}")),
        }
    }
    match name {
        "shell" | "container.exec" => parse(name, arguments, shell),
        "shell_command" => parse(name, arguments, Tool::ShellCommand),
        "apply_patch" => parse(name, arguments, |args: ApplyPatchArgs| Tool::ApplyPatch(args.input)),
        "update_plan" => parse(name, arguments, Tool::UpdatePlan),
        "view_image" => parse(name, arguments, Tool::ViewImage),
        other => Tool::Unsupported(format!("unsupported call: {other}")),
    }
}

/// A shell command, except `apply_patch PATCH` given to the shell, which is a patch.
fn shell(args: ShellArgs) -> Tool {
    if let CommandForm::Argv(argv) = &args.command {
        if let [program, patch] = argv.as_slice() {
            if program == "apply_patch" || program == "applypatch" {
                return Tool::ApplyPatch(patch.clone());
            }
        }
    }
    Tool::Shell(args)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::model::ResponseItem;

    fn call(value: serde_json::Value) -> Option<ToolCall> {
        match ResponseItem::from_value(value) {
            ResponseItem::Known(known) => ToolCall::from_item(&known),
            ResponseItem::Unknown(other) => panic!("not a known item: {other}"),
        }
    }

    #[test]
    fn calls_parse_into_their_tools() {
        let shell = call(json!({"type": "function_call", "name": "shell", "call_id": "c1",
            "arguments": "{\"command\": [\"ls\"], \"timeout_ms\": 5}"}))
        .unwrap();
        assert_eq!((shell.call_id.as_str(), shell.custom), ("c1", false));
        assert!(matches!(shell.tool, Tool::Shell(ShellArgs { timeout_ms: Some(5), .. })));

        let patch = call(json!({"type": "custom_tool_call", "name": "apply_patch", "call_id": "p", "input": "*** Begin Patch"}))
            .unwrap();
        assert_eq!((patch.custom, patch.tool), (true, Tool::ApplyPatch("*** Begin Patch".into())));

        let via_shell = call(json!({"type": "function_call", "name": "shell", "call_id": "s",
            "arguments": "{\"command\": [\"apply_patch\", \"PATCH\"]}"}))
        .unwrap();
        assert_eq!(via_shell.tool, Tool::ApplyPatch("PATCH".into()));

        let local = call(json!({"type": "local_shell_call", "id": "ls_1", "status": "completed",
            "action": {"type": "exec", "command": ["pwd"], "working_directory": "src"}}))
        .unwrap();
        assert_eq!(local.call_id, "ls_1");
        assert!(matches!(local.tool, Tool::Shell(ShellArgs { workdir: Some(_), .. })));
    }

    #[test]
    fn bad_arguments_and_unknown_tools_are_told_to_the_model() {
        let bad = call(
            json!({"type": "function_call", "name": "shell", "call_id": "c", "arguments": "{\"cmd\": 1}"}),
        )
        .unwrap();
        assert!(
            matches!(bad.tool, Tool::InvalidArguments(m) if m.starts_with("invalid arguments for shell"))
        );
        let unknown =
            call(json!({"type": "function_call", "name": "teleport", "call_id": "c", "arguments": "{}"}))
                .unwrap();
        assert_eq!(unknown.tool, Tool::Unsupported("unsupported call: teleport".into()));
        let line = call(json!({"type": "function_call", "name": "shell_command", "call_id": "c",
            "arguments": "{\"command\": \"ls | wc -l\"}"}))
        .unwrap();
        assert!(
            matches!(line.tool, Tool::ShellCommand(ShellCommandArgs { ref command, .. }) if command == "ls | wc -l")
        );
        let bad_line = call(json!({"type": "function_call", "name": "shell_command", "call_id": "c",
            "arguments": "{\"command\": [\"ls\"]}"}))
        .unwrap();
        assert!(
            matches!(bad_line.tool, Tool::InvalidArguments(m) if m.starts_with("invalid arguments for shell_command"))
        );
        assert!(call(json!({"type": "message", "role": "assistant", "content": []})).is_none());
    }
}
