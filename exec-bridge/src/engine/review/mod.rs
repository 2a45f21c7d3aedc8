//! Code review (`review/start`), as Codex 0.63 runs it: a turn of the thread whose work is done
//! by a reviewer, a child session of its own (its own id, session file and model requests,
//! marked `x-openai-subagent: review`) that gets the review guidelines as its instructions, the
//! environment context and one prompt naming what to review, and the thread's tools but
//! `view_image` and web search. It inspects the changes with its tools and answers with JSON
//! findings ([`output::ReviewOutput`]); text that is not such JSON becomes the explanation.
//!
//! The thread sees one `CodeReview` item ([`ReviewItem`]): started with what is reviewed, as
//! the user sees it (`current changes`), completed with the review rendered as text. Between the
//! two, the reviewer's items reach the thread's reader as any turn's do, but its agent messages,
//! which carry the raw JSON, only as started (no deltas, never completed). The thread's own
//! history is left as it was, unless the request asks for the review to be appended to it (as a
//! user message, for the turns after it).
//!
//! This module holds what a review is (targets, prompts, the item); [`output`] reads and renders
//! the reviewer's answer; `run` runs the reviewer.

pub mod output;
mod run;

use output::ReviewOutput;

/// The reviewer's instructions: what to flag, and the JSON it must answer with (this runtime's
/// own wording of the contract Codex's reviewer follows).
pub const GUIDELINES: &str = include_str!("guidelines.md");

/// The model a review runs on unless `review_model` says otherwise (as in Codex 0.63, whatever
/// the thread's model).
pub const DEFAULT_MODEL: &str = "gpt-5.1-codex";

/// The sub-agent kind of the reviewer's session: its `x-openai-subagent` header, and the
/// `subagent` of its session file (such sessions are not listed as threads).
pub const SUBAGENT: &str = "review";

/// What the review turn's item says once the reviewer gave nothing to show (it was
/// interrupted, it failed, or it answered with nothing).
pub const NO_REVIEW: &str = "Reviewer failed to output a response.";

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewTarget {
    /// The working tree: staged, unstaged and untracked files.
    UncommittedChanges,
    /// What the current branch would merge into `branch`.
    BaseBranch {
        /// The base branch.
        branch: String,
    },
    /// The changes one commit introduced.
    Commit {
        /// The commit.
        sha: String,
        /// Its subject, for display.
        title: Option<String>,
    },
    /// Anything the user describes.
    Custom {
        /// What the reviewer is asked, as it is.
        instructions: String,
    },
}

/// Why a review request cannot be run (the reference's words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// A base branch that is empty or blank.
    #[error("branch must not be empty")]
    EmptyBranch,
    /// A commit that is empty or blank.
    #[error("sha must not be empty")]
    EmptySha,
    /// Custom instructions that are empty or blank.
    #[error("instructions must not be empty")]
    EmptyInstructions,
}

/// A checked review request: the target with its text trimmed, and whether the review goes into
/// the thread's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    target: ReviewTarget,
    append_to_original_thread: bool,
}

impl ReviewRequest {
    /// Checks `target`: a branch, commit or instructions must have more than white space (which
    /// is trimmed; a blank commit title counts as none).
    pub fn new(target: ReviewTarget, append_to_original_thread: bool) -> Result<ReviewRequest, ReviewError> {
        let trimmed = |text: &str| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
        let target = match target {
            ReviewTarget::UncommittedChanges => ReviewTarget::UncommittedChanges,
            ReviewTarget::BaseBranch { branch } => {
                ReviewTarget::BaseBranch { branch: trimmed(&branch).ok_or(ReviewError::EmptyBranch)? }
            }
            ReviewTarget::Commit { sha, title } => ReviewTarget::Commit {
                sha: trimmed(&sha).ok_or(ReviewError::EmptySha)?,
                title: title.as_deref().and_then(trimmed),
            },
            ReviewTarget::Custom { instructions } => ReviewTarget::Custom {
                instructions: trimmed(&instructions).ok_or(ReviewError::EmptyInstructions)?,
            },
        };
        Ok(ReviewRequest { target, append_to_original_thread })
    }

    /// What is reviewed.
    pub fn target(&self) -> &ReviewTarget {
        &self.target
    }

    /// Whether the review is added to the thread's history once it ends.
    pub fn append_to_original_thread(&self) -> bool {
        self.append_to_original_thread
    }

    /// What the reviewer is asked (its one user message after the environment context).
    pub fn prompt(&self) -> String {
        match &self.target {
            ReviewTarget::UncommittedChanges => "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.".to_owned(),
            ReviewTarget::BaseBranch { branch } => format!(
                "Review the code changes against the base branch '{branch}'. Start by finding the merge diff between the current branch and {branch}'s upstream e.g. (`git merge-base HEAD \"$(git rev-parse --abbrev-ref \"{branch}@{{upstream}}\")\"`), then run `git diff` against that SHA to see what changes we would merge into the {branch} branch. Provide prioritized, actionable findings."
            ),
            ReviewTarget::Commit { sha, title: Some(title) } => format!(
                "Review the code changes introduced by commit {sha} (\"{title}\"). Provide prioritized, actionable findings."
            ),
            ReviewTarget::Commit { sha, title: None } => format!(
                "Review the code changes introduced by commit {sha}. Provide prioritized, actionable findings."
            ),
            ReviewTarget::Custom { instructions } => instructions.clone(),
        }
    }

    /// What is reviewed, in a few words (`current changes`, `commit 1a2b3c4`): the review
    /// item's text while it runs.
    pub fn hint(&self) -> String {
        match &self.target {
            ReviewTarget::UncommittedChanges => "current changes".to_owned(),
            ReviewTarget::BaseBranch { branch } => format!("changes against '{branch}'"),
            ReviewTarget::Commit { sha, .. } => format!("commit {}", short_sha(sha)),
            ReviewTarget::Custom { instructions } => instructions.clone(),
        }
    }

