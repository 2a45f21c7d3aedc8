//! A `shell` call from start to end: announce the command, take the safety verdict, ask when it
//! says so, run the command (confined as the verdict says), offer an unsandboxed retry under
//! `on-failure`, and report how it went.

use std::path::Path;

use super::assessment::CommandFacts;
use super::items::{ApprovalKind, CommandItem, Decision, Event, Item, ItemKind, Status, TurnError};
use super::policy;
use super::relay::{Relay, RELAY_LIMIT};
use super::safety::{self, CommandVerdict};
use super::thread::ThreadState;
use super::tools::process::Launch;
use super::tools::shell::{self, ShellArgs, ShellOutput};
use super::tools::shell_command::{self, ShellCommandArgs};
use super::turn::TurnContext;
use crate::sandbox::{self, SandboxSpec};

impl ThreadState {
    /// Runs a `shell` call; returns the tool output for the model.
    pub(super) async fn shell(
        &mut self,
        args: ShellArgs,
        call_id: &str,
        cx: &mut TurnContext,
    ) -> Result<String, TurnError> {
        self.run_shell_call(args, call_id, cx, shell::model_output).await
    }

    /// Runs a `shell_command` call: the same path as `shell`, the line run by the user's shell,
    /// and the output told as text.
    pub(super) async fn shell_command(
        &mut self,
        args: ShellCommandArgs,
        call_id: &str,
        cx: &mut TurnContext,
    ) -> Result<String, TurnError> {
        let args = args.into_shell(shell_command::user_shell(&self.command_env));
        self.run_shell_call(args, call_id, cx, shell_command::model_output).await
    }

    async fn run_shell_call(
        &mut self,
        args: ShellArgs,
        call_id: &str,
        cx: &mut TurnContext,
        told: fn(&ShellOutput) -> String,
    ) -> Result<String, TurnError> {
        let argv = args.command.argv();
        let cwd = match &args.workdir {
            Some(dir) => policy::resolve(&self.settings.cwd, Path::new(dir)),
            None => self.settings.cwd.clone(),
        };
        let command = CommandItem::started(argv.clone(), cwd.clone());
        let item = self.item(ItemKind::Command(command), Some(call_id));
        self.emit(Event::ItemStarted(item.clone())).await;

        let sandbox = match self.permit(&argv, &args, &item, cx).await? {
            Ok(sandbox) => sandbox,
            Err(told) => return Ok(told),
        };
        let timeout = args.timeout_ms.map(std::time::Duration::from_millis).unwrap_or(shell::DEFAULT_TIMEOUT);
        let mut output = self.run_command(&argv, &cwd, sandbox.as_ref(), timeout, &item.id, cx).await;
        if !cx.interrupted()
            && safety::offer_unsandboxed_retry(
                &self.settings.policy,
                sandbox.is_some(),
                output.exit_code,
                &output.aggregated,
            )
        {
            let reason = Some("command failed; retry without sandbox?".to_owned());
            let risk = self.assess(&self.facts(&argv, &cwd, Some(&output.aggregated)), &mut cx.cancel).await;
            // An interrupt while the model assessed the command: nobody is asked.
            let decision = if cx.interrupted() {
                Decision::Cancel
            } else {
                self.ask(cx, &item, ApprovalKind::Command { reason, risk }).await
            };
            match decision {
                Decision::Accept | Decision::AcceptForSession => {
                    output = self.run_command(&argv, &cwd, None, timeout, &item.id, cx).await;
                }
                Decision::Decline => {}
                Decision::Cancel => {
                    self.finish(cx, item, Status::Failed, Some((&output, false))).await?;
                    return Err(TurnError::Interrupted);
                }
            }
        }
        if cx.interrupted() {
            self.finish(cx, item, Status::Failed, Some((&output, false))).await?;
            return Err(TurnError::Interrupted);
        }
        let status = if output.exit_code == 0 { Status::Completed } else { Status::Failed };
        self.finish(cx, item, status, Some((&output, true))).await?;
        Ok(told(&output))
    }

