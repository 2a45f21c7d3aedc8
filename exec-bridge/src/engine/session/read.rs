//! Reading session files back, within bounds: only a regular file of at most
//! [`MAX_SESSION_BYTES`] is read (a FIFO or a device neither hangs nor fills memory), a line
//! longer than [`MAX_RECORD_BYTES`] is skipped like any line this runtime cannot read, and the
//! meta line is looked for in the first [`MAX_META_BYTES`] only. A session named by a client
//! ([`resumable`]) must moreover lie under `$CODEX_HOME/sessions` or
//! `$CODEX_HOME/archived_sessions`.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::bounded::{self, BoundedLines, FileError, Line};

use super::rollout::{Record, Recorded, RecordedTurn, Rollout, RolloutError, RolloutLine, SessionMeta};

/// The largest session file read: 512 MiB.
pub const MAX_SESSION_BYTES: u64 = 512 * 1024 * 1024;
/// The longest line of a session file read: 64 MiB (an image of the largest size a turn
/// sends, as a `data:` URL, fits).
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;
/// The longest meta line read: 1 MiB.
pub const MAX_META_BYTES: usize = 1024 * 1024;

/// The records of a session file, in order; lines that cannot be read are skipped.
pub struct Records {
    path: PathBuf,
    lines: BoundedLines<BufReader<std::io::Take<std::fs::File>>>,
}

impl Iterator for Records {
    type Item = Result<Record, RolloutError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.lines.next()? {
                Err(source) => return Some(Err(RolloutError::Io { path: self.path.clone(), source })),
                Ok(Line::TooLong { .. }) => {}
                Ok(Line::Whole(line)) => {
                    if let Ok(RolloutLine { record, .. }) = serde_json::from_slice(&line) {
                        return Some(Ok(record));
                    }
                }
            }
        }
    }
}

/// The records of the session file `path`, each line at most `max_line` bytes.
fn records_within(path: &Path, max_line: usize, max_total: u64) -> Result<Records, RolloutError> {
    let (file, _) = bounded::open_regular(path, MAX_SESSION_BYTES).map_err(|e| refused(path, e))?;
    let lines = BoundedLines::new(BufReader::new(file.take(max_total)), max_line);
    Ok(Records { path: path.to_path_buf(), lines })
}

/// The records of the session file `path`, in order.
pub fn records(path: &Path) -> Result<Records, RolloutError> {
    records_within(path, MAX_RECORD_BYTES, MAX_SESSION_BYTES)
}

impl Rollout {
    /// Reads a session file back. Lines this runtime cannot read are skipped.
    pub fn read(path: &Path) -> Result<Recorded, RolloutError> {
        let mut meta = None;
        let mut recorded = Recorded::default();
        for record in records(path)? {
            match record? {
                Record::SessionMeta(first) => meta = meta.or(Some(first)),
                Record::ResponseItem(item) => recorded.history.push(item),
                Record::TurnStarted { turn_id } => {
                    recorded.turns.push(RecordedTurn { id: turn_id, items: Vec::new(), end: None })
                }
                Record::ItemCompleted { item, .. } => {
                    if let Some(turn) = recorded.turns.last_mut() {
                        turn.items.push(item);
                    }
                }
                Record::TurnEnded { end, .. } => {
                    if let Some(turn) = recorded.turns.last_mut() {
                        turn.end = Some(end);
                    }
                }
                Record::Compacted { message } => {
                    recorded.history = crate::engine::history::compacted(&recorded.history, &message);
                }
                // What a review added to the history is a `response_item` of its own.
                Record::EnteredReviewMode { .. } | Record::ExitedReviewMode { .. } => {}
            }
        }
        recorded.meta = meta.ok_or_else(|| RolloutError::Corrupt {
            path: path.to_path_buf(),
            message: "no session_meta line".into(),
        })?;
        Ok(recorded)
    }

    /// Reads only the meta line (for listings).
    pub fn read_meta(path: &Path) -> Result<SessionMeta, RolloutError> {
        let (file, _) = bounded::open_regular(path, MAX_SESSION_BYTES).map_err(|e| refused(path, e))?;
        let mut lines =
            BoundedLines::new(BufReader::new(file.take(MAX_META_BYTES as u64 + 2)), MAX_META_BYTES);
        let corrupt = |message: String| RolloutError::Corrupt { path: path.to_path_buf(), message };
        let first = match lines.next() {
            None => return Err(corrupt("it is empty".into())),
            Some(Err(source)) => return Err(RolloutError::Io { path: path.to_path_buf(), source }),
            Some(Ok(Line::TooLong { .. })) => {
                return Err(corrupt(format!("the first line is longer than {MAX_META_BYTES} bytes")))
            }
            Some(Ok(Line::Whole(first))) => first,
        };
        match serde_json::from_slice::<RolloutLine>(&first) {
            Ok(RolloutLine { record: Record::SessionMeta(meta), .. }) => Ok(meta),
            Ok(_) => Err(corrupt("the first line is not session_meta".into())),
            Err(e) => Err(corrupt(e.to_string())),
        }
    }
}