    /// The request as the user's message of the turn (`Review uncommitted changes`).
    pub fn display(&self) -> String {
        match &self.target {
            ReviewTarget::UncommittedChanges => "Review uncommitted changes".to_owned(),
            ReviewTarget::BaseBranch { branch } => format!("Review changes against base branch '{branch}'"),
            ReviewTarget::Commit { sha, title: Some(title) } => {
                format!("Review commit {}: {title}", short_sha(sha))
            }
            ReviewTarget::Commit { sha, title: None } => format!("Review commit {}", short_sha(sha)),
            ReviewTarget::Custom { instructions } => instructions.clone(),
        }
    }
}

/// The first seven characters of a commit id, as Git abbreviates it.
fn short_sha(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// The review turn's item: what is reviewed, and once the review ended, what the reviewer
/// found. (The item's id is the turn's.)
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReviewItem {
    /// What is reviewed, in a few words ([`ReviewRequest::hint`]).
    pub hint: String,
    /// What the reviewer was asked ([`ReviewRequest::prompt`]).
    pub prompt: String,
    /// Whether the review goes into the thread's history.
    pub append_to_original_thread: bool,
    /// The reviewer's conversation id (its session file's), once it started; every item
    /// between this item's start and its completion is the reviewer's.
    pub reviewer: Option<String>,
    /// In progress while the reviewer works; completed once it answered, failed when it did
    /// not (interrupted, or its model failed).
    pub status: super::items::Status,
    /// What the reviewer answered, once it did.
    pub output: Option<ReviewOutput>,
}

impl ReviewItem {
    /// The item of `request`, in progress.
    pub fn started(request: &ReviewRequest) -> ReviewItem {
        ReviewItem {
            hint: request.hint(),
            prompt: request.prompt(),
            append_to_original_thread: request.append_to_original_thread,
            reviewer: None,
            status: super::items::Status::InProgress,
            output: None,
        }
    }

    /// The item's text: the hint while the review runs, then the review rendered
    /// ([`output::render`]).
    pub fn text(&self) -> String {
        match self.status {
            super::items::Status::InProgress => self.hint.clone(),
            _ => output::render(self.output.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: ReviewTarget) -> ReviewRequest {
        ReviewRequest::new(target, false).unwrap()
    }

    #[test]
    fn each_target_has_its_prompt_hint_and_display() {
        let uncommitted = request(ReviewTarget::UncommittedChanges);
        assert_eq!(uncommitted.display(), "Review uncommitted changes");
        assert_eq!(uncommitted.hint(), "current changes");
        assert!(uncommitted.prompt().starts_with("Review the current code changes (staged, unstaged"));

        let branch = request(ReviewTarget::BaseBranch { branch: " main ".into() });
        assert_eq!(branch.display(), "Review changes against base branch 'main'");
        assert_eq!(branch.hint(), "changes against 'main'");
        assert!(branch.prompt().contains("\"main@{upstream}\""), "{}", branch.prompt());
        assert!(branch
            .prompt()
            .ends_with("merge into the main branch. Provide prioritized, actionable findings."));

        let titled =
            request(ReviewTarget::Commit { sha: "abc1234def".into(), title: Some("Fix the thing".into()) });
        assert_eq!(titled.display(), "Review commit abc1234: Fix the thing");
        assert_eq!(titled.hint(), "commit abc1234");
        assert_eq!(
            titled.prompt(),
            "Review the code changes introduced by commit abc1234def (\"Fix the thing\"). Provide prioritized, actionable findings."
        );
        let bare = request(ReviewTarget::Commit { sha: "  abc1234  ".into(), title: Some("  ".into()) });
        assert_eq!(bare.display(), "Review commit abc1234");
        assert_eq!(
            bare.prompt(),
            "Review the code changes introduced by commit abc1234. Provide prioritized, actionable findings."
        );

        let custom = request(ReviewTarget::Custom { instructions: "  Check the README  ".into() });
        assert_eq!(
            (custom.display(), custom.hint(), custom.prompt()),
            ("Check the README".into(), "Check the README".into(), "Check the README".into())
        );
    }

    #[test]
    fn blank_targets_are_refused_in_the_reference_s_words() {
        let refused = |target| ReviewRequest::new(target, true).unwrap_err().to_string();
        assert_eq!(refused(ReviewTarget::BaseBranch { branch: " ".into() }), "branch must not be empty");
        assert_eq!(refused(ReviewTarget::Commit { sha: "".into(), title: None }), "sha must not be empty");
        assert_eq!(
            refused(ReviewTarget::Custom { instructions: " \n ".into() }),
            "instructions must not be empty"
        );
    }

    #[test]
    fn the_item_shows_the_hint_then_the_review() {
        let mut item = ReviewItem::started(&request(ReviewTarget::UncommittedChanges));
        assert_eq!(item.text(), "current changes");
        item.status = super::super::items::Status::Failed;
        assert_eq!(item.text(), NO_REVIEW);
        item.status = super::super::items::Status::Completed;
        item.output = Some(ReviewOutput::parse("Looks fine."));
        assert_eq!(item.text(), "Looks fine.");
    }

    #[test]
    fn the_guidelines_state_the_output_contract() {
        for field in [
            "findings",
            "title",
            "body",
            "confidence_score",
            "priority",
            "code_location",
            "absolute_file_path",
            "line_range",
            "overall_correctness",
            "overall_explanation",
            "overall_confidence_score",
        ] {
            assert!(GUIDELINES.contains(&format!("\"{field}\"")), "{field}");
        }
    }
}
