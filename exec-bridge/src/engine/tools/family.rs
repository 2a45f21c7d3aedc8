//! Which shell tool and which `apply_patch` tool a model is offered, by its family, as Codex
//! 0.63 offers them (observed in its requests):
//!
//! | models | shell tool | `apply_patch` |
//! |---|---|---|
//! | `gpt-5.1…`, `gpt-5-codex…`, `codex-…` (but `codex-mini-latest`) | `shell_command` | free-form (a grammar) |
//! | `codex-mini-latest` | the built-in `local_shell` | none |
//! | `gpt-oss` models (`gpt-oss:20b`, `openai/gpt-oss-20b`) | `shell` | a function taking `input` |
//! | any other (`gpt-4.1`, `o3`, `gpt-5`, local models) | `shell` | none |

/// The shell tool a model gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellTool {
    /// `shell`: an argv.
    Shell,
    /// `shell_command`: a command line for the user's shell.
    ShellCommand,
    /// The Responses API's built-in `local_shell`.
    LocalShell,
}

/// The `apply_patch` tool a model gets, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchTool {
    /// A free-form (custom) tool whose input is the patch, described by [`PATCH_GRAMMAR`].
    Freeform,
    /// A function tool with the patch as its `input` argument.
    Function,
    /// None: the model edits files through the shell.
    None,
}

/// The tools of `model`'s family (see the module docs).
pub fn tools_of(model: &str) -> (ShellTool, PatchTool) {
    if model == "codex-mini-latest" {
        return (ShellTool::LocalShell, PatchTool::None);
    }
    if model.starts_with("gpt-5.1") || model.starts_with("gpt-5-codex") || model.starts_with("codex-") {
        return (ShellTool::ShellCommand, PatchTool::Freeform);
    }
    if model.contains("gpt-oss") {
        return (ShellTool::Shell, PatchTool::Function);
    }
    (ShellTool::Shell, PatchTool::None)
}

/// The tokens `model` can use of its context window, if known: 95% of the window (the rest is
/// kept for the answer), as the reference reports it (`258400` for `gpt-5.1-codex`).
pub fn usable_context_window(model: &str) -> Option<u64> {
    let window: u64 = if model.starts_with("gpt-5") || model.starts_with("codex-") {
        if model == "codex-mini-latest" {
            200_000
        } else {
            272_000
        }
    } else if model.contains("gpt-oss") {
        96_000
    } else if model.starts_with("o3") || model.starts_with("o4-mini") {
        200_000
    } else if model.starts_with("gpt-4.1") {
        1_047_576
    } else if model.starts_with("gpt-4o") {
        128_000
    } else {
        return None;
    };
    Some(window * 95 / 100)
}

/// The language of a patch, as a Lark grammar (this runtime's own wording of the format
/// [`super::apply_patch`] reads): the free-form `apply_patch` tool's format.
pub const PATCH_GRAMMAR: &str = r#"start: begin operation+ finish
begin: "*** Begin Patch" NL
finish: "*** End Patch" NL?

operation: add | delete | update
add: "*** Add File: " PATH NL added+
delete: "*** Delete File: " PATH NL
update: "*** Update File: " PATH NL rename? edit*
rename: "*** Move to: " PATH NL
edit: anchor? edited+ end_of_file?
anchor: "@@" (" " TEXT)? NL
added: "+" TEXT? NL
edited: /[ +-]/ TEXT? NL
end_of_file: "*** End of File" NL

PATH: /[^\n]+/
TEXT: /[^\n]+/
NL: "\n"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_gets_its_tools() {
        for (model, tools) in [
            ("gpt-5.1-codex", (ShellTool::ShellCommand, PatchTool::Freeform)),
            ("gpt-5.1-codex-max", (ShellTool::ShellCommand, PatchTool::Freeform)),
            ("gpt-5.1", (ShellTool::ShellCommand, PatchTool::Freeform)),
            ("gpt-5-codex-mini", (ShellTool::ShellCommand, PatchTool::Freeform)),
            ("codex-foo", (ShellTool::ShellCommand, PatchTool::Freeform)),
            ("codex-mini-latest", (ShellTool::LocalShell, PatchTool::None)),
            ("gpt-oss:20b", (ShellTool::Shell, PatchTool::Function)),
            ("openai/gpt-oss-20b", (ShellTool::Shell, PatchTool::Function)),
            ("gpt-5", (ShellTool::Shell, PatchTool::None)),
            ("gpt-4.1", (ShellTool::Shell, PatchTool::None)),
            ("qwen3-coder", (ShellTool::Shell, PatchTool::None)),
        ] {
            assert_eq!(tools_of(model), tools, "{model}");
        }
    }

    #[test]
    fn the_grammar_names_every_marker_the_parser_reads() {
        for marker in [
            "*** Begin Patch",
            "*** End Patch",
            "*** Add File: ",
            "*** Delete File: ",
            "*** Update File: ",
            "*** Move to: ",
            "*** End of File",
            "@@",
        ] {
            assert!(PATCH_GRAMMAR.contains(marker), "{marker}");
        }
    }
}
