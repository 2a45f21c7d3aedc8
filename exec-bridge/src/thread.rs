//! A thread and its turn loop: send the conversation to the model, run the tools it calls, send
//! their outputs back, until it answers without calling a tool.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::sync::watch;

use crate::approval::{Approver, Decision};
use crate::config::Config;
use crate::items::{CommandItem, EventSink, Item, ItemKind, Status, TurnEvent};
use crate::model::request::{self, RequestSettings};
use crate::model::{text_parts, ClientEvent, Endpoint, ModelClient, ModelError, TokenUsage};
use crate::policy::{self, ApprovalPolicy, CommandDecision, PatchDecision, Policy};
use crate::sandbox::{self, Platform, SandboxSpec, Support};
use crate::session::{Recorded, RecordedTurn, Rollout, RolloutError, SessionMeta, TurnEnd};
use crate::tools::{self, apply_patch, shell};

/// The system instructions sent with every request.
const INSTRUCTIONS: &str = "You are a coding agent running in a terminal on the user's machine. \
Use the shell tool to inspect and run things, apply_patch to edit files, and update_plan to keep a plan for multi-step work. \
Be concise; when done, answer with a short summary of what you did.";

/// Why a turn could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// The model could not be reached or failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The turn was interrupted (or an approval was answered `cancel`).
    #[error("the turn was interrupted")]
    Interrupted,
    /// The session file could not be written.
    #[error("cannot record the session: {0}")]
    Session(#[from] RolloutError),
    /// The user's input could not be used.
    #[error("{0}")]
    Input(String),
}

/// The settings a thread runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSettings {
    /// The working directory.
    pub cwd: PathBuf,
    /// Approval policy, sandbox and writable roots.
    pub policy: Policy,
    /// Whether commands may use the network (told to the model).
    pub network_access: bool,
}

/// What the user sends in one turn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurnInput {
    /// Text parts.
    pub texts: Vec<String>,
    /// Local image files.
    pub images: Vec<PathBuf>,
    /// Images by URL (`https:` or `data:`).
    pub image_urls: Vec<String>,
}

/// How a finished turn went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnOutcome {
    /// Tokens used, summed over every request of the turn.
    pub usage: TokenUsage,
    /// The last thing the agent said.
    pub final_message: Option<String>,
}

/// One conversation with the model, recorded in a session file.
pub struct Thread {
    id: String,
    client: ModelClient,
    settings: ThreadSettings,
    request: RequestSettings,
    history: Vec<Value>,
    rollout: Rollout,
    /// The turns so far, with their completed items.
    turns: Vec<RecordedTurn>,
    /// Commands approved for the rest of the session.
    approved_commands: HashSet<Vec<String>>,
    /// Notices already given (each is said once).
    notices: HashSet<String>,
    next_item: u64,
}

