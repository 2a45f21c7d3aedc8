//! An `apply_patch` call from start to end: parse the patch, announce the change, take the
//! safety verdict, ask when it says so, apply it, and report how it went.

use super::items::{ApprovalKind, Decision, Event, Item, ItemKind, Status, TurnError};
use super::policy::SandboxMode;
use super::safety::{self, PatchContext, PatchVerdict};
use super::thread::ThreadState;
use super::tools::apply_patch::write::{self, Writer};
use super::tools::apply_patch::{self, AppliedChange, Targets};
use super::turn::TurnContext;
use super::turn_diff::TurnDiff;

impl ThreadState {
    /// Applies a patch; returns the tool output for the model.
    pub(super) async fn patch(
        &mut self,
        text: &str,
        call_id: &str,
        cx: &mut TurnContext,
    ) -> Result<String, TurnError> {
        let cwd = self.settings.cwd.clone();
        let files = match apply_patch::parse(text) {
            Ok(files) => files,
            Err(e) => {
                let failed = self
                    .item(ItemKind::FileChange { changes: vec![], status: Status::Failed }, Some(call_id));
                self.emit(Event::ItemStarted(failed.clone())).await;
                self.complete(&cx.turn_id, failed).await?;
                return Ok(format!("apply_patch failed, nothing was changed: {e}"));
            }
        };
        let changes = apply_patch::describe(&cwd, &files);
        let item = self.item(
            ItemKind::FileChange { changes: changes.clone(), status: Status::InProgress },
            Some(call_id),
        );
        self.emit(Event::ItemStarted(item.clone())).await;

        // Resolved once: the verdict is taken on these paths, and the writes land exactly there.
        let targets = apply_patch::targets(&cwd, &files);
        let approved = match self.permit_patch(&targets, &item, &changes, cx).await? {
            Ok(approved) => approved,
            Err(told) => return Ok(told),
        };
        let diff = cx.diff.get_or_insert_with(|| TurnDiff::new(&cwd));
        let tracked = diff.len();
        for (path, move_to) in targets.files() {
            diff.before_patch(path, move_to);
        }
        match apply_patch::apply(&cwd, &files, &targets, &self.patch_writer(&targets, approved)) {
            Ok(applied) => {
                let summary = apply_patch::summary(&applied, &cwd);
                self.finish_patch(cx, item, Status::Completed, applied).await?;
                self.report_diff(cx).await;
                Ok(summary)
            }
            Err(e) => {
                if e.changed_nothing() {
                    if let Some(diff) = cx.diff.as_mut() {
                        diff.truncate(tracked);
                    }
                }
                self.finish_patch(cx, item, Status::Failed, changes).await?;
                if e.changed_nothing() {
                    Ok(format!("apply_patch failed, nothing was changed: {e}"))
                } else {
                    Ok(format!("apply_patch failed part way (the files before this one were changed): {e}"))
                }
            }
        }
    }

    /// How the patch is written: race-free beneath the writable roots (and, when the user
    /// approved it, beneath the directories the approval showed); plainly when no sandbox
    /// applies, or when this kernel cannot do better and the user approved it.
    fn patch_writer(&self, targets: &Targets, approved: bool) -> Writer {
        let policy = &self.settings.policy;
        if policy.sandbox == SandboxMode::DangerFullAccess || !self.support.openat2 {
            return Writer::Plain;
        }
        let roots = if approved {
            write::approved_roots(&policy.writable_roots, &targets.changed())
        } else {
            policy.writable_roots.clone()
        };
        Writer::Confined { roots }
    }

    /// Whether the patch may be applied (granting the root it reaches, if accepted), and whether
    /// that took the user's approval; or, when it may not, what the model is told. The item
    /// completes as declined then.
    async fn permit_patch(
        &mut self,
        targets: &Targets,
        item: &Item,
        changes: &[AppliedChange],
        cx: &mut TurnContext,
    ) -> Result<Result<bool, String>, TurnError> {
        let verdict_cx = PatchContext {
            policy: &self.settings.policy,
            codex_home: Some(&self.codex_home),
            race_free: self.support.openat2,
        };
        let (reason, grant_root) = match safety::patch(&verdict_cx, &targets.changed()) {
            PatchVerdict::Apply => return Ok(Ok(false)),
            PatchVerdict::Reject { reason } => {
                self.finish_patch(cx, item.clone(), Status::Declined, changes.to_vec()).await?;
                return Ok(Err(format!(
                    "The patch was not applied: declined without asking, because {reason}."
                )));
            }
            PatchVerdict::Ask { reason, grant_root } => (reason, grant_root),
        };
        let kind = ApprovalKind::Patch { reason, grant_root: grant_root.clone() };
        match self.ask(cx, item, kind).await {
            Decision::Accept | Decision::AcceptForSession => {
                self.settings.policy.writable_roots.extend(grant_root);
                Ok(Ok(true))
            }
            decision @ (Decision::Decline | Decision::Cancel) => {
                self.finish_patch(cx, item.clone(), Status::Declined, changes.to_vec()).await?;
                if decision == Decision::Cancel {
                    return Err(TurnError::Interrupted);
                }
                Ok(Err("The patch was not applied: it needs approval, and approval was declined.".to_owned()))
            }
        }
    }

    /// Reports the turn's changes so far, once a patch touched anything. The files are read
    /// and diffed off the async workers (bounded, see [`super::turn_diff`]).
    pub(super) async fn report_diff(&self, cx: &mut TurnContext) {
        let Some(diff) = cx.diff.take() else { return };
        if diff.is_empty() {
            cx.diff = Some(diff);
            return;
        }
        let diffed = tokio::task::spawn_blocking(move || {
            let text = diff.unified_diff();
            (diff, text)
        })
        .await;
        if let Ok((diff, text)) = diffed {
            cx.diff = Some(diff);
            self.emit(Event::TurnDiff(text)).await;
        }
    }

    async fn finish_patch(
        &mut self,
        cx: &TurnContext,
        mut item: Item,
        status: Status,
        changes: Vec<AppliedChange>,
    ) -> Result<(), TurnError> {
        item.kind = ItemKind::FileChange { changes, status };
        self.complete(&cx.turn_id, item).await
    }
}
