//! Code review: `review/start` and what it reviews. The review runs as a turn of the thread
//! (the result is `TurnStartResponse`): `turn/started` (with the request as the user's
//! message), a `codeReview` item started with what is reviewed, the reviewer's own items (its
//! commands, reasoning, and its messages announced as started only), then the `codeReview`
//! item completed with the review as text, and `turn/completed`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Params of `review/start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReviewStartParams {
    /// The loaded thread to review in; no turn of it may be running.
    pub thread_id: String,
    /// What to review.
    pub target: ReviewTarget,
    /// Also add the review to the thread's history, as a user message the next turns see
    /// (when false, the review leaves the history as it was).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub append_to_original_thread: bool,
}

/// What a review looks at, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ReviewTarget {
    /// The working tree: staged, unstaged and untracked files.
    UncommittedChanges,
    /// What the current branch would merge into a base branch.
    BaseBranch {
        /// The base branch; not blank.
        branch: String,
    },
    /// The changes one commit introduced.
    Commit {
        /// The commit; not blank.
        sha: String,
        /// The commit's subject, shown in the turn's user message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        title: Option<String>,
    },
    /// Free-form instructions: what the reviewer is asked, as it is.
    Custom {
        /// The instructions; not blank.
        instructions: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn each_target_reads_and_writes_back_exactly() {
        for line in [
            r#"{"threadId":"t1","target":{"type":"uncommittedChanges"},"appendToOriginalThread":false}"#,
            r#"{"threadId":"t1","target":{"type":"baseBranch","branch":"main"},"appendToOriginalThread":true}"#,
            r#"{"threadId":"t1","target":{"type":"commit","sha":"abc1234","title":"Fix it"},"appendToOriginalThread":false}"#,
            r#"{"threadId":"t1","target":{"type":"commit","sha":"abc1234"},"appendToOriginalThread":false}"#,
            r#"{"threadId":"t1","target":{"type":"custom","instructions":"Check the docs"},"appendToOriginalThread":false}"#,
        ] {
            assert_wire_exact::<ReviewStartParams>(line);
        }
        let bare: ReviewStartParams = serde_json::from_str(
            r#"{"threadId":"t1","target":{"type":"commit","sha":"abc1234","title":null}}"#,
        )
        .unwrap();
        assert_eq!(bare.target, ReviewTarget::Commit { sha: "abc1234".into(), title: None });
        assert!(!bare.append_to_original_thread, "false unless asked");
        let unknown = serde_json::from_str::<ReviewTarget>(r#"{"type":"bogus"}"#).unwrap_err();
        assert!(unknown.to_string().contains("uncommittedChanges"), "{unknown}");
    }
}