impl Thread {
    /// Starts a new thread: a new id and a new session file.
    pub fn start(
        config: &Config,
        settings: ThreadSettings,
        originator: &str,
    ) -> Result<Thread, RolloutError> {
        let id = uuid::Uuid::now_v7().to_string();
        let meta = SessionMeta {
            id: id.clone(),
            timestamp: crate::session::rollout::now_rfc3339(),
            cwd: settings.cwd.display().to_string(),
            model_provider: config.provider.id.clone(),
            originator: originator.to_owned(),
            cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let rollout = Rollout::create(&config.codex_home, &meta)?;
        Ok(Thread::assemble(config, settings, originator, id, rollout, Recorded::default()))
    }

    /// Resumes the thread recorded in `path`, with its whole history.
    pub fn resume(
        config: &Config,
        settings: ThreadSettings,
        originator: &str,
        path: &Path,
    ) -> Result<Thread, RolloutError> {
        let recorded = Rollout::read(path)?;
        let rollout = Rollout::open(path)?;
        let id = recorded.meta.id.clone();
        Ok(Thread::assemble(config, settings, originator, id, rollout, recorded))
    }

    fn assemble(
        config: &Config,
        settings: ThreadSettings,
        originator: &str,
        id: String,
        rollout: Rollout,
        recorded: Recorded,
    ) -> Thread {
        let endpoint = Endpoint {
            base_url: config.provider.base_url.clone(),
            api_key: config.api_key(),
            originator: originator.to_owned(),
            request_max_retries: config.provider.request_max_retries,
            stream_max_retries: config.provider.stream_max_retries,
            stream_idle_timeout: config.provider.stream_idle_timeout,
        };
        let request = RequestSettings {
            model: config.model.clone(),
            instructions: INSTRUCTIONS.to_owned(),
            tools: tools::definitions(config.view_image, config.web_search),
            reasoning_effort: config.reasoning_effort.map(|e| e.as_str().to_owned()),
            output_schema: None,
            cache_key: id.clone(),
        };
        Thread {
            client: ModelClient::new(endpoint, id.clone()),
            id,
            settings,
            request,
            history: recorded.history,
            turns: recorded.turns,
            rollout,
            approved_commands: HashSet::new(),
            notices: HashSet::new(),
            next_item: 0,
        }
    }

    /// The thread's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The session file.
    pub fn rollout_path(&self) -> &Path {
        self.rollout.path()
    }

    /// The settings in force.
    pub fn settings(&self) -> &ThreadSettings {
        &self.settings
    }

    /// Changes the settings for this turn and the ones after it.
    pub fn settings_mut(&mut self) -> &mut ThreadSettings {
        &mut self.settings
    }

    /// The model in use.
    pub fn model(&self) -> &str {
        &self.request.model
    }

    /// Uses `model` from the next request on.
    pub fn set_model(&mut self, model: String) {
        self.request.model = model;
    }

    /// The reasoning effort, if one is set.
    pub fn reasoning_effort(&self) -> Option<&str> {
        self.request.reasoning_effort.as_deref()
    }

    /// Uses `effort` from the next request on.
    pub fn set_reasoning_effort(&mut self, effort: Option<String>) {
        self.request.reasoning_effort = effort;
    }

    /// The id the next turn will get: `0`, `1`, … within the thread.
    pub fn next_turn_id(&self) -> String {
        self.turns.len().to_string()
    }

    /// The turns so far (those of earlier sessions included), with their completed items.
    pub fn turns(&self) -> &[RecordedTurn] {
        &self.turns
    }

    /// Runs one turn to its end. `output_schema` constrains the final answer; `cancel` turning
    /// `true` interrupts the turn. The turn, its completed items and how it ended are recorded
    /// in the session file as they happen.
    pub async fn run_turn(
        &mut self,
        input: TurnInput,
        output_schema: Option<Value>,
        sink: &mut dyn EventSink,
        approver: &dyn Approver,
        mut cancel: watch::Receiver<bool>,
    ) -> Result<TurnOutcome, TurnError> {
        let turn_id = self.next_turn_id();
        self.rollout.append("turn_started", &serde_json::json!({ "turn_id": turn_id }))?;
        self.turns.push(RecordedTurn { id: turn_id.clone(), items: Vec::new(), end: None });
        let mut cx = TurnContext {
            sink,
            approver,
            cancel: &mut cancel,
            usage: TokenUsage::default(),
            final_message: None,
            plan: None,
        };
        let mut result = self.start_turn(input, output_schema, &mut cx).await;
        if result.is_ok() {
            result = self.turn_loop(&mut cx).await;
        }
        if let Some(plan) = cx.plan.take() {
            let recorded = self.complete(&mut cx, plan);
            result = result.and(recorded);
        }
        let end = match &result {
            Ok(()) => TurnEnd::Completed,
            Err(TurnError::Interrupted) => TurnEnd::Interrupted,
            Err(error) => TurnEnd::Failed { message: error.to_string() },
        };
        self.rollout.append("turn_ended", &serde_json::json!({ "turn_id": turn_id, "end": end }))?;
        if let Some(turn) = self.turns.last_mut() {
            turn.end = Some(end);
        }
        result.map(|()| TurnOutcome { usage: cx.usage, final_message: cx.final_message })
    }

    /// Sends the environment (first turn only) and the user's input.
    async fn start_turn(
        &mut self,
        input: TurnInput,
        output_schema: Option<Value>,
        cx: &mut TurnContext<'_>,
    ) -> Result<(), TurnError> {
        self.request.output_schema = output_schema;
        if self.history.is_empty() {
            let p = &self.settings.policy;
            let context = request::environment_context(
                &self.settings.cwd.display().to_string(),
                p.approval.as_str(),
                p.sandbox.as_str(),
                self.settings.network_access,
            );
            self.record(context)?;
        }
        let mut image_urls = input.image_urls.clone();
        for image in &input.images {
            let url = tools::image_data_url(image)
                .map_err(|e| TurnError::Input(format!("cannot read the image {}: {e}", image.display())))?;
            image_urls.push(url);
        }
        self.record(request::user_message(&input.texts, &image_urls))?;
        let user_item = self.item(
            ItemKind::UserMessage { texts: input.texts, images: input.images, image_urls: input.image_urls },
            None,
        );
        cx.sink.event(TurnEvent::ItemStarted(user_item.clone()));
        self.complete(cx, user_item)
    }

    async fn turn_loop(&mut self, cx: &mut TurnContext<'_>) -> Result<(), TurnError> {
        loop {
            let body = request::body(&self.request, &self.history);
            let mut observe = |event: ClientEvent| match event {
                ClientEvent::Delta(delta) => cx.sink.event(TurnEvent::ModelDelta(delta)),
                ClientEvent::Retrying { attempt, max_retries, reason, .. } => {
                    cx.sink.event(TurnEvent::Retrying { attempt, max_retries, reason })
                }
            };
            let response = tokio::select! {
                response = self.client.respond(&body, &mut observe) => response?,
                _ = cx.cancel.changed() => return Err(TurnError::Interrupted),
            };
            cx.usage.add(response.usage);
            let mut called_tools = false;
            for item in response.items {
                self.record(item.clone())?;
                called_tools |= self.handle_output_item(&item, cx).await?;
            }
            if !called_tools {
                return Ok(());
            }
        }
    }

    /// Handles one output item of the model; returns whether it was a tool call.
    async fn handle_output_item(
        &mut self,
        item: &Value,
        cx: &mut TurnContext<'_>,
    ) -> Result<bool, TurnError> {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let call_id = text(&item["call_id"]);
        match item["type"].as_str().unwrap_or_default() {
            "message" if item["role"] == "assistant" => {
                let message: String = text_parts(item, "content", "output_text").concat();
                cx.final_message = Some(message.clone());
                let done = self.item(ItemKind::AgentMessage { text: message }, item["id"].as_str());
                self.complete(cx, done)?;
                Ok(false)
            }
            "reasoning" => {
                let summary = text_parts(item, "summary", "summary_text");
                let content = text_parts(item, "content", "reasoning_text");
                let done = self.item(ItemKind::Reasoning { summary, content }, item["id"].as_str());
                self.complete(cx, done)?;
                Ok(false)
            }
            "function_call" => {
                let name = text(&item["name"]);
                let arguments = text(&item["arguments"]);
                let output = self.function_call(&name, &arguments, &call_id, cx).await?;
                self.record(request::function_call_output(&call_id, &output))?;
                if name == "view_image" {
                    self.attach_viewed_image(&arguments)?;
                }
                Ok(true)
            }
            "custom_tool_call" => {
                let name = text(&item["name"]);
                let output = if name == "apply_patch" {
                    self.patch(&text(&item["input"]), &call_id, cx).await?
                } else {
                    format!("unsupported tool `{name}`")
                };
                self.record(request::custom_tool_call_output(&call_id, &output))?;
                Ok(true)
            }
            "local_shell_call" => {
                let argv: Vec<String> =
                    serde_json::from_value(item["action"]["command"].clone()).unwrap_or_default();
                let args = shell::ShellArgs {
                    command: shell::CommandForm::Argv(argv),
                    workdir: item["action"]["working_directory"].as_str().map(str::to_owned),
                    timeout_ms: item["action"]["timeout_ms"].as_u64(),
                    with_escalated_permissions: None,
                    justification: None,
                };
                let id = if call_id.is_empty() { text(&item["id"]) } else { call_id };
                let output = self.shell(args, &id, cx).await?;
                self.record(request::function_call_output(&id, &output))?;
                Ok(true)
            }
            "web_search_call" => {
                let query = text(&item["action"]["query"]);
                let done = self.item(ItemKind::WebSearch { query }, item["id"].as_str());
                self.complete(cx, done)?;
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    async fn function_call(
        &mut self,
        name: &str,
        arguments: &str,
        call_id: &str,
        cx: &mut TurnContext<'_>,
    ) -> Result<String, TurnError> {
        let invalid = |e: serde_json::Error| format!("invalid arguments for {name}: {e}");
        match name {
            "shell" | "container.exec" => match serde_json::from_str::<shell::ShellArgs>(arguments) {
                Ok(args) => self.shell(args, call_id, cx).await,
                Err(e) => Ok(invalid(e)),
            },
            "apply_patch" => match serde_json::from_str::<Value>(arguments) {
                Ok(args) => self.patch(args["input"].as_str().unwrap_or_default(), call_id, cx).await,
                Err(e) => Ok(invalid(e)),
            },
            "update_plan" => match serde_json::from_str::<tools::PlanArgs>(arguments) {
                Ok(args) => {
                    let items = args
                        .plan
                        .iter()
                        .map(|s| (s.step.clone(), s.status == tools::StepStatus::Completed))
                        .collect();
                    match &mut cx.plan {
                        Some(plan) => {
                            plan.kind = ItemKind::TodoList { items };
                            cx.sink.event(TurnEvent::ItemUpdated(plan.clone()));
                        }
                        None => {
                            let plan = self.item(ItemKind::TodoList { items }, None);
                            cx.sink.event(TurnEvent::ItemStarted(plan.clone()));
                            cx.plan = Some(plan);
                        }
                    }
                    Ok("Plan updated".to_owned())
                }
                Err(e) => Ok(invalid(e)),
            },
            "view_image" => match serde_json::from_str::<tools::ViewImageArgs>(arguments) {
                Ok(args) => {
                    let path = policy::resolve(&self.settings.cwd, Path::new(&args.path));
                    if !path.is_file() {
                        return Ok(format!("unable to locate image at `{}`", path.display()));
                    }
                    let viewed = self.item(ItemKind::ImageView { path: path.clone() }, Some(call_id));
                    self.complete(cx, viewed)?;
                    Ok(format!("attached local image path: {}", path.display()))
                }
                Err(e) => Ok(invalid(e)),
            },
            other => Ok(format!("unsupported call: {other}")),
        }
    }

    /// After a successful `view_image`, the image itself goes to the model as a user message.
    fn attach_viewed_image(&mut self, arguments: &str) -> Result<(), TurnError> {
        let Ok(args) = serde_json::from_str::<tools::ViewImageArgs>(arguments) else { return Ok(()) };
        let path = policy::resolve(&self.settings.cwd, Path::new(&args.path));
        if let Ok(url) = tools::image_data_url(&path) {
            self.record(request::user_message(&[], &[url]))?;
        }
        Ok(())
    }

    async fn shell(
        &mut self,
        args: shell::ShellArgs,
        call_id: &str,
        cx: &mut TurnContext<'_>,
    ) -> Result<String, TurnError> {
        let argv = args.command.argv();
        // `apply_patch PATCH` given to the shell is a patch.
        if let [program, patch] = argv.as_slice() {
            if program == "apply_patch" || program == "applypatch" {
                return self.patch(patch, call_id, cx).await;
            }
        }
        let cwd = match &args.workdir {
            Some(dir) => policy::resolve(&self.settings.cwd, Path::new(dir)),
            None => self.settings.cwd.clone(),
        };
        let mut command = CommandItem {
            argv: argv.clone(),
            cwd: cwd.clone(),
            status: Status::InProgress,
            aggregated_output: String::new(),
            exit_code: None,
            duration: None,
        };
        let mut item = self.item(ItemKind::Command(command.clone()), Some(call_id));
        cx.sink.event(TurnEvent::ItemStarted(item.clone()));

        let escalate = args.with_escalated_permissions.unwrap_or(false);
        // What the kernel will enforce, and whether it can here.
        let resolution =
            sandbox::resolve(&self.settings.policy, self.settings.network_access, Platform::current());
        if let Some(notice) = resolution.notice.clone() {
            self.notice_once(cx, notice)?;
        }
        let unenforceable = resolution.spec.as_ref().and_then(|spec| Support::probe().missing_for(spec));
        if let Some(missing) = unenforceable {
            let notice = format!("the sandbox cannot be enforced here (this kernel lacks {missing}); every command needs approval");
            self.notice_once(cx, notice)?;
        }
        let mut decision = self.settings.policy.command(&argv, escalate, args.justification.as_deref());
        if decision == CommandDecision::Run && unenforceable.is_some() {
            decision = CommandDecision::Ask {
                reason: Some("the sandbox cannot be enforced on this machine".into()),
            };
        }
        let mut spec = resolution.spec.filter(|_| unenforceable.is_none());
        if let CommandDecision::Ask { reason } = decision {
            if !self.approved_commands.contains(&argv) {
                match cancellable(cx.cancel, cx.approver.approve_command(&item, reason.as_deref())).await {
                    Decision::Accept => {}
                    Decision::AcceptForSession => {
                        self.approved_commands.insert(argv.clone());
                    }
                    decision @ (Decision::Decline | Decision::Cancel) => {
                        command.status = Status::Declined;
                        item.kind = ItemKind::Command(command);
                        self.complete(cx, item)?;
                        if decision == Decision::Cancel {
                            return Err(TurnError::Interrupted);
                        }
                        return Ok(format!(
                            "The command `{}` was not run: it needs approval, and approval was declined.",
                            shell::display(&argv)
                        ));
                    }
                }
            }
            // An approved escalation, or a command approved because there is no sandbox here,
            // runs outside the sandbox.
            if escalate || unenforceable.is_some() {
                spec = None;
            }
        }

        let timeout = args.timeout_ms.map(std::time::Duration::from_millis).unwrap_or(shell::DEFAULT_TIMEOUT);
        let mut output = run_command(&argv, &cwd, spec.as_ref(), timeout, &item.id, cx).await;
        // onFailure: a command the sandbox stopped may run again outside it, if the client agrees.
        let denied = spec.is_some() && sandbox::likely_denied(output.exit_code, &output.aggregated);
        if denied && self.settings.policy.approval == ApprovalPolicy::OnFailure && !*cx.cancel.borrow() {
            let reason = "the command failed in the sandbox; run it again without the sandbox?";
            match cancellable(cx.cancel, cx.approver.approve_command(&item, Some(reason))).await {
                Decision::Accept | Decision::AcceptForSession => {
                    output = run_command(&argv, &cwd, None, timeout, &item.id, cx).await;
                }
                Decision::Decline => {}
                Decision::Cancel => {
                    command.status = Status::Failed;
                    command.aggregated_output = output.aggregated;
                    item.kind = ItemKind::Command(command);
                    self.complete(cx, item)?;
                    return Err(TurnError::Interrupted);
                }
            }
        }
        if *cx.cancel.borrow() {
            command.status = Status::Failed;
            command.aggregated_output = output.aggregated;
            item.kind = ItemKind::Command(command);
            self.complete(cx, item)?;
            return Err(TurnError::Interrupted);
        }
        command.status = if output.exit_code == 0 { Status::Completed } else { Status::Failed };
        command.aggregated_output = output.aggregated.clone();
        command.exit_code = Some(output.exit_code);
        command.duration = Some(output.duration);
        item.kind = ItemKind::Command(command);
        self.complete(cx, item)?;
        Ok(shell::model_output(&output))
    }

    /// Says `message` once per thread, as a non-fatal error item.
    fn notice_once(&mut self, cx: &mut TurnContext<'_>, message: String) -> Result<(), TurnError> {
        if self.notices.insert(message.clone()) {
            let notice = self.item(ItemKind::Error { message }, None);
            self.complete(cx, notice)?;
        }
        Ok(())
    }

    async fn patch(
        &mut self,
        text: &str,
        call_id: &str,
        cx: &mut TurnContext<'_>,
    ) -> Result<String, TurnError> {
        let cwd = self.settings.cwd.clone();
        let files = match apply_patch::parse(text) {
            Ok(files) => files,
            Err(e) => {
                let failed = self
                    .item(ItemKind::FileChange { changes: vec![], status: Status::Failed }, Some(call_id));
                cx.sink.event(TurnEvent::ItemStarted(failed.clone()));
                self.complete(cx, failed)?;
                return Ok(format!("apply_patch failed, nothing was changed: {e}"));
            }
        };
        let changes = apply_patch::describe(&cwd, &files);
        let mut item = self.item(
            ItemKind::FileChange { changes: changes.clone(), status: Status::InProgress },
            Some(call_id),
        );
        cx.sink.event(TurnEvent::ItemStarted(item.clone()));
        let set_status = |item: &mut Item, status: Status, changes: Vec<_>| {
            item.kind = ItemKind::FileChange { changes, status }
        };

        let paths = apply_patch::touched_paths(&cwd, &files);
        if let PatchDecision::Ask { grant_root } = self.settings.policy.patch(&cwd, &paths) {
            let decision =
                cancellable(cx.cancel, cx.approver.approve_patch(&item, grant_root.as_ref())).await;
            match decision {
                Decision::Accept | Decision::AcceptForSession => {
                    if let Some(root) = grant_root {
                        self.settings.policy.writable_roots.push(root);
                    }
                }
                Decision::Decline | Decision::Cancel => {
                    set_status(&mut item, Status::Declined, changes);
                    self.complete(cx, item)?;
                    if decision == Decision::Cancel {
                        return Err(TurnError::Interrupted);
                    }
                    return Ok(
                        "The patch was not applied: it needs approval, and approval was declined.".to_owned()
                    );
                }
            }
        }
        match apply_patch::apply(&cwd, &files) {
            Ok(applied) => {
                let summary = apply_patch::summary(&applied, &cwd);
                set_status(&mut item, Status::Completed, applied);
                self.complete(cx, item)?;
                Ok(summary)
            }
            Err(e) => {
                set_status(&mut item, Status::Failed, changes);
                self.complete(cx, item)?;
                Ok(format!("apply_patch failed, nothing was changed: {e}"))
            }
        }
    }

    /// Reports `item` as completed, after recording it in the session file.
    fn complete(&mut self, cx: &mut TurnContext<'_>, item: Item) -> Result<(), TurnError> {
        if let Some(turn) = self.turns.last_mut() {
            self.rollout
                .append("item_completed", &serde_json::json!({ "turn_id": turn.id, "item": item }))?;
            turn.items.push(item.clone());
        }
        cx.sink.event(TurnEvent::ItemCompleted(item));
        Ok(())
    }

    /// Appends a conversation item to the history and the session file.
    fn record(&mut self, item: Value) -> Result<(), TurnError> {
        self.rollout.append_item(&item)?;
        self.history.push(item);
        Ok(())
    }

    /// A new item with the given id, or a fresh one.
    fn item(&mut self, kind: ItemKind, id: Option<&str>) -> Item {
        let id = match id.filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => {
                self.next_item += 1;
                format!("item-{}", self.next_item)
            }
        };
        Item { id, kind }
    }
}

/// Runs `argv` in `cwd`, under `spec` when given, streaming its output as events of `item_id`.
async fn run_command(
    argv: &[String],
    cwd: &Path,
    spec: Option<&SandboxSpec>,
    timeout: std::time::Duration,
    item_id: &str,
    cx: &mut TurnContext<'_>,
) -> shell::ShellOutput {
    let run = match spec {
        Some(spec) => match sandbox::wrap(argv, spec) {
            Ok(wrapped) => wrapped,
            Err(e) => {
                let message = format!("cannot find this program to start the sandbox: {e}");
                return shell::ShellOutput {
                    exit_code: -1,
                    aggregated: message,
                    duration: Default::default(),
                    timed_out: false,
                };
            }
        },
        None => argv.to_vec(),
    };
    let sink = &mut *cx.sink;
    let mut on_output = |delta: &str| {
        sink.event(TurnEvent::CommandOutput { item_id: item_id.to_owned(), delta: delta.to_owned() })
    };
    shell::run(&run, cwd, timeout, &mut on_output, cx.cancel).await
}

/// Waits for an approval, unless the turn is interrupted first (which counts as `cancel`).
async fn cancellable(
    cancel: &mut watch::Receiver<bool>,
    decision: crate::approval::DecisionFuture<'_>,
) -> Decision {
    tokio::select! {
        decision = decision => decision,
        _ = cancel.changed() => Decision::Cancel,
    }
}

/// One running turn: where its events go, who approves, what stops it, and what it gathers.
struct TurnContext<'a> {
    sink: &'a mut dyn EventSink,
    approver: &'a dyn Approver,
    cancel: &'a mut watch::Receiver<bool>,
    /// Tokens used so far.
    usage: TokenUsage,
    /// The last thing the agent said.
    final_message: Option<String>,
    /// The plan item, once the model set a plan.
    plan: Option<Item>,
}