    /// Whether the command may run, and in which sandbox (`None`: unconfined); or, when it may
    /// not, what the model is told. The item completes as declined then.
    async fn permit(
        &mut self,
        argv: &[String],
        args: &ShellArgs,
        item: &Item,
        cx: &mut TurnContext,
    ) -> Result<Result<Option<SandboxSpec>, String>, TurnError> {
        let escalate = args.with_escalated_permissions.unwrap_or(false);
        let cwd = match &item.kind {
            ItemKind::Command(command) => command.cwd.clone(),
            _ => self.settings.cwd.clone(),
        };
        let (reason, sandbox_if_accepted) =
            match self.command_verdict(argv, escalate, args.justification.as_deref(), cx).await? {
                CommandVerdict::Run { sandbox } => return Ok(Ok(sandbox)),
                CommandVerdict::Reject { reason } => {
                    self.finish(cx, item.clone(), Status::Declined, None).await?;
                    return Ok(Err(format!(
                        "The command `{}` was not run: declined without asking, because {reason}.",
                        shell::display(argv)
                    )));
                }
                CommandVerdict::Ask { reason, sandbox_if_accepted } => (reason, sandbox_if_accepted),
            };
        let risk = self.assess(&self.facts(argv, &cwd, None), &mut cx.cancel).await;
        // An interrupt while the model assessed the command: nobody is asked.
        let decision = if cx.interrupted() {
            Decision::Cancel
        } else {
            self.ask(cx, item, ApprovalKind::Command { reason, risk }).await
        };
        match decision {
            Decision::Accept => Ok(Ok(sandbox_if_accepted)),
            Decision::AcceptForSession => {
                self.approved_commands.insert(argv.to_vec());
                Ok(Ok(sandbox_if_accepted))
            }
            Decision::Decline => {
                self.finish(cx, item.clone(), Status::Declined, None).await?;
                Ok(Err(format!(
                    "The command `{}` was not run: it needs approval, and approval was declined.",
                    shell::display(argv)
                )))
            }
            Decision::Cancel => {
                self.finish(cx, item.clone(), Status::Declined, None).await?;
                Err(TurnError::Interrupted)
            }
        }
    }

    /// What the model is told of `argv` when it assesses it.
    fn facts<'a>(
        &'a self,
        argv: &'a [String],
        cwd: &'a Path,
        sandbox_failure: Option<&'a str>,
    ) -> CommandFacts<'a> {
        CommandFacts {
            argv,
            cwd,
            policy: &self.settings.policy,
            network_access: self.settings.network_access,
            thread_cwd: &self.settings.cwd,
            tmpdir: self.tmpdir.as_deref(),
            sandbox_failure,
        }
    }

    /// The safety verdict on a command, after saying once what the platform or the kernel
    /// changes.
    async fn command_verdict(
        &mut self,
        argv: &[String],
        escalate: bool,
        justification: Option<&str>,
        cx: &TurnContext,
    ) -> Result<CommandVerdict, TurnError> {
        let support = self.support;
        let approved = std::mem::take(&mut self.approved_commands);
        let verdict_cx = safety::Context {
            policy: &self.settings.policy,
            network_access: self.settings.network_access,
            support,
            approved_for_session: &approved,
            codex_home: Some(&self.codex_home),
        };
        let notice = safety::unenforceable_notice(&verdict_cx);
        let verdict = safety::command(&verdict_cx, argv, escalate, justification);
        self.approved_commands = approved;
        for notice in [self.platform_notice.clone(), notice].into_iter().flatten() {
            self.notice_once(&cx.turn_id, notice).await?;
        }
        Ok(verdict)
    }

    /// Completes the command item with `status`; with the output (and, when the command ended
    /// by itself, its exit code and duration) where it ran.
    async fn finish(
        &mut self,
        cx: &TurnContext,
        mut item: Item,
        status: Status,
        ran: Option<(&ShellOutput, bool)>,
    ) -> Result<(), TurnError> {
        if let ItemKind::Command(command) = &mut item.kind {
            command.status = status;
            if let Some((output, ended)) = ran {
                command.aggregated_output = output.aggregated.clone();
                command.stdout = output.stdout.clone();
                command.stderr = output.stderr.clone();
                if ended {
                    command.exit_code = Some(output.exit_code);
                    command.duration = Some(output.duration);
                }
            }
        }
        self.complete(&cx.turn_id, item).await
    }

    /// Runs `argv` in `cwd`, under `spec` when given, with the thread's command environment,
    /// streaming its output as events of `item_id` through a [`Relay`]: while the thread's reader
    /// does not keep up, the command is held back.
    pub(super) async fn run_command(
        &self,
        argv: &[String],
        cwd: &Path,
        spec: Option<&SandboxSpec>,
        timeout: std::time::Duration,
        item_id: &str,
        cx: &mut TurnContext,
    ) -> ShellOutput {
        let run = match spec {
            Some(spec) => match sandbox::wrap(argv, spec, &self.sandbox_helper) {
                Ok(wrapped) => wrapped,
                Err(e) => {
                    return ShellOutput::not_started(
                        format!("cannot start the sandbox: {e}"),
                        Default::default(),
                    )
                }
            },
            None => argv.to_vec(),
        };
        let relay = Relay::new(RELAY_LIMIT);
        let mut on_output = |stream: shell::OutputStream, chunk: &[u8]| {
            let event = Event::CommandOutput { item_id: item_id.to_owned(), chunk: chunk.to_vec(), stream };
            relay.push(event, chunk.len());
        };
        let launch =
            Launch { argv: &run, cwd, env: &self.command_env, guard: Some(self.sandbox_helper.as_path()) };
        let interrupt = cx.cancel.clone();
        let running = shell::run(launch, timeout, &mut on_output, &mut cx.cancel);
        relay.run(running, &self.event_sender(), interrupt).await
    }
}
