//! A thread's state, owned by its task: the conversation, the settings, the session file, the
//! approvals given for the session, and the snapshot it publishes.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::handle::ThreadSnapshot;
use super::history::History;
use super::items::{ApprovalId, Event, Item, ItemKind, TurnError};
use super::model::request::RequestSettings;
use super::model::{Endpoint, ModelClient, ResponseItem};
use super::safety;
use super::session::{Record, Recorded, Rollout, RolloutError, SessionMeta};
use super::settings::{ThreadSettings, ThreadSpec, TurnOverrides};
use super::tools;
use crate::sandbox::Platform;

mod sub_agent;

/// The system instructions sent with every request.
const INSTRUCTIONS: &str = "You are a coding agent running in a terminal on the user's machine. \
Use the shell tool to inspect and run things, apply_patch to edit files, and update_plan to keep a plan for multi-step work. \
Be concise; when done, answer with a short summary of what you did.";

/// How many events a thread's channel holds; past that, the turn waits until its reader takes
/// one (a reader that stalls slows the turn down instead of piling events up).
pub const EVENT_CAPACITY: usize = 64;

/// Everything one thread keeps between and during turns.
pub(super) struct ThreadState {
    pub(super) id: String,
    pub(super) client: ModelClient,
    pub(super) settings: ThreadSettings,
    pub(super) request: RequestSettings,
    pub(super) history: History,
    rollout: Rollout,
    /// Commands approved for the rest of the session.
    pub(super) approved_commands: HashSet<Vec<String>>,
    /// Notices already given (each is said once).
    notices: HashSet<String>,
    /// What the platform changed of the policy, said at the next command.
    pub(super) platform_notice: Option<String>,
    /// Runs commands under the sandbox (and serves as the process guard, see
    /// [`tools::process`]).
    pub(super) sandbox_helper: std::path::PathBuf,
    /// The whole environment of every command: the runtime's own under
    /// `[shell_environment_policy]`, without the runtime's credentials.
    pub(super) command_env: Vec<(String, String)>,
    /// `CODEX_HOME`, which neither commands nor patches may write without asking.
    pub(super) codex_home: std::path::PathBuf,
    /// The runtime's `$TMPDIR`, a writable root of a `workspace-write` override.
    pub(super) tmpdir: Option<std::path::PathBuf>,
    /// Whether commands that need approval are assessed by the model first
    /// (`experimental_sandbox_command_assessment`).
    pub(super) assess_commands: bool,
    /// What the kernel offers to confine commands (less what the environment pretends away).
    pub(super) support: crate::sandbox::Support,
    /// The thread's MCP servers, once started (`None` when none is configured).
    pub(super) mcp: Option<Arc<super::mcp::McpServers>>,
    /// The servers' start, under way since the thread started; awaited before anything else
    /// ([`ThreadState::mcp_start`]).
    mcp_starting: Option<tokio::task::JoinHandle<(super::mcp::McpServers, Vec<super::mcp::StartFailure>)>>,
    /// Why servers failed to start, said at the first turn.
    mcp_failures: Vec<String>,
    /// The thread's token usage, after its first model response.
    pub(super) tokens: Option<super::items::TokenInfo>,
    /// The model of code reviews (`review_model`).
    pub(super) review_model: String,
    next_item: u64,
    next_approval: ApprovalId,
    pub(super) snapshot: Arc<watch::Sender<ThreadSnapshot>>,
    events: mpsc::Sender<Event>,
}

impl ThreadState {
    /// A new thread: a new id and a new session file.
    pub(super) fn start(spec: ThreadSpec, events: mpsc::Sender<Event>) -> Result<ThreadState, RolloutError> {
        let meta = SessionMeta {
            id: uuid::Uuid::now_v7().to_string(),
            timestamp: super::session::rollout::now_rfc3339(),
            cwd: spec.settings.cwd.display().to_string(),
            model_provider: spec.config.provider.id.clone(),
            originator: spec.originator.clone(),
            cli_version: env!("CARGO_PKG_VERSION").to_owned(),
            subagent: None,
        };
        let rollout = Rollout::create(&spec.config.codex_home, &meta)?;
        Ok(ThreadState::assemble(spec, rollout, Recorded { meta, ..Recorded::default() }, events))
    }

    /// The thread recorded in `path`, with its whole history.
    pub(super) fn resume(
        spec: ThreadSpec,
        path: &Path,
        events: mpsc::Sender<Event>,
    ) -> Result<ThreadState, RolloutError> {
        let recorded = Rollout::read(path)?;
        let rollout = Rollout::open(path)?;
        Ok(ThreadState::assemble(spec, rollout, recorded, events))
    }

