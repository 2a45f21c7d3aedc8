//! Who answers approval requests. In `exec` nobody can, so every request is declined; the
//! app-server asks its client.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::items::Item;

/// An answer to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Accept,
    /// Go ahead, and do not ask again for this exact command in this session.
    AcceptForSession,
    /// Do not; the item completes as declined and the model is told.
    Decline,
    /// Do not, and end the turn.
    Cancel,
}

/// A boxed future, so that approvers can be trait objects.
pub type DecisionFuture<'a> = Pin<Box<dyn Future<Output = Decision> + Send + 'a>>;

/// Answers approval requests for one turn.
pub trait Approver: Send + Sync {
    /// May `item` (a command, already announced) run? `reason` is the model's justification.
    fn approve_command<'a>(&'a self, item: &'a Item, reason: Option<&'a str>) -> DecisionFuture<'a>;
    /// May `item` (a patch, already announced) be applied? `grant_root` is the directory
    /// outside the writable roots it reaches, if any.
    fn approve_patch<'a>(&'a self, item: &'a Item, grant_root: Option<&'a PathBuf>) -> DecisionFuture<'a>;
}

/// The approver of `exec`: nobody is there to answer, so everything is declined.
pub struct NobodyApproves;

impl Approver for NobodyApproves {
    fn approve_command<'a>(&'a self, _: &'a Item, _: Option<&'a str>) -> DecisionFuture<'a> {
        Box::pin(async { Decision::Decline })
    }
    fn approve_patch<'a>(&'a self, _: &'a Item, _: Option<&'a PathBuf>) -> DecisionFuture<'a> {
        Box::pin(async { Decision::Decline })
    }
}
