//! Sessions: every turn of a thread appended to a rollout file as it happens, and read back to
//! resume the thread.

pub mod read;
pub mod rollout;

pub use read::{records, resumable};
pub use rollout::{
    find_by_id, find_last, Record, Recorded, RecordedTurn, Rollout, RolloutError, RolloutLine, SessionMeta,
    TurnEnd,
};
