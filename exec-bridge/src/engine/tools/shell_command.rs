//! The `shell_command` tool: a command line run by the user's shell (`$SHELL -lc LINE`), which
//! Codex 0.63 offers instead of `shell` to the models of its `gpt-5.1` and Codex families. It
//! runs through exactly the same path as `shell` (safety verdict, approval, sandbox); only its
//! arguments and the text the model gets back differ.

use serde::Deserialize;

use super::shell::{self, CommandForm, ShellArgs, ShellOutput};

/// The arguments the model passes to `shell_command`. The field docs are what the model is told.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub struct ShellCommandArgs {
    /// The command line, run by the user's default shell.
    pub command: String,
    /// The working directory to execute the command in.
    #[serde(default)]
    pub workdir: Option<String>,
    /// The timeout for the command in milliseconds.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub timeout_ms: Option<u64>,
    /// Whether to request running the command without the sandbox.
    #[serde(default)]
    pub with_escalated_permissions: Option<bool>,
    /// Why escalated permissions are needed; shown to the user.
    #[serde(default)]
    pub justification: Option<String>,
}

impl ShellCommandArgs {
    /// The same call as a `shell` call: `[SHELL, "-lc", command]`, `shell` being the user's
    /// shell (see [`user_shell`]).
    pub fn into_shell(self, shell: String) -> ShellArgs {
        ShellArgs {
            command: CommandForm::Argv(vec![shell, "-lc".to_owned(), self.command]),
            workdir: self.workdir,
            timeout_ms: self.timeout_ms,
            with_escalated_permissions: self.with_escalated_permissions,
            justification: self.justification,
        }
    }
}

/// The user's shell, from the commands' environment: `SHELL` when it is an absolute path to
/// bash, zsh or sh (shells that take `-lc`), else `/bin/bash`.
pub fn user_shell(env: &[(String, String)]) -> String {
    let shell = env.iter().find(|(name, _)| name == "SHELL").map(|(_, value)| value.as_str());
    match shell {
        Some(path)
            if path.starts_with('/') && matches!(path.rsplit('/').next(), Some("bash" | "zsh" | "sh")) =>
        {
            path.to_owned()
        }
        _ => "/bin/bash".to_owned(),
    }
}

/// The tool output the model gets, as plain text (as the reference answers `shell_command`):
/// the exit code, the wall time in seconds to a tenth, then the (shortened) output.
pub fn model_output(output: &ShellOutput) -> String {
    format!(
        "Exit code: {}\nWall time: {:.1} seconds\nOutput:\n{}",
        output.exit_code,
        output.duration.as_secs_f64(),
        shell::shortened(&output.aggregated)
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_line_runs_in_the_users_shell_and_the_output_is_text() {
        let env = |shell: &str| vec![("SHELL".to_owned(), shell.to_owned())];
        assert_eq!(user_shell(&env("/usr/bin/zsh")), "/usr/bin/zsh");
        assert_eq!(user_shell(&env("/usr/bin/fish")), "/bin/bash");
        assert_eq!(user_shell(&env("bash")), "/bin/bash");
        assert_eq!(user_shell(&[]), "/bin/bash");
        let args: ShellCommandArgs =
            serde_json::from_str(r#"{"command":"echo hi | wc -c","workdir":"src","timeout_ms":5}"#).unwrap();
        let shell = args.into_shell("/bin/bash".into());
        assert_eq!(shell.command.argv(), ["/bin/bash", "-lc", "echo hi | wc -c"]);
        assert_eq!((shell.workdir.as_deref(), shell.timeout_ms), (Some("src"), Some(5)));
        let output = ShellOutput {
            exit_code: 3,
            aggregated: "hi\nerr\n".into(),
            stdout: "hi\n".into(),
            stderr: "err\n".into(),
            duration: Duration::from_millis(240),
            timed_out: false,
        };
        assert_eq!(model_output(&output), "Exit code: 3\nWall time: 0.2 seconds\nOutput:\nhi\nerr\n");
    }
}
