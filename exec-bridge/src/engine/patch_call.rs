//! An `apply_patch` call from start to end: parse the patch, announce the change, take the
//! safety verdict, ask when it says so, apply it, and report how it went.

use super::items::{ApprovalKind, Decision, Event, Item, ItemKind, Status, TurnError};
use super::safety::{self, PatchVerdict};
use super::thread::ThreadState;
use super::tools::apply_patch::{self, AppliedChange};
use super::turn::TurnContext;

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

        let paths = apply_patch::touched_paths(&cwd, &files);
        if let Err(told) = self.permit_patch(&paths, &item, &changes, cx).await? {
            return Ok(told);
        }
        match apply_patch::apply(&cwd, &files) {
            Ok(applied) => {
                let summary = apply_patch::summary(&applied, &cwd);
                self.finish_patch(cx, item, Status::Completed, applied).await?;
                Ok(summary)
            }
            Err(e) => {
                self.finish_patch(cx, item, Status::Failed, changes).await?;
                Ok(format!("apply_patch failed, nothing was changed: {e}"))
            }
        }
    }

    /// Whether the patch may be applied (granting the root it reaches, if accepted); or, when
    /// it may not, what the model is told. The item completes as declined then.
    async fn permit_patch(
        &mut self,
        paths: &[std::path::PathBuf],
        item: &Item,
        changes: &[AppliedChange],
        cx: &mut TurnContext,
    ) -> Result<Result<(), String>, TurnError> {
        let (reason, grant_root) = match safety::patch(&self.settings.policy, &self.settings.cwd, paths) {
            PatchVerdict::Apply => return Ok(Ok(())),
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
                Ok(Ok(()))
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