    fn assemble(
        spec: ThreadSpec,
        rollout: Rollout,
        recorded: Recorded,
        events: mpsc::Sender<Event>,
    ) -> ThreadState {
        let ThreadSpec { config, mut settings, originator, sandbox_helper } = spec;
        let id = recorded.meta.id.clone();
        let platform_notice = safety::for_platform(&mut settings.policy, Platform::current());
        let endpoint = Endpoint {
            base_url: config.provider.base_url.clone(),
            wire_api: config.provider.wire_api,
            api_key: config.api_key(),
            originator,
            limits: config.provider.limits,
        };
        let request = RequestSettings {
            model: config.model.clone(),
            instructions: INSTRUCTIONS.to_owned(),
            tools: tools::definitions(&config.model, config.view_image, config.web_search),
            reasoning_effort: config.reasoning_effort,
            reasoning_summary: "auto",
            output_schema: None,
            cache_key: id.clone(),
        };
        let snapshot = ThreadSnapshot {
            id: id.clone(),
            rollout_path: rollout.path().to_path_buf(),
            model_provider: recorded.meta.model_provider.clone(),
            settings: settings.clone(),
            model: config.model.clone(),
            reasoning_effort: config.reasoning_effort,
            workspace_write: config.workspace_write.clone(),
            turns: recorded.turns,
            running: None,
        };
        let mcp_starting = mcp_startup(&config, &settings.cwd, &sandbox_helper)
            .map(|startup| tokio::spawn(super::mcp::McpServers::start(startup)));
        ThreadState {
            mcp: None,
            mcp_starting,
            mcp_failures: Vec::new(),
            review_model: config.review_model.clone(),
            command_env: config.command_env(),
            client: ModelClient::new(endpoint, id.clone()),
            id,
            settings,
            request,
            history: History::new(recorded.history),
            rollout,
            approved_commands: HashSet::new(),
            notices: HashSet::new(),
            platform_notice,
            sandbox_helper,
            codex_home: config.codex_home.clone(),
            tmpdir: config.tmpdir(false).map(std::path::Path::to_path_buf),
            assess_commands: config.sandbox_command_assessment,
            support: crate::sandbox::Support::probe(&config.vars),
            tokens: None,
            next_item: 0,
            next_approval: 0,
            snapshot: Arc::new(watch::channel(snapshot).0),
            events,
        }
    }

    /// Sends an event to whoever reads the thread, waiting while the channel is full (gone
    /// readers are not an error).
    pub(super) async fn emit(&self, event: Event) {
        let _ = self.events.send(event).await;
    }

    /// A sender of this thread's events, for callbacks that cannot borrow the state.
    pub(super) fn event_sender(&self) -> mpsc::Sender<Event> {
        self.events.clone()
    }

    /// Appends a record to the session file.
    pub(super) fn write(&mut self, record: Record) -> Result<(), RolloutError> {
        self.rollout.append(record)
    }

    /// Appends a conversation item to the history and the session file.
    pub(super) fn record(&mut self, item: ResponseItem) -> Result<(), TurnError> {
        self.rollout.append(Record::ResponseItem(item.clone()))?;
        self.history.push(item);
        Ok(())
    }

    /// Answers every tool call left without output (an interrupted or crashed turn) as
    /// aborted, in the history and the session file.
    pub(super) fn close_dangling_calls(&mut self) -> Result<(), TurnError> {
        for answer in self.history.close_dangling_calls() {
            self.rollout.append(Record::ResponseItem(answer))?;
        }
        Ok(())
    }

    /// Reports `item` of turn `turn_id` as completed, after recording it in the session file
    /// and the snapshot.
    pub(super) async fn complete(&mut self, turn_id: &str, item: Item) -> Result<(), TurnError> {
        self.rollout.append(Record::ItemCompleted { turn_id: turn_id.to_owned(), item: item.clone() })?;
        self.snapshot.send_modify(|now| {
            if let Some(turn) = now.turns.last_mut() {
                let mut kept = item.clone();
                // The pipes apart are live only (the aggregate stays), as in the session file.
                if let ItemKind::Command(command) = &mut kept.kind {
                    command.stdout = String::new();
                    command.stderr = String::new();
                }
                turn.items.push(kept);
            }
        });
        self.emit(Event::ItemCompleted(item)).await;
        Ok(())
    }

    /// Says `message` once per thread, as a non-fatal error item.
    pub(super) async fn notice_once(&mut self, turn_id: &str, message: String) -> Result<(), TurnError> {
        if self.notices.insert(message.clone()) {
            let notice = self.item(ItemKind::Error { message }, None);
            self.complete(turn_id, notice).await?;
        }
        Ok(())
    }

