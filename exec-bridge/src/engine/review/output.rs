//! The reviewer's answer: JSON findings read from its last message, and the review rendered as
//! text (the review item's, and what goes into the thread's history when asked), as Codex 0.63
//! reads and renders them.
//!
//! The answer is model output: it is read leniently and never trusted. The whole message is
//! tried as the JSON object first, then the text from its first `{` to its last `}` (JSON
//! wrapped in prose); anything else, including JSON that lacks a field, becomes the
//! explanation of an answer without findings.

use serde::{Deserialize, Serialize};

/// What the reviewer found (every field is required of its JSON; others are ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewOutput {
    /// The findings, most important first as the reviewer ordered them.
    pub findings: Vec<ReviewFinding>,
    /// The verdict: `patch is correct` or `patch is incorrect` (empty when the answer was not
    /// JSON).
    pub overall_correctness: String,
    /// Why, in a few sentences (the whole answer when it was not JSON).
    pub overall_explanation: String,
    /// How sure the reviewer is of the verdict, 0 to 1.
    pub overall_confidence_score: f32,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewFinding {
    /// A short title (the reviewer prefixes its priority, `[P1] …`).
    pub title: String,
    /// Why it is a problem (Markdown).
    pub body: String,
    /// How sure the reviewer is, 0 to 1.
    pub confidence_score: f32,
    /// 0 (blocking) to 3 (nit).
    pub priority: i32,
    /// Where it is.
    pub code_location: ReviewCodeLocation,
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewCodeLocation {
    /// The file, as the reviewer named it.
    pub absolute_file_path: String,
    /// The lines.
    pub line_range: ReviewLineRange,
}

/// A range of lines, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewLineRange {
    /// The first line.
    pub start: u32,
    /// The last line.
    pub end: u32,
}

impl ReviewOutput {
    /// Reads the reviewer's last message (see the module docs); never fails.
    pub fn parse(text: &str) -> ReviewOutput {
        if let Ok(output) = serde_json::from_str(text) {
            return output;
        }
        let embedded = match (text.find('{'), text.rfind('}')) {
            (Some(start), Some(end)) if start < end => text.get(start..=end),
            _ => None,
        };
        if let Some(Ok(output)) = embedded.map(serde_json::from_str) {
            return output;
        }
        ReviewOutput { overall_explanation: text.to_owned(), ..ReviewOutput::default() }
    }

    /// The explanation (trimmed), then, when there are findings, a line break and the findings
    /// block: a header (`Review comment:` for one, `Full review comments:` for more) and each
    /// finding as `- TITLE — FILE:START-END` with its body indented below, a blank line between
    /// two. This is what the thread's history gets.
    pub fn results(&self) -> String {
        let mut text = self.overall_explanation.trim().to_owned();
        if !self.findings.is_empty() {
            let header = if self.findings.len() == 1 { "Review comment:" } else { "Full review comments:" };
            let findings: Vec<String> = self.findings.iter().map(ReviewFinding::render).collect();
            text.push_str(&format!("\n\n{header}\n{}", findings.join("\n")));
        }
        text
    }
}

impl ReviewFinding {
    /// `\n- TITLE — FILE:START-END`, then each line of the body indented by two spaces.
    fn render(&self) -> String {
        let ReviewCodeLocation { absolute_file_path, line_range } = &self.code_location;
        let mut text = format!(
            "\n- {} \u{2014} {absolute_file_path}:{}-{}",
            self.title, line_range.start, line_range.end
        );
        for line in self.body.lines() {
            text.push_str("\n  ");
            text.push_str(line);
        }
        text
    }
}

/// The review as the review item shows it once it ended: [`ReviewOutput::results`] without the
/// line breaks that open it, or [`super::NO_REVIEW`] when there is nothing to show.
pub fn render(output: Option<&ReviewOutput>) -> String {
    let results = output.map(ReviewOutput::results).unwrap_or_default();
    match results.trim_start_matches('\n') {
        "" => super::NO_REVIEW.to_owned(),
        text => text.to_owned(),
    }
}