/// The session file `path` names, if a client may have it read: after resolving symbolic
/// links and `..`, a regular file of at most [`MAX_SESSION_BYTES`] under
/// `codex_home/sessions` or `codex_home/archived_sessions`.
pub fn resumable(codex_home: &Path, path: &Path) -> Result<PathBuf, RolloutError> {
    let allowed = || {
        format!(
            "only regular files of at most {MAX_SESSION_BYTES} bytes under {} or {} are read",
            codex_home.join("sessions").display(),
            codex_home.join("archived_sessions").display()
        )
    };
    let refuse = |why: String| RolloutError::Refused {
        path: path.to_path_buf(),
        reason: format!("{why}; {}", allowed()),
    };
    let real = std::fs::canonicalize(path).map_err(|e| refuse(format!("it cannot be resolved ({e})")))?;
    let inside = ["sessions", "archived_sessions"].iter().any(|dir| {
        std::fs::canonicalize(codex_home.join(dir)).is_ok_and(|dir| real.starts_with(&dir) && real != dir)
    });
    if !inside {
        return Err(refuse(format!("it is {}, outside those folders", real.display())));
    }
    bounded::open_regular(&real, MAX_SESSION_BYTES).map_err(|e| refuse(e.to_string()))?;
    Ok(real)
}

/// The error for a file that is not read.
fn refused(path: &Path, error: FileError) -> RolloutError {
    match error {
        FileError::Io(source) => RolloutError::Io { path: path.to_path_buf(), source },
        error => RolloutError::Refused { path: path.to_path_buf(), reason: error.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn lines_past_the_bound_are_skipped_and_the_meta_line_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollout-x.jsonl");
        let meta = SessionMeta { id: "m".into(), ..SessionMeta::default() };
        let mut rollout = Rollout::open(&path).unwrap();
        rollout.append(Record::SessionMeta(meta)).unwrap();
        let huge = format!(
            "{{\"timestamp\":\"t\",\"type\":\"turn_started\",\"payload\":{{\"turn_id\":\"{}\"}}}}\n",
            "x".repeat(300)
        );
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(huge.as_bytes()).unwrap();
        rollout.append(Record::TurnStarted { turn_id: "1".into() }).unwrap();
        let turns: Vec<Record> =
            records_within(&path, 200, MAX_SESSION_BYTES).unwrap().map(Result::unwrap).collect();
        assert_eq!(turns.len(), 2, "the meta line and the short turn; the long line is skipped");
        assert_eq!(Rollout::read(&path).unwrap().turns.len(), 2, "within the real bound, both turns");

        let long_first = dir.path().join("long.jsonl");
        std::fs::write(&long_first, vec![b'x'; MAX_META_BYTES + 10]).unwrap();
        let error = Rollout::read_meta(&long_first).unwrap_err().to_string();
        assert!(error.contains("longer than"), "{error}");
    }

    #[test]
    fn a_sub_agent_s_session_is_never_the_last_thread() {
        let home = tempfile::tempdir().unwrap();
        let meta = |id: &str, subagent: Option<&str>| SessionMeta {
            id: id.into(),
            subagent: subagent.map(str::to_owned),
            ..SessionMeta::default()
        };
        let user = Rollout::create(home.path(), &meta("0001", None)).unwrap();
        let reviewer = Rollout::create(home.path(), &meta("0002", Some("review"))).unwrap();
        assert_eq!(super::super::find_last(home.path()).unwrap(), user.path());
        let read = Rollout::read_meta(reviewer.path()).unwrap();
        assert_eq!(read.subagent.as_deref(), Some("review"));
        let text = std::fs::read_to_string(user.path()).unwrap();
        assert!(!text.contains("subagent"), "a user's thread says nothing of it: {text}");
    }

    #[test]
    fn only_session_files_under_codex_home_are_resumable() {
        let home = tempfile::tempdir().unwrap();
        let sessions = home.path().join("sessions/2026/01/01");
        std::fs::create_dir_all(&sessions).unwrap();
        let good = sessions.join("rollout-a.jsonl");
        std::fs::write(&good, "{}\n").unwrap();
        assert_eq!(resumable(home.path(), &good).unwrap(), std::fs::canonicalize(&good).unwrap());
        let outside = home.path().join("elsewhere.jsonl");
        std::fs::write(&outside, "{}\n").unwrap();
        for path in [outside.as_path(), Path::new("/dev/zero"), &sessions.join("../../../../elsewhere.jsonl")]
        {
            let error = resumable(home.path(), path).unwrap_err().to_string();
            assert!(
                error.contains("outside those folders") && error.contains("archived_sessions"),
                "{error}"
            );
        }
        std::os::unix::fs::symlink("/dev/zero", sessions.join("rollout-z.jsonl")).unwrap();
        let error = resumable(home.path(), &sessions.join("rollout-z.jsonl")).unwrap_err().to_string();
        assert!(error.contains("outside those folders"), "{error}");
        let error = resumable(home.path(), &sessions).unwrap_err().to_string();
        assert!(error.contains("not a regular file"), "{error}");
        let error = resumable(home.path(), &home.path().join("sessions/nope.jsonl")).unwrap_err().to_string();
        assert!(error.contains("cannot be resolved"), "{error}");
    }
}
