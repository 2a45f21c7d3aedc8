//! Sandbox command assessment (`experimental_sandbox_command_assessment = true`): before a
//! command that needs approval is put to the user, a side request asks the model what the
//! command does and how risky it is. The request has a fresh context (its own instructions and
//! one user message of the command's metadata), no tools, and an output schema; it is given
//! [`ASSESSMENT_TIMEOUT`], after which (or when the model fails, or answers something else) the
//! approval goes out without an assessment, as the reference does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use super::items::{CommandRisk, RiskLevel};
use super::model::items::message_text;
use super::model::request::RequestSettings;
use super::model::{ClientEvent, KnownItem, Observer, ResponseItem};
use super::policy::{Policy, SandboxMode};
use super::thread::ThreadState;
use super::tools::shell;

/// How long the model is given to assess a command.
pub(super) const ASSESSMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// The instructions of the side request (as Codex 0.63 sends them).
const INSTRUCTIONS: &str = "You are a security analyst evaluating shell commands that were blocked by a sandbox. \
Given the provided metadata, summarize the command's likely intent and assess the risk to help the user decide \
whether to approve command execution. Return strictly valid JSON with the keys:
- description (concise summary of command intent and potential effects, no more than one sentence, use present tense)
- risk_level (\"low\", \"medium\", or \"high\")
Risk level examples:
- low: read-only inspections, listing files, printing configuration, fetching artifacts from trusted sources
- medium: modifying project files, installing dependencies
- high: deleting or overwriting data, exfiltrating secrets, escalating privileges, or disabling security controls
If information is insufficient, choose the most cautious risk level supported by the evidence.
Respond with JSON only, without markdown code fences or extra commentary.";

/// The longest description kept (the schema asks for at most 500 characters).
const MAX_DESCRIPTION_CHARS: usize = 500;

/// The schema the answer must follow.
fn output_schema() -> Value {
    json!({
        "type": "object",
        "required": ["description", "risk_level"],
        "properties": {
            "description": {"type": "string", "minLength": 1, "maxLength": MAX_DESCRIPTION_CHARS},
            "risk_level": {"type": "string", "enum": ["low", "medium", "high"]}
        },
        "additionalProperties": false
    })
}

/// What the model is told about the command.
pub(super) struct CommandFacts<'a> {
    /// The argv.
    pub(super) argv: &'a [String],
    /// Where it would run.
    pub(super) cwd: &'a Path,
    /// The thread's policy.
    pub(super) policy: &'a Policy,
    /// Whether commands may use the network.
    pub(super) network_access: bool,
    /// The thread's working directory (a filesystem root of every sandbox).
    pub(super) thread_cwd: &'a Path,
    /// The runtime's `$TMPDIR`, left out of the roots shown (as `/tmp` is).
    pub(super) tmpdir: Option<&'a Path>,
    /// What the sandbox said when the command failed in it, for a retry outside it.
    pub(super) sandbox_failure: Option<&'a str>,
}

/// The user message of the side request: the command's metadata, laid out as the reference
/// lays it out.
pub(super) fn metadata(facts: &CommandFacts<'_>) -> String {
    let policy = match facts.policy.sandbox {
        SandboxMode::WorkspaceWrite => format!(
            "workspace-write (network_access={})",
            if facts.network_access { "network" } else { "no-network" }
        ),
        mode => mode.as_str().to_owned(),
    };
    let roots: Vec<String> = filesystem_roots(facts).iter().map(|root| root.display().to_string()).collect();
    let argv = serde_json::to_string(facts.argv).unwrap_or_default();
    let mut text = format!(
        "Command metadata:\nPlatform: {}\nSandbox policy: {policy}\n\nFilesystem roots: {}\n\nWorking directory: {}\nCommand argv: {argv}\nCommand (joined): {}",
        std::env::consts::OS,
        roots.join(", "),
        facts.cwd.display(),
        shell::display(facts.argv),
    );
    if let Some(message) = facts.sandbox_failure {
        text.push_str(&format!("\n\nSandbox failure message: {message}"));
    }
    text
}

/// The directories shown as the sandbox's roots: the configured writable roots, then the
/// working directory (the temporary directories are left out).
fn filesystem_roots(facts: &CommandFacts<'_>) -> Vec<PathBuf> {
    let skipped =
        |root: &Path| root == facts.thread_cwd || root == Path::new("/tmp") || Some(root) == facts.tmpdir;
    let mut roots: Vec<PathBuf> = match facts.policy.sandbox {
        SandboxMode::WorkspaceWrite => {
            facts.policy.writable_roots.iter().filter(|root| !skipped(root)).cloned().collect()
        }
        SandboxMode::ReadOnly | SandboxMode::DangerFullAccess => Vec::new(),
    };
    roots.push(facts.thread_cwd.to_path_buf());
    roots
}

/// The model's answer, as the schema has it.
#[derive(Deserialize)]
struct Answer {
    description: String,
    risk_level: RiskLevel,
}

