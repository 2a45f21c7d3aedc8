//! The rollout file: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<timestamp>-<id>.jsonl`, one JSON
//! line per record, each written and flushed as it happens (a crash loses at most the line
//! being written).
//!
//! Each line is a [`Record`]: `session_meta` first (the thread's id, cwd and provider), then
//! `response_item` (every item of the conversation, as sent to or received from the model), and
//! the turns as clients saw them: `turn_started`, `item_completed` (the runtime's item) and
//! `turn_ended`. A line this runtime cannot read (another program's record kind, or a line torn
//! by a crash) is skipped when reading; a torn last line is cut off when the file is opened for
//! appending, so that the next record never lands glued to it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::items::Item;
use crate::engine::model::ResponseItem;

/// Why a session could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    /// File-system trouble.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No session has this id.
    #[error("no session with id {id} under {dir}; `exec resume --last` picks the newest")]
    NotFound {
        /// The id asked for.
        id: String,
        /// Where sessions were searched.
        dir: PathBuf,
    },
    /// There is no session at all.
    #[error("no session recorded under {0} yet; start one with `exec-bridge exec PROMPT`")]
    NoSessions(PathBuf),
    /// The file is not a session.
    #[error("{path} is not a session file: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file is not one a session may be read from (see [`super::read`]).
    #[error("{path} is not read: {reason}")]
    Refused {
        /// The file, as given.
        path: PathBuf,
        /// Why, and what is allowed.
        reason: String,
    },
}

/// What the first line of a rollout says about its thread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// The thread's id.
    pub id: String,
    /// When it started (RFC 3339).
    pub timestamp: String,
    /// Its working directory.
    pub cwd: String,
    /// The model provider it ran under.
    pub model_provider: String,
    /// The `originator` of the process that started it.
    pub originator: String,
    /// The version of the runtime that started it.
    pub cli_version: String,
    /// The kind of sub-agent whose session this is (`review`, see [`crate::engine::review`]);
    /// none for a thread of the user's. Sub-agents' sessions are not listed nor resumed as
    /// threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subagent: Option<String>,
}

/// How a recorded turn ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TurnEnd {
    /// The agent finished.
    Completed,
    /// It was interrupted.
    Interrupted,
    /// It failed.
    Failed {
        /// Why.
        message: String,
    },
}

/// One line of a session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutLine {
    /// When it was written (RFC 3339, UTC, milliseconds).
    pub timestamp: String,
    /// What it records.
    #[serde(flatten)]
    pub record: Record,
}

/// What a line records, tagged by `type`, with its `payload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum Record {
    /// The first line: the thread.
    SessionMeta(SessionMeta),
    /// An item of the conversation with the model.
    ResponseItem(ResponseItem),
    /// A turn began.
    TurnStarted {
        /// The turn's id.
        turn_id: String,
    },
    /// An item of a turn completed.
    ItemCompleted {
        /// The turn's id.
        turn_id: String,
        /// The item.
        item: Item,
    },
    /// A turn ended.
    TurnEnded {
        /// The turn's id.
        turn_id: String,
        /// How.
        end: TurnEnd,
    },
    /// The conversation was compacted to this summary (see
    /// [`crate::engine::history::compacted`]): the history read back is rebuilt from it.
    Compacted {
        /// The summary the model wrote.
        message: String,
    },
    /// A review began (see [`crate::engine::review`]); the reviewer's own session holds its
    /// work.
    EnteredReviewMode {
        /// What the reviewer was asked.
        prompt: String,
        /// What is reviewed, in a few words.
        user_facing_hint: String,
        /// Whether the review goes into the history.
        append_to_original_thread: bool,
    },
    /// A review ended, with what the reviewer found (none when it was interrupted or failed).
    ExitedReviewMode {
        /// What the reviewer found.
        review_output: Option<crate::engine::review::output::ReviewOutput>,
    },
}

/// One turn as clients saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedTurn {
    /// `0`, `1`, … within the thread.
    pub id: String,
    /// Its completed items, in order.
    pub items: Vec<Item>,
    /// How it ended; `None` if the process died during it.
    pub end: Option<TurnEnd>,
}

/// Everything a session file holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    /// The first line.
    pub meta: SessionMeta,
    /// The conversation, as the model sees it.
    pub history: Vec<ResponseItem>,
    /// The turns, as clients see them.
    pub turns: Vec<RecordedTurn>,
}

/// An open rollout file.
#[derive(Debug)]
pub struct Rollout {
    path: PathBuf,
    file: File,
}

