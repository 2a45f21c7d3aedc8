//! Method names, defined once: which requests and notifications exist, what their params are,
//! and what each request answers.
//!
//! Each request list is written once, in a [`requests!`] block, which gives:
//! - an enum tagged by `method` (`{"method": "thread/start", "id": 1, "params": {…}}`), to read
//!   and write whole requests;
//! - a map type (`ClientRequestMap`, `ServerRequestMap`) from each method name to the types of
//!   its params and result, from which the TypeScript SDK derives its typed `request()`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::account::{
    AccountLoginCompletedNotification, AccountRateLimitsUpdatedNotification, AccountUpdatedNotification,
    CancelLoginAccountParams, CancelLoginAccountResponse, GetAccountParams, GetAccountRateLimitsResponse,
    GetAccountResponse, LoginAccountParams, LoginAccountResponse, LogoutAccountResponse, NoParams,
};
use super::approvals::{
    CommandExecutionRequestApprovalParams, CommandExecutionRequestApprovalResponse,
    FileChangeRequestApprovalParams, FileChangeRequestApprovalResponse,
};
use super::initialize::{InitializeParams, InitializeResponse};
use super::jsonrpc::RequestId;
use super::models::{ModelListParams, ModelListResponse};
use super::notifications::*;
use super::review::ReviewStartParams;
use super::thread::{
    ThreadArchiveParams, ThreadArchiveResponse, ThreadCompactParams, ThreadCompactResponse, ThreadListParams,
    ThreadListResponse, ThreadResumeParams, ThreadResumeResponse, ThreadStartParams, ThreadStartResponse,
    TurnInterruptParams, TurnInterruptResponse, TurnStartParams, TurnStartResponse,
};
use super::user_shell::{
    ExecOneOffCommandParams, ExecOneOffCommandResponse, FeedbackUploadParams, FeedbackUploadResponse,
    ThreadShellCommandParams, ThreadShellCommandResponse,
};

/// The types of one method: what goes in `params`, and what comes back in `result`.
///
/// Only a description for the map types; it is inlined wherever it is used.
#[derive(JsonSchema, TS)]
#[schemars(inline)]
pub struct MethodSignature<P, R> {
    /// The type of the request's `params`.
    pub params: P,
    /// The type of the response's `result`.
    pub result: R,
}

/// Declares a list of requests once, as an enum tagged by `method` and a map type from method
/// name to [`MethodSignature`]. See the module docs.
macro_rules! requests {
    (
        $(#[doc = $enum_doc:literal])*
        enum $Enum:ident;
        $(#[doc = $map_doc:literal])*
        map $Map:ident;
        $(
            $(#[doc = $doc:literal])*
            $Variant:ident = $method:literal ($Params:ty) -> $Response:ty;
        )*
    ) => {
        $(#[doc = $enum_doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(tag = "method")]
        #[ts(export_to = "v2/")]
        pub enum $Enum {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $method)]
                $Variant {
                    /// Echoed in the response.
                    id: RequestId,
                    /// The method's parameters.
                    params: $Params,
                },
            )*
        }

        impl $Enum {
            /// Every method name of this list, in declaration order.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            /// The request's method name.
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$Variant { .. } => $method,)*
                }
            }

            /// The request's id.
            pub fn id(&self) -> &RequestId {
                match self {
                    $(Self::$Variant { id, .. } => id,)*
                }
            }
        }

        $(#[doc = $map_doc])*
        ///
        /// A description of the API for code generation; no message has this shape.
        #[derive(JsonSchema, TS)]
        #[ts(export_to = "v2/")]
        #[allow(non_snake_case, dead_code)]
        pub struct $Map {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $method)]
                #[ts(inline)]
                $Variant: MethodSignature<$Params, $Response>,
            )*
        }
    };
}