/// Reads the model's answer: the JSON object of the schema (tolerating a Markdown fence around
/// it); anything else is no assessment.
pub(super) fn parse(text: &str) -> Option<CommandRisk> {
    let trimmed = text.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .unwrap_or(trimmed);
    let answer: Answer = serde_json::from_str(unfenced.trim()).ok()?;
    let description = answer.description.trim();
    if description.is_empty() {
        return None;
    }
    let description: String = description.chars().take(MAX_DESCRIPTION_CHARS).collect();
    Some(CommandRisk { description, risk_level: answer.risk_level })
}

/// Drops what the client reports: the side request shows nothing while it runs.
struct Silent;

impl Observer for Silent {
    async fn observe(&mut self, _event: ClientEvent) {}
}

impl ThreadState {
    /// Asks the model to assess the command of `facts`, when the configuration says so; `None`
    /// when it does not, or when the model fails, answers something else, or takes longer
    /// than [`ASSESSMENT_TIMEOUT`], or when the turn is interrupted meanwhile (`cancel`).
    pub(super) async fn assess(
        &self,
        facts: &CommandFacts<'_>,
        cancel: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Option<CommandRisk> {
        if !self.assess_commands {
            return None;
        }
        let settings = RequestSettings {
            instructions: INSTRUCTIONS.to_owned(),
            tools: Vec::new(),
            output_schema: Some(output_schema()),
            ..self.request.clone()
        };
        let ResponseItem::Known(message) = ResponseItem::user_text(metadata(facts)) else {
            return None;
        };
        let body = self.client.body(&settings, &[&message]);
        let mut silent = Silent;
        let asked = self.client.respond(&body, self.history.len() as u64, &mut silent);
        let response = tokio::select! {
            answered = tokio::time::timeout(ASSESSMENT_TIMEOUT, asked) => answered.ok()?.ok()?,
            () = shell::cancelled(cancel) => return None,
        };
        let text: String = response
            .items
            .iter()
            .filter_map(|item| match item {
                ResponseItem::Known(KnownItem::Message { role, content, .. }) if role == "assistant" => {
                    Some(message_text(content))
                }
                _ => None,
            })
            .collect();
        parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::ApprovalPolicy;

    fn policy(sandbox: SandboxMode, writable_roots: Vec<PathBuf>) -> Policy {
        Policy { approval: ApprovalPolicy::Untrusted, sandbox, writable_roots }
    }

    #[test]
    fn the_metadata_is_laid_out_as_the_reference_lays_it_out() {
        let argv: Vec<String> = ["bash", "-lc", "rm -rf build"].map(String::from).to_vec();
        let cwd = Path::new("/w");
        let roots = vec![PathBuf::from("/w"), PathBuf::from("/extra"), PathBuf::from("/t"), "/tmp".into()];
        let policy = policy(SandboxMode::WorkspaceWrite, roots);
        let facts = CommandFacts {
            argv: &argv,
            cwd,
            policy: &policy,
            network_access: false,
            thread_cwd: cwd,
            tmpdir: Some(Path::new("/t")),
            sandbox_failure: None,
        };
        assert_eq!(
            metadata(&facts),
            format!(
                "Command metadata:\nPlatform: {}\nSandbox policy: workspace-write (network_access=no-network)\n\nFilesystem roots: /extra, /w\n\nWorking directory: /w\nCommand argv: [\"bash\",\"-lc\",\"rm -rf build\"]\nCommand (joined): bash -lc 'rm -rf build'",
                std::env::consts::OS
            )
        );
        let read_only = self::policy(SandboxMode::ReadOnly, Vec::new());
        let facts = CommandFacts {
            policy: &read_only,
            network_access: true,
            sandbox_failure: Some("denied"),
            ..facts
        };
        let text = metadata(&facts);
        assert!(text.contains("\nSandbox policy: read-only\n\nFilesystem roots: /w\n"), "{text}");
        assert!(text.ends_with("\n\nSandbox failure message: denied"), "{text}");
    }

    #[test]
    fn only_an_answer_of_the_schema_is_an_assessment() {
        let risk = parse(r#"{"description":"Deletes the build directory.","risk_level":"high"}"#);
        assert_eq!(
            risk,
            Some(CommandRisk {
                description: "Deletes the build directory.".into(),
                risk_level: RiskLevel::High
            })
        );
        let fenced = parse("```json\n{\"description\":\"Lists files.\",\"risk_level\":\"low\"}\n```");
        assert_eq!(fenced.map(|r| r.risk_level), Some(RiskLevel::Low));
        for hostile in [
            "",
            "not json",
            r#"{"description":"x","risk_level":"extreme"}"#,
            r#"{"description":"   ","risk_level":"low"}"#,
            r#"{"risk_level":"low"}"#,
            "[1,2]",
            "```",
        ] {
            assert_eq!(parse(hostile), None, "{hostile}");
        }
        let long = format!(r#"{{"description":"{}","risk_level":"medium"}}"#, "é".repeat(2000));
        assert_eq!(parse(&long).map(|r| r.description.chars().count()), Some(MAX_DESCRIPTION_CHARS));
    }
}