impl Rollout {
    /// Creates the file of a new session under `codex_home/sessions` and writes its meta line.
    pub fn create(codex_home: &Path, meta: &SessionMeta) -> Result<Rollout, RolloutError> {
        let now = time::OffsetDateTime::now_utc();
        let dir = codex_home
            .join("sessions")
            .join(format!("{:04}", now.year()))
            .join(format!("{:02}", u8::from(now.month())))
            .join(format!("{:02}", now.day()));
        std::fs::create_dir_all(&dir).map_err(|source| RolloutError::Io { path: dir.clone(), source })?;
        let stamp = format!(
            "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
        let path = dir.join(format!("rollout-{stamp}-{}.jsonl", meta.id));
        // A new file (the id is new): nothing to check or cut; one that is there already, or a
        // link in its place, is refused.
        use std::os::unix::fs::OpenOptionsExt;
        let file = OpenOptions::new()
            .create_new(true)
            .read(true)
            .append(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&path)
            .map_err(|source| RolloutError::Io { path: path.clone(), source })?;
        let mut rollout = Rollout { path, file };
        rollout.append(Record::SessionMeta(meta.clone()))?;
        Ok(rollout)
    }

    /// Opens a session file for appending (creating it if needed): a regular file, opened
    /// without blocking. A last line torn by a crash is cut off first.
    pub fn open(path: &Path) -> Result<Rollout, RolloutError> {
        use std::os::unix::fs::OpenOptionsExt;
        let io = |source| RolloutError::Io { path: path.to_path_buf(), source };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(io)?;
        if !file.metadata().map_err(io)?.is_file() {
            let reason = "it is not a regular file".to_owned();
            return Err(RolloutError::Refused { path: path.to_path_buf(), reason });
        }
        cut_torn_tail(&mut file).map_err(io)?;
        Ok(Rollout { path: path.to_path_buf(), file })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and flushes it.
    pub fn append(&mut self, record: Record) -> Result<(), RolloutError> {
        let line = RolloutLine { timestamp: now_rfc3339(), record };
        let mut text = serde_json::to_string(&line).map_err(|e| RolloutError::Corrupt {
            path: self.path.clone(),
            message: format!("cannot write a record: {e}"),
        })?;
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|source| RolloutError::Io { path: self.path.clone(), source })
    }
}

/// Cuts the file after its last newline: a line torn by a crash is dropped, so that appending
/// starts on a line of its own.
fn cut_torn_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    // Read backwards in blocks until a newline (or the start) is found.
    let mut end = len;
    let mut block = vec![0u8; 4096];
    loop {
        let start = end.saturating_sub(block.len() as u64);
        let size = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block[..size])?;
        if let Some(at) = block[..size].iter().rposition(|&b| b == b'\n') {
            let keep = start + at as u64 + 1;
            if keep != len {
                file.set_len(keep)?;
            }
            return Ok(());
        }
        if start == 0 {
            return file.set_len(0);
        }
        end = start;
    }
}

/// The rollout file of session `id`.
pub fn find_by_id(codex_home: &Path, id: &str) -> Result<PathBuf, RolloutError> {
    let dir = codex_home.join("sessions");
    let suffix = format!("-{id}.jsonl");
    all_rollouts(&dir)?
        .into_iter()
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(&suffix)))
        .ok_or_else(|| RolloutError::NotFound { id: id.to_owned(), dir })
}

/// The newest rollout file of a user's thread (by the timestamp in its name, then by path).
pub fn find_last(codex_home: &Path) -> Result<PathBuf, RolloutError> {
    let dir = codex_home.join("sessions");
    let mut all = all_rollouts(&dir)?;
    all.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));
    // A sub-agent's session (a review's) is not a thread of the user's.
    let users = |path: &PathBuf| Rollout::read_meta(path).map_or(true, |meta| meta.subagent.is_none());
    all.into_iter().rev().find(users).ok_or(RolloutError::NoSessions(dir))
}

/// Every rollout file under `dir`, at any depth. Symbolic links to folders are not followed
/// (a link back up would make the walk endless).
pub(crate) fn all_rollouts(dir: &Path) -> Result<Vec<PathBuf>, RolloutError> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(RolloutError::Io { path: dir, source }),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("rollout-") && n.ends_with(".jsonl"))
            {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// Now, as RFC 3339 with milliseconds.
pub fn now_rfc3339() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str) -> SessionMeta {
        SessionMeta {
            id: id.into(),
            timestamp: now_rfc3339(),
            cwd: "/w".into(),
            model_provider: "openai".into(),
            originator: "codex_exec".into(),
            cli_version: "0".into(),
            subagent: None,
        }
    }

    #[test]
    fn written_items_read_back_and_sessions_are_found() {
        let home = tempfile::tempdir().unwrap();
        let mut rollout = Rollout::create(home.path(), &meta("0001")).unwrap();
        let said = ResponseItem::user_text("hi".into());
        rollout.append(Record::ResponseItem(said.clone())).unwrap();
        // A crash mid-line leaves a partial last line, which reading skips.
        std::fs::OpenOptions::new()
            .append(true)
            .open(rollout.path())
            .unwrap()
            .write_all(b"{\"type\":\"respo")
            .unwrap();
        let recorded = Rollout::read(rollout.path()).unwrap();
        assert_eq!(recorded.meta.id, "0001");
        assert_eq!(recorded.history, [said]);
        // Opening for appending cuts the torn line: the next record is a line of its own.
        let mut reopened = Rollout::open(rollout.path()).unwrap();
        reopened.append(Record::TurnStarted { turn_id: "0".into() }).unwrap();
        let text = std::fs::read_to_string(rollout.path()).unwrap();
        assert!(text.lines().all(|line| serde_json::from_str::<RolloutLine>(line).is_ok()), "{text}");
        assert_eq!(Rollout::read(rollout.path()).unwrap().turns.len(), 1);
        assert_eq!(Rollout::read_meta(rollout.path()).unwrap().id, "0001");
        assert_eq!(find_by_id(home.path(), "0001").unwrap(), rollout.path());
        assert!(matches!(find_by_id(home.path(), "nope"), Err(RolloutError::NotFound { .. })));
        assert_eq!(find_last(home.path()).unwrap(), rollout.path());
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(find_last(empty.path()), Err(RolloutError::NoSessions(_))));
    }

    #[test]
    fn a_link_back_up_does_not_make_the_walk_endless() {
        let home = tempfile::tempdir().unwrap();
        let rollout = Rollout::create(home.path(), &meta("0002")).unwrap();
        std::os::unix::fs::symlink(home.path().join("sessions"), home.path().join("sessions/loop")).unwrap();
        assert_eq!(all_rollouts(&home.path().join("sessions")).unwrap(), [rollout.path()]);
    }
}
