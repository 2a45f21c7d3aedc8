//! The turn loop: send the conversation to the model, act on each item it answers with (run the
//! tools it calls, send their outputs back), until it answers without calling a tool.

use tokio::sync::{mpsc, watch};

use super::items::{
    ApprovalId, ApprovalKind, ApprovalRequest, Decision, Event, Item, ItemKind, TurnError, TurnOutcome,
};
use super::model::items::{message_text, ContentPart};
use super::model::{request, KnownItem, ResponseItem, TokenUsage};
use super::settings::UserTurn;
use super::streamed::{Answer, Streamed};
use super::thread::ThreadState;
use super::tool_call::{Tool, ToolCall};
use super::tools;
use super::tools::shell::cancelled;
use super::user_input::{InputPart, UserMessage};

/// One running turn: what stops it, where approval answers arrive, and what it gathers.
pub(super) struct TurnContext {
    /// The turn's id.
    pub(super) turn_id: String,
    /// Turns `true` when the turn is interrupted.
    pub(super) cancel: watch::Receiver<bool>,
    /// The answers to this turn's approval requests.
    answers: mpsc::UnboundedReceiver<(ApprovalId, Decision)>,
    /// Tokens used so far.
    pub(super) usage: TokenUsage,
    /// The last thing the agent said.
    pub(super) final_message: Option<String>,
    /// The plan item, once the model set a plan.
    pub(super) plan: Option<Item>,
    /// What the turn's patches changed, once one ran.
    pub(super) diff: Option<super::turn_diff::TurnDiff>,
}

impl TurnContext {
    pub(super) fn new(
        turn_id: String,
        cancel: watch::Receiver<bool>,
        answers: mpsc::UnboundedReceiver<(ApprovalId, Decision)>,
    ) -> TurnContext {
        TurnContext {
            turn_id,
            cancel,
            answers,
            usage: TokenUsage::default(),
            final_message: None,
            plan: None,
            diff: None,
        }
    }

    /// How the turn went, once it completed.
    pub(super) fn outcome(&self) -> TurnOutcome {
        TurnOutcome { usage: self.usage, final_message: self.final_message.clone() }
    }

    /// Whether the turn has been interrupted.
    pub(super) fn interrupted(&self) -> bool {
        *self.cancel.borrow()
    }
}

impl ThreadState {
    /// Runs one turn to its end (the caller records its start and end).
    pub(super) async fn run_turn(&mut self, turn: UserTurn, cx: &mut TurnContext) -> Result<(), TurnError> {
        self.apply(turn.overrides);
        self.request.output_schema = turn.output_schema;
        // A call left unanswered by an interrupted or crashed turn is answered before the model
        // sees the conversation again.
        self.close_dangling_calls()?;
        self.send_input(turn.input, cx).await?;
        self.mcp_ready(&cx.turn_id).await?;
        self.turn_loop(cx).await
    }

    /// Records the environment (first turn only) and the user's input, and reports the input.
    pub(super) async fn send_input(
        &mut self,
        input: UserMessage,
        cx: &mut TurnContext,
    ) -> Result<(), TurnError> {
        if self.history.is_empty() {
            self.record(self.environment_context())?;
        }
        let mut content = Vec::with_capacity(input.content.len());
        for part in &input.content {
            content.push(match part {
                InputPart::Text { text } => ContentPart::InputText { text: text.clone() },
                InputPart::Image { url } => ContentPart::InputImage { image_url: url.clone() },
                InputPart::LocalImage { path } => ContentPart::InputImage {
                    image_url: tools::image_data_url(path).map_err(|e| {
                        TurnError::Input(format!("cannot read the image {}: {e}", path.display()))
                    })?,
                },
            });
        }
        self.record(ResponseItem::user_message(content))?;
        let user_item = self.item(ItemKind::UserMessage(input), None);
        self.emit(Event::ItemStarted(user_item.clone())).await;
        self.complete(&cx.turn_id, user_item).await?;
        self.emit(Event::TokenCount(self.tokens)).await;
        Ok(())
    }

    /// The `<environment_context>` message that opens the conversation, for the settings in
    /// force.
    pub(super) fn environment_context(&self) -> ResponseItem {
        let policy = &self.settings.policy;
        request::environment_context(
            &self.settings.cwd.display().to_string(),
            policy.approval.as_str(),
            policy.sandbox.as_str(),
            self.settings.network_access,
        )
    }

    pub(super) async fn turn_loop(&mut self, cx: &mut TurnContext) -> Result<(), TurnError> {
        loop {
            let body = self.client.body(&self.request, &self.history.for_request());
            let Answer { response, completed } = self.ask_model(&body, cx, Streamed::Shown).await?;
            let mut completed = completed.into_iter().peekable();
            // The usage is reported once the items the model streamed are complete, before
            // the tools it called run; and again after them, as the reference reports it.
            let mut counted = false;
            let mut called_tools = false;
            for item in response.items {
                if !counted && !streamed(&item) {
                    self.emit(Event::TokenCount(self.tokens)).await;
                    counted = true;
                }
                // Completed as it streamed: recorded now, in the response's order.
                let shown = completed.next_if_eq(&item).is_some();
                called_tools |= self.handle_output_item(item, shown, cx).await?;
            }
            if !counted {
                self.emit(Event::TokenCount(self.tokens)).await;
            }
            self.report_diff(cx).await;
            if !called_tools {
                return Ok(());
            }
            self.emit(Event::TokenCount(self.tokens)).await;
        }
    }

