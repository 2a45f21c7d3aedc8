//! `thread/list` and `thread/archive`: what is recorded on disk.

use std::path::{Path, PathBuf};

use protocol::v2;

use crate::engine::model::items::message_text;
use crate::engine::model::{KnownItem, ResponseItem};
use crate::engine::session::{self, Record, Rollout, RolloutError, SessionMeta};

/// Threads returned per page when the client does not say.
const DEFAULT_PAGE: usize = 25;
/// The most threads returned per page.
const MAX_PAGE: usize = 100;

/// One page of the recorded threads of `providers` (of any provider when empty), newest
/// first. The cursor is the file name of the last thread of the previous page.
pub fn list(
    codex_home: &Path,
    params: &v2::ThreadListParams,
    providers: &[String],
) -> Result<v2::ThreadListResponse, RolloutError> {
    let mut files = session::rollout::all_rollouts(&codex_home.join("sessions"))?;
    files.sort_by_key(|p| std::cmp::Reverse(file_name(p)));
    let limit = params.limit.map_or(DEFAULT_PAGE, |l| (l as usize).clamp(1, MAX_PAGE));
    let after = params.cursor.clone();
    let mut data = Vec::new();
    let mut more = false;
    for path in files.into_iter().filter(|p| after.as_ref().is_none_or(|cursor| file_name(p) < *cursor)) {
        let Ok(meta) = Rollout::read_meta(&path) else { continue };
        // A sub-agent's session (a reviewer's) is not a thread.
        if meta.subagent.is_some() {
            continue;
        }
        if !providers.is_empty() && !providers.contains(&meta.model_provider) {
            continue;
        }
        if data.len() == limit {
            more = true;
            break;
        }
        data.push(v2::Thread {
            id: meta.id.clone(),
            preview: preview(&path).unwrap_or_default(),
            model_provider: meta.model_provider.clone(),
            created_at: created_at(&meta),
            path: path.display().to_string(),
            turns: vec![],
        });
    }
    let next_cursor = if more { data.last().map(|t| file_name(Path::new(&t.path))) } else { None };
    Ok(v2::ThreadListResponse { data, next_cursor })
}

/// Moves a thread's session file to `archived_sessions/`: out of the listing, not deleted.
pub fn archive(codex_home: &Path, thread_id: &str) -> Result<(), RolloutError> {
    let path = session::find_by_id(codex_home, thread_id)?;
    let relative = path.strip_prefix(codex_home.join("sessions")).unwrap_or(&path);
    let target: PathBuf = codex_home.join("archived_sessions").join(relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|source| RolloutError::Io { path: parent.to_path_buf(), source })?;
    }
    std::fs::rename(&path, &target).map_err(|source| RolloutError::Io { path, source })
}

/// The first thing the user said in the thread.
pub fn preview(path: &Path) -> Option<String> {
    for record in session::records(path).ok()?.map_while(Result::ok) {
        let Record::ResponseItem(item) = record else { continue };
        if let ResponseItem::Known(KnownItem::Message { role, content, .. }) = item {
            let text = message_text(&content);
            if role == "user" && !text.starts_with("<environment_context>") {
                return Some(text);
            }
        }
    }
    None
}

/// When a session started, in seconds since the Unix epoch.
pub fn created_at(meta: &SessionMeta) -> i64 {
    time::OffsetDateTime::parse(&meta.timestamp, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .unwrap_or(0)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