    /// Waits for the MCP servers started with the thread (each start is bounded by its
    /// `startup_timeout_sec`), reports their start (before anything else of the thread, as the
    /// reference does, so that a client may wait for it), and offers their tools and the
    /// resource tools to the model (offered always, as the reference offers them: with no
    /// server they answer with nothing to list). A thread that shares its parent's servers (a
    /// sub-agent) reports nothing.
    pub(super) async fn mcp_start(&mut self) {
        let (servers, failures) = match self.mcp_starting.take() {
            None if self.mcp.is_some() => return,
            None => Default::default(),
            Some(starting) => starting.await.unwrap_or_else(|e| {
                let why = e.to_string();
                let message = format!("the MCP servers could not be started: {e}");
                (
                    super::mcp::McpServers::default(),
                    vec![super::mcp::StartFailure { server: String::new(), why, message }],
                )
            }),
        };
        let ready = servers.names().map(str::to_owned).collect();
        let failed = failures.iter().map(|f| (f.server.clone(), f.why.clone())).collect();
        self.emit(Event::McpStartup { ready, failed }).await;
        self.mcp_failures = failures.into_iter().map(|failure| failure.message).collect();
        self.request.tools.extend(servers.definitions().iter().cloned());
        self.mcp = Some(Arc::new(servers));
    }

    /// Says once, at the first turn, why each MCP server that failed to start failed; the turn
    /// goes on either way.
    pub(super) async fn mcp_ready(&mut self, turn_id: &str) -> Result<(), TurnError> {
        for message in std::mem::take(&mut self.mcp_failures) {
            self.notice_once(turn_id, message).await?;
        }
        Ok(())
    }

    /// A new item with the given id, or a fresh one.
    pub(super) fn item(&mut self, kind: ItemKind, id: Option<&str>) -> Item {
        let id = match id.filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => {
                self.next_item += 1;
                format!("item-{}", self.next_item)
            }
        };
        Item { id, kind }
    }

    /// A fresh approval request id.
    pub(super) fn next_approval_id(&mut self) -> ApprovalId {
        self.next_approval += 1;
        self.next_approval
    }

    /// Applies a turn's overrides, and publishes the settings.
    pub(super) fn apply(&mut self, overrides: TurnOverrides) {
        let TurnOverrides { cwd, approval, sandbox, model, effort } = overrides;
        if let Some(cwd) = cwd {
            self.settings.cwd = cwd;
        }
        if let Some(approval) = approval {
            self.settings.policy.approval = approval;
        }
        if let Some(sandbox) = sandbox {
            let (policy, network) =
                sandbox.policy(&self.settings.cwd, self.settings.policy.approval, self.tmpdir.as_deref());
            self.settings.policy = policy;
            self.settings.network_access = network;
            self.platform_notice = safety::for_platform(&mut self.settings.policy, Platform::current());
        }
        if let Some(model) = model {
            self.request.tools = tools::for_model(std::mem::take(&mut self.request.tools), &model);
            self.request.model = model;
        }
        if effort.is_some() {
            self.request.reasoning_effort = effort;
        }
        let (settings, model, effort) =
            (self.settings.clone(), self.request.model.clone(), self.request.reasoning_effort);
        self.snapshot.send_modify(|now| {
            now.settings = settings;
            now.model = model;
            now.reasoning_effort = effort;
        });
    }
}

/// What starting the enabled MCP servers of `config` needs, or `None` when there are none. A
/// `bearer_token_env_var` that names an unset variable makes its server fail to start, saying
/// so.
fn mcp_startup(config: &super::config::Config, cwd: &Path, guard: &Path) -> Option<super::mcp::Startup> {
    use super::mcp::McpTransport;
    let servers: Vec<_> = config
        .mcp_servers
        .iter()
        .filter(|(_, server)| server.enabled)
        .map(|(name, server)| {
            let mut server = server.clone();
            let env = match &server.transport {
                McpTransport::Stdio { env, env_vars, .. } => config.mcp_server_env(env, env_vars),
                _ => Vec::new(),
            };
            let token = match server.transport.bearer_token_env_var() {
                Some(var) => match config.vars.get(var) {
                    Some(token) => Some(token.to_owned()),
                    None => {
                        server.transport = McpTransport::Invalid(format!(
                            "the environment variable `{var}` (bearer_token_env_var of [mcp_servers.{name}]) is not set; set it to the server's token"
                        ));
                        None
                    }
                },
                None => None,
            };
            super::mcp::ServerStart { name: name.clone(), config: server, env, bearer_token: token }
        })
        .collect();
    (!servers.is_empty()).then(|| super::mcp::Startup {
        servers,
        cwd: cwd.to_path_buf(),
        guard: Some(guard.to_path_buf()),
    })
}
