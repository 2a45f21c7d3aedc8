//! A small MCP server for agentwire's tests, built on the official Rust SDK (`rmcp`).
//!
//! `mcp-test-server` speaks MCP on stdin/stdout. `mcp-test-server --http URL_FILE [--token T]`
//! serves streamable HTTP on 127.0.0.1 (a free port) and writes its URL to `URL_FILE`; with
//! `--token`, a request without `Authorization: Bearer T` is answered 401.
//!
//! Its tools: `echo {text}` (text and structured content), `add {a, b}`, `fail` (an `isError`
//! result), `slow {ms}` (reports progress `halfway`, then answers after `ms` milliseconds), `env {name}` (the value of one of
//! its environment variables, or `(unset)`), `pid` (its process id), `huge {bytes}` (one
//! text block of that many bytes); one resource, `test://greeting`.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Value};

#[derive(Clone)]
struct TestServer;

fn from<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the test server's own messages are valid MCP")
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        from(json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {}, "resources": {}},
            "serverInfo": {"name": "agentwire-test", "version": "1.0.0"}
        }))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(from(json!({"tools": [
            {"name": "echo", "description": "Echoes the text back.", "inputSchema": {"type": "object",
                "properties": {"text": {"type": "string", "description": "What to echo."}}, "required": ["text"]}},
            {"name": "add", "description": "Adds two numbers.", "inputSchema": {"type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}},
            {"name": "fail", "inputSchema": {"type": "object"}},
            {"name": "slow", "description": "Answers after `ms` milliseconds.", "inputSchema": {"type": "object",
                "properties": {"ms": {"type": "integer"}}}},
            {"name": "env", "description": "The value of an environment variable of the server.", "inputSchema": {"type": "object",
                "properties": {"name": {"type": "string"}}, "required": ["name"]}},
            {"name": "pid", "description": "The server's process id.", "inputSchema": {"type": "object"}},
            {"name": "huge", "description": "A text block of `bytes` bytes.", "inputSchema": {"type": "object",
                "properties": {"bytes": {"type": "integer"}}}}
        ]})))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        let text = |text: String| json!({"content": [{"type": "text", "text": text}]});
        let result: CallToolResult = from(match request.name.as_ref() {
            "echo" => {
                let said = args["text"].as_str().unwrap_or_default();
                json!({"content": [{"type": "text", "text": format!("echo: {said}")}], "structuredContent": {"echoed": said}})
            }
            "add" => {
                text((args["a"].as_f64().unwrap_or(0.0) + args["b"].as_f64().unwrap_or(0.0)).to_string())
            }
            "fail" => json!({"content": [{"type": "text", "text": "it broke"}], "isError": true}),
            "slow" => {
                if let Some(token) = context.meta.get_progress_token() {
                    let progress =
                        json!({"progressToken": token, "progress": 1, "total": 2, "message": "halfway"});
                    let _ = context.peer.notify_progress(from(progress)).await;
                }
                tokio::time::sleep(std::time::Duration::from_millis(args["ms"].as_u64().unwrap_or(1000)))
                    .await;
                text("late".into())
            }
            "env" => text(
                std::env::var(args["name"].as_str().unwrap_or_default()).unwrap_or_else(|_| "(unset)".into()),
            ),
            "pid" => text(std::process::id().to_string()),
            "huge" => text("x".repeat(args["bytes"].as_u64().unwrap_or(1024) as usize)),
            other => return Err(ErrorData::invalid_params(format!("unknown tool {other}"), None)),
        });
        Ok(CallToolResponse::Complete(result))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(from(
            json!({"resources": [{"uri": "test://greeting", "name": "greeting", "mimeType": "text/plain"}]}),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let read: ReadResourceResult =
            from(json!({"contents": [{"uri": request.uri, "mimeType": "text/plain", "text": "hello"}]}));
        Ok(ReadResourceResponse::Complete(read))
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--http") => {
            let url_file = args.get(1).expect("usage: mcp-test-server --http URL_FILE [--token T]").clone();
            let token =
                (args.get(2).map(String::as_str) == Some("--token")).then(|| args.get(3).cloned()).flatten();
            serve_http(&url_file, token).await;
        }
        _ => {
            let running =
                TestServer.serve(rmcp::transport::stdio()).await.expect("the MCP handshake on stdio");
            let _ = running.waiting().await;
        }
    }
}

async fn serve_http(url_file: &str, token: Option<String>) {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

    let service = StreamableHttpService::new(
        || Ok(TestServer),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port on 127.0.0.1");
    let address = listener.local_addr().expect("the listener's address");
    std::fs::write(url_file, format!("http://{address}/mcp")).expect("the URL file is writable");
    let token = Arc::new(token);
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (service, token) = (service.clone(), token.clone());
        tokio::spawn(async move {
            let handler =
                hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut service = service.clone();
                    let token = token.clone();
                    async move {
                        if let Some(token) = token.as_ref() {
                            let expected = format!("Bearer {token}");
                            let given = request.headers().get("authorization").and_then(|v| v.to_str().ok());
                            if given != Some(expected.as_str()) {
                                let body = http_body_util::Full::new(bytes::Bytes::from_static(
                                    b"missing or wrong bearer token",
                                ));
                                let body = http_body_util::BodyExt::boxed(body);
                                let mut refused = hyper::Response::new(body);
                                *refused.status_mut() = hyper::StatusCode::UNAUTHORIZED;
                                return Ok::<_, std::convert::Infallible>(refused);
                            }
                        }
                        tower_service::Service::call(&mut service, request).await
                    }
                });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, handler).await;
        });
    }
}