/// The user message that carries the review into the thread's history (when the request asked
/// for it): the reference's words, with the results, or saying it was interrupted when there
/// are none.
pub fn history_message(output: Option<&ReviewOutput>) -> String {
    match output {
        Some(output) => format!(
            "<user_action>\n  <context>User initiated a review task. Here's the full review output from reviewer model. User may select one or more comments to resolve.</context>\n  <action>review</action>\n  <results>\n  {}\n  </results>\n  </user_action>\n\n",
            output.results()
        ),
        None => "<user_action>\n  <context>User initiated a review task, but was interrupted. If user asks about this, tell them to re-initiate a review with `/review` and wait for it to complete.</context>\n  <action>review</action>\n  <results>\n  None.\n  </results>\n</user_action>\n\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"findings":[{"title":"[P1] Off by one","body":"The loop skips the last line.","confidence_score":0.8,"priority":1,"code_location":{"absolute_file_path":"/w/a.txt","line_range":{"start":3,"end":3}}}],"overall_correctness":"patch is incorrect","overall_explanation":"One bug found.","overall_confidence_score":0.7}"#;

    #[test]
    fn json_findings_are_read_and_rendered() {
        let output = ReviewOutput::parse(ONE);
        assert_eq!(output.findings.len(), 1);
        assert_eq!(output.findings[0].code_location.line_range, ReviewLineRange { start: 3, end: 3 });
        assert_eq!(output.overall_correctness, "patch is incorrect");
        assert_eq!(
            render(Some(&output)),
            "One bug found.\n\nReview comment:\n\n- [P1] Off by one \u{2014} /w/a.txt:3-3\n  The loop skips the last line."
        );
    }

    #[test]
    fn json_in_prose_is_found_and_several_findings_are_listed() {
        let text = r#"Here it is:
{"findings":[{"title":"First","body":"Body one.\nSecond line.","confidence_score":0.5,"priority":0,"code_location":{"absolute_file_path":"/w/a.txt","line_range":{"start":1,"end":2}}},{"title":"Second","body":"B\n\nafter blank","confidence_score":0.25,"priority":3,"code_location":{"absolute_file_path":"/w/b.txt","line_range":{"start":5,"end":9}}}],"overall_correctness":"patch is correct","overall_explanation":"  Two nits.  ","overall_confidence_score":0.9,"extra":1}
Thanks."#;
        let output = ReviewOutput::parse(text);
        assert_eq!(
            output.results(),
            "Two nits.\n\nFull review comments:\n\n- First \u{2014} /w/a.txt:1-2\n  Body one.\n  Second line.\n\n- Second \u{2014} /w/b.txt:5-9\n  B\n  \n  after blank"
        );
        assert_eq!(render(Some(&output)), output.results());
    }

    #[test]
    fn anything_else_is_the_explanation() {
        for text in [
            "Looks fine to me.",
            r#"{"overall_explanation":"only this"}"#,
            r#"{"findings":[{"title":"T"}],"overall_correctness":"c","overall_explanation":"e","overall_confidence_score":1}"#,
            "} backwards {",
            "",
        ] {
            let output = ReviewOutput::parse(text);
            assert_eq!(
                output,
                ReviewOutput {
                    findings: vec![],
                    overall_correctness: String::new(),
                    overall_explanation: text.to_owned(),
                    overall_confidence_score: 0.0
                }
            );
        }
        assert_eq!(render(Some(&ReviewOutput::parse("Looks fine to me."))), "Looks fine to me.");
    }

    #[test]
    fn nothing_to_show_says_so() {
        assert_eq!(render(None), super::super::NO_REVIEW);
        let empty = ReviewOutput::parse(
            r#"{"findings":[],"overall_correctness":"patch is correct","overall_explanation":" ","overall_confidence_score":1}"#,
        );
        assert_eq!(render(Some(&empty)), super::super::NO_REVIEW);
        // Findings without an explanation: the block alone.
        let bare = ReviewOutput { overall_explanation: String::new(), ..ReviewOutput::parse(ONE) };
        assert_eq!(
            bare.results(),
            "\n\nReview comment:\n\n- [P1] Off by one \u{2014} /w/a.txt:3-3\n  The loop skips the last line."
        );
        assert!(render(Some(&bare)).starts_with("Review comment:\n\n- [P1]"));
    }

    #[test]
    fn the_history_message_carries_the_results_or_says_it_was_interrupted() {
        let output = ReviewOutput::parse(ONE);
        let message = history_message(Some(&output));
        assert!(message.starts_with("<user_action>\n  <context>User initiated a review task. Here's"));
        assert!(message
            .ends_with(&format!("<results>\n  {}\n  </results>\n  </user_action>\n\n", output.results())));
        let interrupted = history_message(None);
        assert!(interrupted.contains("but was interrupted"));
        assert!(interrupted.ends_with("<results>\n  None.\n  </results>\n</user_action>\n\n"));
    }

    #[test]
    fn hostile_answers_are_read_without_trouble() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(ReviewOutput::parse(&deep).overall_explanation, deep);
        let braces = "{".repeat(5_000) + &"}".repeat(5_000);
        assert_eq!(ReviewOutput::parse(&braces).findings, vec![]);
        let negative = ONE.replace("\"start\":3", "\"start\":-3");
        assert_eq!(ReviewOutput::parse(&negative).overall_explanation, negative);
    }
}