requests! {
    /// A request from the client to the server, tagged by `method`.
    enum ClientRequest;
    /// The client's requests: for each method, the types of its params and result.
    map ClientRequestMap;

    /// The first request of every connection.
    Initialize = "initialize" (InitializeParams) -> InitializeResponse;
    /// Start a new thread.
    ThreadStart = "thread/start" (ThreadStartParams) -> ThreadStartResponse;
    /// Continue a recorded thread.
    ThreadResume = "thread/resume" (ThreadResumeParams) -> ThreadResumeResponse;
    /// Move a thread out of the listing without deleting it.
    ThreadArchive = "thread/archive" (ThreadArchiveParams) -> ThreadArchiveResponse;
    /// Summarise a thread's conversation and go on from the summary.
    ThreadCompact = "thread/compact" (ThreadCompactParams) -> ThreadCompactResponse;
    /// One page of the recorded threads, newest first.
    ThreadList = "thread/list" (ThreadListParams) -> ThreadListResponse;
    /// Send input to a thread; the turn's events follow as notifications.
    TurnStart = "turn/start" (TurnStartParams) -> TurnStartResponse;
    /// Stop a running turn.
    TurnInterrupt = "turn/interrupt" (TurnInterruptParams) -> TurnInterruptResponse;
    /// The models a client may pick.
    ModelList = "model/list" (ModelListParams) -> ModelListResponse;
    /// The stored login, if any.
    AccountRead = "account/read" (GetAccountParams) -> GetAccountResponse;
    /// Log in: an API key is stored at once; a ChatGPT sign-in is not supported by this
    /// runtime (an error says so).
    AccountLoginStart = "account/login/start" (LoginAccountParams) -> LoginAccountResponse;
    /// Cancel a ChatGPT sign-in that `account/login/start` began.
    AccountLoginCancel = "account/login/cancel" (CancelLoginAccountParams) -> CancelLoginAccountResponse;
    /// Remove the stored login.
    AccountLogout = "account/logout" (Option<NoParams>) -> LogoutAccountResponse;
    /// The usage limits of the ChatGPT plan logged in (an error for an API key or no login).
    AccountRateLimitsRead = "account/rateLimits/read" (Option<NoParams>) -> GetAccountRateLimitsResponse;
    /// Run a command of the user's (not the model's) in a thread, as a turn of its own that
    /// streams a `commandExecution` item; it never enters the model's history.
    ThreadShellCommand = "thread/shellCommand" (ThreadShellCommandParams) -> ThreadShellCommandResponse;
    /// Review code as a turn of the thread, by a reviewer of its own; the turn's events follow
    /// as notifications.
    ReviewStart = "review/start" (ReviewStartParams) -> TurnStartResponse;
    /// Run one command outside any thread (Codex 0.63's v1 method); answered when it ends.
    ExecOneOffCommand = "execOneOffCommand" (ExecOneOffCommandParams) -> ExecOneOffCommandResponse;
    /// Upload feedback: not available in this runtime, which works offline (an error says so).
    FeedbackUpload = "feedback/upload" (FeedbackUploadParams) -> FeedbackUploadResponse;
}

requests! {
    /// A request from the server to the client, tagged by `method`: an approval the client must
    /// answer before the item goes on.
    enum ServerRequest;
    /// The server's requests: for each method, the types of its params and result.
    map ServerRequestMap;

    /// May this command run?
    CommandExecutionRequestApproval = "item/commandExecution/requestApproval"
        (CommandExecutionRequestApprovalParams) -> CommandExecutionRequestApprovalResponse;
    /// May this patch be applied?
    FileChangeRequestApproval = "item/fileChange/requestApproval"
        (FileChangeRequestApprovalParams) -> FileChangeRequestApprovalResponse;
}

/// A notification from the server to the client, tagged by `method`, with its payload in
/// `params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "method", content = "params")]
#[ts(export_to = "v2/")]
pub enum ServerNotification {
    /// A turn hit an error.
    #[serde(rename = "error")]
    Error(ErrorNotification),
    /// A thread started.
    #[serde(rename = "thread/started")]
    ThreadStarted(ThreadStartedNotification),
    /// A turn started.
    #[serde(rename = "turn/started")]
    TurnStarted(TurnStartedNotification),
    /// A turn ended, whatever its status.
    #[serde(rename = "turn/completed")]
    TurnCompleted(TurnCompletedNotification),
    /// An item appeared.
    #[serde(rename = "item/started")]
    ItemStarted(ItemStartedNotification),
    /// An item reached its final state; exactly once per item.
    #[serde(rename = "item/completed")]
    ItemCompleted(ItemCompletedNotification),
    /// More text of an agent message.
    #[serde(rename = "item/agentMessage/delta")]
    AgentMessageDelta(AgentMessageDeltaNotification),
    /// More output of a running command.
    #[serde(rename = "item/commandExecution/outputDelta")]
    CommandExecutionOutputDelta(CommandExecutionOutputDeltaNotification),
    /// What an MCP server said of a call still under way.
    #[serde(rename = "item/mcpToolCall/progress")]
    McpToolCallProgress(McpToolCallProgressNotification),
    /// More text of a reasoning summary part.
    #[serde(rename = "item/reasoning/summaryTextDelta")]
    ReasoningSummaryTextDelta(ReasoningSummaryTextDeltaNotification),
    /// A new reasoning summary part begins.
    #[serde(rename = "item/reasoning/summaryPartAdded")]
    ReasoningSummaryPartAdded(ReasoningSummaryPartAddedNotification),
    /// More raw reasoning text.
    #[serde(rename = "item/reasoning/textDelta")]
    ReasoningTextDelta(ReasoningTextDeltaNotification),
    /// The login changed.
    #[serde(rename = "account/updated")]
    AccountUpdated(AccountUpdatedNotification),
    /// A login ended, well or not.
    #[serde(rename = "account/login/completed")]
    AccountLoginCompleted(AccountLoginCompletedNotification),
    /// The rate limits, after a model response.
    #[serde(rename = "account/rateLimits/updated")]
    AccountRateLimitsUpdated(AccountRateLimitsUpdatedNotification),
}

