//! A thread's sub-agents: conversations of their own that a turn of the thread runs (a
//! reviewer, see [`crate::engine::review`]), with the thread's environment.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::ThreadState;
use crate::engine::handle::ThreadSnapshot;
use crate::engine::history::History;
use crate::engine::items::Event;
use crate::engine::model::request::RequestSettings;
use crate::engine::session::{Rollout, RolloutError, SessionMeta};

impl ThreadState {
    /// A sub-agent of this thread (a reviewer, see [`crate::engine::review`]): a conversation
    /// of its own (a new id, a session file marked `subagent: KIND`, an empty history, model
    /// requests made with `request(id)` and marked `x-openai-subagent: KIND`) under this
    /// thread's settings, sandbox, environment, approvals and MCP servers. Its events go to
    /// `events`; its items and approval requests are numbered on from this thread's
    /// ([`ThreadState::adopt`] takes the numbering back).
    pub(in crate::engine) fn sub_agent(
        &self,
        kind: &'static str,
        request: impl FnOnce(&str) -> RequestSettings,
        events: mpsc::Sender<Event>,
    ) -> Result<ThreadState, RolloutError> {
        let id = uuid::Uuid::now_v7().to_string();
        let (model_provider, workspace_write) = {
            let now = self.snapshot.borrow();
            (now.model_provider.clone(), now.workspace_write.clone())
        };
        let meta = SessionMeta {
            id: id.clone(),
            timestamp: crate::engine::session::rollout::now_rfc3339(),
            cwd: self.settings.cwd.display().to_string(),
            model_provider: model_provider.clone(),
            originator: self.client.originator().to_owned(),
            cli_version: env!("CARGO_PKG_VERSION").to_owned(),
            subagent: Some(kind.to_owned()),
        };
        let rollout = Rollout::create(&self.codex_home, &meta)?;
        let request = request(&id);
        let snapshot = ThreadSnapshot {
            id: id.clone(),
            rollout_path: rollout.path().to_path_buf(),
            model_provider,
            settings: self.settings.clone(),
            model: request.model.clone(),
            reasoning_effort: request.reasoning_effort,
            workspace_write,
            turns: Vec::new(),
            running: None,
        };
        Ok(ThreadState {
            client: self.client.for_subagent(id.clone(), kind),
            id,
            settings: self.settings.clone(),
            request,
            history: History::default(),
            rollout,
            approved_commands: self.approved_commands.clone(),
            notices: HashSet::new(),
            platform_notice: self.platform_notice.clone(),
            sandbox_helper: self.sandbox_helper.clone(),
            command_env: self.command_env.clone(),
            codex_home: self.codex_home.clone(),
            tmpdir: self.tmpdir.clone(),
            assess_commands: self.assess_commands,
            support: self.support,
            mcp: self.mcp.clone(),
            mcp_starting: None,
            mcp_failures: Vec::new(),
            review_model: self.review_model.clone(),
            tokens: None,
            next_item: self.next_item,
            next_approval: self.next_approval,
            snapshot: Arc::new(watch::channel(snapshot).0),
            events,
        })
    }

    /// Takes back the numbering of items and approval requests from a sub-agent that is done,
    /// so that the thread never repeats one of its ids.
    pub(in crate::engine) fn adopt(&mut self, sub_agent: &ThreadState) {
        self.next_item = sub_agent.next_item;
        self.next_approval = sub_agent.next_approval;
    }
}
