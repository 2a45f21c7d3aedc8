//! The app-server running inside the test process, as rust-analyzer's `lsp-server` offers
//! `Connection::memory()`: the real [`exec_bridge::frontend::app_server::serve`] on a thread of its
//! own (with its own single-threaded runtime, as the binary has), spoken to through a socket
//! pair. No process is started, so these tests are fast and can be stepped through in a
//! debugger; the subprocess tests stay for end to end.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::client::{Client, Incoming, Lines, Transport};
use crate::World;

/// The transport to an in-process app-server.
pub struct InProcess {
    lines: Lines<WriteHalf>,
    server: Option<JoinHandle<io::Result<()>>>,
}

impl InProcess {
    /// Serves the app-server on a thread of its own, with sessions under `codex_home`.
    ///
    /// # Panics
    ///
    /// When the socket pair or the runtime cannot be made.
    pub fn start(codex_home: &Path) -> InProcess {
        let (client, server) = UnixStream::pair().expect("a socket pair");
        let options = exec_bridge::frontend::app_server::Options {
            codex_home: codex_home.to_path_buf(),
            sandbox_helper: crate::binary(),
            vars: exec_bridge::engine::config::Vars::process(),
        };
        let thread = std::thread::Builder::new()
            .name("in-process app-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(async move {
                    server.set_nonblocking(true)?;
                    let (input, output) = tokio::net::UnixStream::from_std(server)?.into_split();
                    exec_bridge::frontend::app_server::serve(
                        tokio::io::BufReader::new(input),
                        output,
                        options,
                    )
                    .await
                })
            })
            .expect("a thread for the app-server");
        let reader = client.try_clone().expect("a second handle on the socket");
        InProcess { lines: Lines::new(WriteHalf(client), reader), server: Some(thread) }
    }

    /// Whether the server has returned (after its input ended), within `within`; and how.
    ///
    /// # Panics
    ///
    /// When it does not return within `within`.
    pub fn wait(&mut self, within: Duration) -> io::Result<()> {
        let deadline = Instant::now() + within;
        let server = self.server.take().expect("the server is waited for once");
        while !server.is_finished() {
            assert!(Instant::now() < deadline, "the in-process app-server did not return within {within:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
        server.join().unwrap_or_else(|_| Err(io::Error::other("the app-server thread panicked")))
    }
}

/// The client's sending side of the socket: dropping it shuts the socket for writing, so that
/// the server reads the end of its input while the client still reads what it sends.
struct WriteHalf(UnixStream);

impl io::Write for WriteHalf {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Drop for WriteHalf {
    fn drop(&mut self) {
        let _ = self.0.shutdown(std::net::Shutdown::Write);
    }
}

impl Transport for InProcess {
    fn send_line(&mut self, line: &str) -> io::Result<()> {
        self.lines.send_line(line)
    }

    fn send_bytes(&mut self, line: &[u8]) -> io::Result<()> {
        self.lines.send_bytes(line)
    }

    fn recv_line(&mut self, within: Duration) -> Incoming {
        self.lines.recv_line(within)
    }

    fn close(&mut self) {
        self.lines.close();
    }
}

impl Client<InProcess> {
    /// An app-server in this process, with `world`'s `CODEX_HOME`. Its threads reach `world`'s
    /// scripted model when started with [`World::in_process_config`] in their `config`.
    pub fn in_process(world: &World) -> Self {
        Self::in_process_at(world.home.path())
    }

    /// An app-server in this process, with sessions under `codex_home`.
    pub fn in_process_at(codex_home: &Path) -> Self {
        Self::new(InProcess::start(codex_home))
    }
}

impl World {
    /// The `config` of a thread/start that reaches this world's scripted model without the
    /// environment (an in-process server shares the test process's environment): a model
    /// provider `scripted` at the model's base URL.
    pub fn in_process_config(&self) -> Value {
        json!({
            "model_provider": "scripted",
            "model_providers.scripted.base_url": self.model.base_url(),
        })
    }
}