/// A notification from the client to the server, tagged by `method`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "method")]
#[ts(export_to = "v2/")]
pub enum ClientNotification {
    /// Sent once after the `initialize` response.
    #[serde(rename = "initialized")]
    Initialized,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;
    use crate::v2::{ApprovalDecision, ThreadItem};

    #[test]
    fn server_requests_and_notifications_read_and_write_back_exactly() {
        let request = assert_wire_exact::<ServerRequest>(
            r#"{"method":"item/commandExecution/requestApproval","id":0,"params":{"threadId":"t1","turnId":"0","itemId":"call_1","reason":null,"risk":null}}"#,
        );
        assert_eq!(request.method(), "item/commandExecution/requestApproval");
        assert_eq!(request.id(), &RequestId::Integer(0));
        assert_wire_exact::<ServerRequest>(
            r#"{"method":"item/fileChange/requestApproval","id":1,"params":{"threadId":"t1","turnId":"0","itemId":"call_3","reason":null,"grantRoot":"/outside"}}"#,
        );
        for line in [
            r#"{"method":"item/started","params":{"item":{"type":"commandExecution","id":"call_1","command":"bash -lc 'touch x'","cwd":"/w","status":"inProgress","commandActions":[{"type":"unknown","command":"touch x"}],"aggregatedOutput":null,"exitCode":null,"durationMs":null}}}"#,
            r#"{"method":"item/completed","params":{"item":{"type":"commandExecution","id":"call_1","command":"bash -lc 'touch x'","cwd":"/w","status":"declined","commandActions":[],"aggregatedOutput":null,"exitCode":null,"durationMs":null}}}"#,
            r#"{"method":"item/commandExecution/outputDelta","params":{"itemId":"call_1","delta":"hi\n"}}"#,
            r#"{"method":"item/agentMessage/delta","params":{"itemId":"msg_1","delta":"Done."}}"#,
            r#"{"method":"item/reasoning/summaryPartAdded","params":{"itemId":"rs_1","summaryIndex":1}}"#,
            r#"{"method":"item/reasoning/summaryTextDelta","params":{"itemId":"rs_1","delta":"Thin","summaryIndex":1}}"#,
            r#"{"method":"item/reasoning/textDelta","params":{"itemId":"rs_1","delta":"raw","contentIndex":0}}"#,
            r#"{"method":"turn/started","params":{"turn":{"id":"0","items":[],"status":"inProgress"}}}"#,
            r#"{"method":"turn/completed","params":{"turn":{"id":"0","items":[],"status":"interrupted"}}}"#,
            r#"{"method":"error","params":{"error":{"message":"stream cut","codexErrorInfo":{"responseStreamDisconnected":{"httpStatusCode":null}}}}}"#,
        ] {
            assert_wire_exact::<ServerNotification>(line);
        }
    }

    #[test]
    fn client_requests_carry_their_method_and_id() {
        let request: ClientRequest = serde_json::from_str(
            r#"{"id":"a","method":"thread/start","params":{"cwd":"/w","approvalPolicy":"unlessTrusted","sandbox":"workspaceWrite"}}"#,
        )
        .unwrap();
        assert_eq!((request.method(), request.id()), ("thread/start", &RequestId::String("a".into())));
        let ClientRequest::ThreadStart { params, .. } = request else { panic!() };
        assert_eq!(params.cwd.as_deref(), Some("/w"));
        assert_eq!(params.model, None);
        assert_wire_exact::<ClientNotification>(r#"{"method":"initialized"}"#);
    }

    #[test]
    fn an_unknown_method_is_an_error_that_names_it() {
        let error = serde_json::from_str::<ClientRequest>(r#"{"id":1,"method":"thread/fork","params":{}}"#)
            .unwrap_err();
        assert!(error.to_string().contains("thread/fork"), "{error}");
    }

    #[test]
    fn approval_answers_accept_optional_settings() {
        let answer: crate::v2::CommandExecutionRequestApprovalResponse =
            serde_json::from_str(r#"{"decision":"accept"}"#).unwrap();
        assert_eq!((answer.decision, answer.accept_settings), (ApprovalDecision::Accept, None));
        assert_wire_exact::<crate::v2::CommandExecutionRequestApprovalResponse>(
            r#"{"decision":"accept","acceptSettings":{"forSession":true}}"#,
        );
        let answer: crate::v2::CommandExecutionRequestApprovalResponse =
            serde_json::from_str(r#"{"decision":"decline","acceptSettings":null}"#).unwrap();
        assert_eq!(answer.accept_settings, None);
        assert!(serde_json::from_str::<crate::v2::FileChangeRequestApprovalResponse>(
            r#"{"decision":"maybe"}"#
        )
        .is_err());
        // The item of an approval is the one `item/started` announced.
        let item: ThreadItem =
            serde_json::from_str(r#"{"type":"fileChange","id":"call_3","changes":[],"status":"inProgress"}"#)
                .unwrap();
        assert_eq!(item.id(), "call_3");
    }
}
