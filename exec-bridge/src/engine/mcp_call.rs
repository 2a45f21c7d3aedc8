//! A call to an MCP tool (or a resource tool) from start to end: announce the item, call the
//! server within its tool timeout, report how it went, and tell the model as Codex does. As in
//! Codex 0.63, an MCP call asks for no approval, whatever the policy (observed: no approval
//! request under `untrusted`); the server runs with its own permissions, outside the sandbox.

use serde_json::{Map, Value};

use super::items::{Event, ItemKind, McpCallItem, McpCallResult, Status, TurnError};
use super::mcp::{self, CallError, CallOutcome, McpServers};
use super::thread::ThreadState;
use super::tools::shell::cancelled;
use super::turn::TurnContext;

impl ThreadState {
    /// The function `name` is an MCP tool's or a resource tool's (once the servers started).
    pub(super) fn is_mcp_function(&self, name: &str) -> bool {
        self.mcp
            .as_ref()
            .is_some_and(|servers| mcp::RESOURCE_TOOLS.contains(&name) || servers.lookup(name).is_some())
    }

    /// Runs the MCP call `name(arguments)`; returns the output for the model.
    pub(super) async fn mcp_call(
        &mut self,
        name: &str,
        arguments: &str,
        call_id: &str,
        cx: &mut TurnContext,
    ) -> Result<String, TurnError> {
        let Some(servers) = self.mcp.clone() else {
            return Ok(format!("unsupported call: {name}"));
        };
        // As Codex: arguments that are not a JSON object get no item, only the parser's word.
        let arguments: Option<Map<String, Value>> = match arguments.trim() {
            "" => None,
            text => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => Some(object),
                Ok(Value::Null) => None,
                Ok(_) => return Ok("err: the arguments must be a JSON object".to_owned()),
                Err(e) => return Ok(format!("err: {e}")),
            },
        };
        let resource = mcp::RESOURCE_TOOLS.contains(&name);
        let (server, tool) = match servers.lookup(name) {
            Some((server, tool)) if !resource => (server.to_owned(), tool.to_owned()),
            _ => {
                let server = arguments.as_ref().and_then(|a| a.get("server")).and_then(Value::as_str);
                (server.unwrap_or("codex").to_owned(), name.to_owned())
            }
        };
        let started = McpCallItem {
            server: server.clone(),
            tool: tool.clone(),
            arguments: arguments.clone().map(Value::Object).unwrap_or(Value::Object(Map::new())),
            status: Status::InProgress,
            result: None,
            error: None,
        };
        let item = self.item(ItemKind::McpToolCall(Box::new(started.clone())), Some(call_id));
        self.emit(Event::ItemStarted(item.clone())).await;

        let mut progress = servers.watch_progress(&server);
        let running = call(&servers, resource, &server, &tool, arguments);
        tokio::pin!(running);
        let answer = loop {
            tokio::select! {
                answer = &mut running => break answer,
                Some(message) = next_progress(&mut progress) => {
                    self.emit(Event::McpProgress { item_id: item.id.clone(), message }).await;
                }
                () = cancelled(&mut cx.cancel) => {
                    let error = Some("the turn was interrupted".to_owned());
                    let done = McpCallItem { status: Status::Failed, error, ..started };
                    self.complete(&cx.turn_id, super::items::Item { kind: ItemKind::McpToolCall(Box::new(done)), ..item }).await?;
                    return Err(TurnError::Interrupted);
                }
            }
        };
        // Progress said before the answer but not yet taken is still told, before the end.
        while let Some(Ok(message)) = progress.as_mut().map(|receiver| receiver.try_recv()) {
            self.emit(Event::McpProgress { item_id: item.id.clone(), message }).await;
        }
        let (done, output) = match answer {
            Ok(CallOutcome { content, structured_content, is_error }) => {
                // A resource tool's answer is this runtime's own JSON: the model gets it as it is,
                // as Codex gives it.
                let text = content.first().and_then(|block| block["text"].as_str()).filter(|_| resource);
                let output = match text {
                    Some(text) => text.to_owned(),
                    None => mcp::model_output(&content, structured_content.as_ref()),
                };
                let status = if is_error { Status::Failed } else { Status::Completed };
                let result = Some(McpCallResult { content, structured_content });
                (McpCallItem { status, result, ..started }, output)
            }
            Err(error) => {
                let message = format!("tool call error: {error}");
                (McpCallItem { status: Status::Failed, error: Some(message.clone()), ..started }, message)
            }
        };
        self.complete(
            &cx.turn_id,
            super::items::Item { kind: ItemKind::McpToolCall(Box::new(done)), ..item },
        )
        .await?;
        Ok(output)
    }
}

/// The next progress message, if progress is watched (else never).
async fn next_progress(progress: &mut Option<tokio::sync::mpsc::Receiver<String>>) -> Option<String> {
    match progress {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

async fn call(
    servers: &McpServers,
    resource: bool,
    server: &str,
    tool: &str,
    arguments: Option<Map<String, Value>>,
) -> Result<CallOutcome, CallError> {
    if resource {
        servers.resource_call(tool, &arguments.unwrap_or_default()).await
    } else {
        servers.call(server, tool, arguments).await
    }
}
