//! A command of the user's (`thread/shellCommand`, the TUI's `!cmd`): run by the user's shell in
//! the thread's working directory, confined by the thread's sandbox (the user asked for it, so
//! nothing asks for approval, but nothing runs unconfined that the policy would confine), as a
//! turn of its own whose one item is the command. It never enters the model's history: only
//! its item is recorded (in the session file and the thread's turns), no conversation item.

use std::time::Duration;

use super::items::{CommandItem, Event, ItemKind, Status, TurnError};
use super::thread::ThreadState;
use super::tools::shell::ShellOutput;
use super::tools::shell_command;
use super::turn::TurnContext;
use crate::sandbox;

/// How long a user's command may run; `turn/interrupt` stops it sooner.
pub const USER_SHELL_TIMEOUT: Duration = Duration::from_secs(60 * 60);

impl ThreadState {
    /// Runs `line` as the turn of `cx`, streaming its output as the command item's deltas.
    pub(super) async fn user_shell(&mut self, line: String, cx: &mut TurnContext) -> Result<(), TurnError> {
        let argv = vec![shell_command::user_shell(&self.command_env), "-lc".to_owned(), line];
        let cwd = self.settings.cwd.clone();
        let command = CommandItem { by_user: true, ..CommandItem::started(argv.clone(), cwd.clone()) };
        let mut item = self.item(ItemKind::Command(command), None);
        self.emit(Event::ItemStarted(item.clone())).await;

        let spec = sandbox::spec(&self.settings.policy, self.settings.network_access, Some(&self.codex_home));
        let missing = spec.as_ref().and_then(|spec| self.support.missing_for(spec));
        let output = match missing {
            Some(missing) => ShellOutput::not_started(
                format!(
                    "not run: the thread's sandbox cannot be enforced on this machine (the kernel lacks {missing}); start the thread with the sandbox danger-full-access to run it unconfined"
                ),
                Duration::ZERO,
            ),
            None => {
                let item_id = item.id.clone();
                self.run_command(&argv, &cwd, spec.as_ref(), USER_SHELL_TIMEOUT, &item_id, cx).await
            }
        };
        let interrupted = cx.interrupted();
        if let ItemKind::Command(command) = &mut item.kind {
            command.status =
                if output.exit_code == 0 && !interrupted { Status::Completed } else { Status::Failed };
            command.aggregated_output = output.aggregated.clone();
            if !interrupted {
                command.exit_code = Some(output.exit_code);
                command.duration = Some(output.duration);
            }
        }
        self.complete(&cx.turn_id, item).await?;
        if interrupted {
            return Err(TurnError::Interrupted);
        }
        Ok(())
    }
}
