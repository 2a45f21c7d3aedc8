//! The MCP test server (`test-mcp-server`) over streamable HTTP, for a test's lifetime.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The test server serving streamable HTTP on 127.0.0.1; killed when dropped.
pub struct McpHttpServer {
    child: Child,
    /// Its endpoint, `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl McpHttpServer {
    /// Starts the server; with `token`, it answers 401 to a request without
    /// `Authorization: Bearer <token>`.
    ///
    /// # Panics
    ///
    /// When it cannot be built or started, or does not say its URL within 10 s.
    pub fn start(token: Option<&str>) -> McpHttpServer {
        let dir = tempfile::tempdir().expect("cannot make a scratch folder");
        let url_file = dir.path().join("url");
        let mut command = Command::new(crate::mcp_test_server());
        command.arg("--http").arg(&url_file).stdin(Stdio::null());
        if let Some(token) = token {
            command.args(["--token", token]);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start the MCP test server: {e}"));
        let url = wait_for_url(&url_file);
        McpHttpServer { child, url, _dir: dir }
    }
}

fn wait_for_url(file: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match std::fs::read_to_string(file) {
            Ok(url) if !url.is_empty() => return url,
            _ if Instant::now() > deadline => panic!("the MCP test server did not say its URL within 10 s"),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

impl Drop for McpHttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