    /// Records and acts on one output item of the model (completing it unless `shown` already);
    /// returns whether it was a tool call.
    async fn handle_output_item(
        &mut self,
        item: ResponseItem,
        shown: bool,
        cx: &mut TurnContext,
    ) -> Result<bool, TurnError> {
        self.record(item.clone())?;
        let known = match item {
            ResponseItem::Known(known) => known,
            ResponseItem::Unknown(_) => {
                let notice = format!(
                    "the model sent an item of a kind this runtime does not know (`{}`); it is kept in the session file but not acted on",
                    item.kind()
                );
                self.notice_once(&cx.turn_id, notice).await?;
                return Ok(false);
            }
        };
        if let KnownItem::FunctionCall { name, arguments, call_id, .. } = &known {
            if self.is_mcp_function(name) {
                let output = self.mcp_call(name, arguments, call_id, cx).await?;
                self.record(ResponseItem::call_output(call_id, output, false))?;
                return Ok(true);
            }
        }
        if let Some(call) = ToolCall::from_item(&known) {
            self.call_tool(call, cx).await?;
            return Ok(true);
        }
        if let KnownItem::Message { role, content, .. } = &known {
            if role == "assistant" {
                cx.final_message = Some(message_text(content));
            }
        }
        if !shown {
            if let Some(done) = self.streamed_item(&ResponseItem::Known(known)) {
                self.complete(&cx.turn_id, done).await?;
            }
        }
        Ok(false)
    }

    /// Runs a tool call and records its output (and, for `view_image`, the image after it).
    async fn call_tool(&mut self, call: ToolCall, cx: &mut TurnContext) -> Result<(), TurnError> {
        let ToolCall { call_id, custom, tool } = call;
        let mut attachment = None;
        let output = match tool {
            Tool::Shell(args) => self.shell(args, &call_id, cx).await?,
            Tool::ShellCommand(args) => self.shell_command(args, &call_id, cx).await?,
            Tool::ApplyPatch(patch) => self.patch(&patch, &call_id, cx).await?,
            Tool::UpdatePlan(args) => self.update_plan(args, cx).await,
            Tool::ViewImage(args) => {
                let (output, image) = self.view_image(args, &call_id, cx).await?;
                attachment = image;
                output
            }
            Tool::Unsupported(message) | Tool::InvalidArguments(message) => message,
        };
        self.record(ResponseItem::call_output(&call_id, output, custom))?;
        if let Some(image) = attachment {
            self.record(image)?;
        }
        Ok(())
    }

    async fn update_plan(&mut self, args: tools::PlanArgs, cx: &mut TurnContext) -> String {
        let steps = args.plan.iter().map(|s| (s.step.clone(), s.status)).collect();
        self.emit(Event::PlanUpdated { explanation: args.explanation.clone(), steps }).await;
        let items =
            args.plan.iter().map(|s| (s.step.clone(), s.status == tools::StepStatus::Completed)).collect();
        match &mut cx.plan {
            Some(plan) => {
                plan.kind = ItemKind::TodoList { items };
                self.emit(Event::ItemUpdated(plan.clone())).await;
            }
            None => {
                let plan = self.item(ItemKind::TodoList { items }, None);
                self.emit(Event::ItemStarted(plan.clone())).await;
                cx.plan = Some(plan);
            }
        }
        "Plan updated".to_owned()
    }

    /// `view_image`: reports the image item; the image itself goes to the model as a user
    /// message after the call's output. An image that cannot be sent (missing, not a regular
    /// file, larger than [`tools::MAX_IMAGE_BYTES`]) is not read whole, and the model is told
    /// why.
    async fn view_image(
        &mut self,
        args: tools::ViewImageArgs,
        call_id: &str,
        cx: &mut TurnContext,
    ) -> Result<(String, Option<ResponseItem>), TurnError> {
        let path = super::policy::resolve(&self.settings.cwd, std::path::Path::new(&args.path));
        if !path.is_file() {
            return Ok((format!("unable to locate image at `{}`", path.display()), None));
        }
        let url = match tools::image_data_url(&path) {
            Ok(url) => url,
            Err(e) => return Ok((format!("unable to attach the image at `{}`: {e}", path.display()), None)),
        };
        let viewed = self.item(ItemKind::ImageView { path: path.clone() }, Some(call_id));
        self.complete(&cx.turn_id, viewed).await?;
        let image = ResponseItem::user_message(vec![ContentPart::InputImage { image_url: url }]);
        Ok((format!("attached local image path: {}", path.display()), Some(image)))
    }

    /// Asks whoever reads the thread about `item`, and waits for the answer; an interrupt (or a
    /// thread that shuts down) answers `cancel`.
    pub(super) async fn ask(&mut self, cx: &mut TurnContext, item: &Item, kind: ApprovalKind) -> Decision {
        let id = self.next_approval_id();
        self.emit(Event::ApprovalRequested(ApprovalRequest {
            id,
            turn_id: cx.turn_id.clone(),
            item: item.clone(),
            kind,
        }))
        .await;
        loop {
            tokio::select! {
                answer = cx.answers.recv() => match answer {
                    Some((answered, decision)) if answered == id => return decision,
                    // An answer to an earlier request, given too late.
                    Some(_) => {}
                    None => return Decision::Cancel,
                },
                () = cancelled(&mut cx.cancel) => return Decision::Cancel,
            }
        }
    }
}

/// Whether an output item is one the model streams and the runtime completes as it comes (a
/// message, reasoning, a web search), rather than a call the runtime acts on.
fn streamed(item: &ResponseItem) -> bool {
    matches!(
        item,
        ResponseItem::Known(
            KnownItem::Message { .. } | KnownItem::Reasoning { .. } | KnownItem::WebSearchCall { .. }
        ) | ResponseItem::Unknown(_)
    )
}
