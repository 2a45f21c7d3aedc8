//! `exec-bridge`: the agentwire runtime's command line, a thin shell over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use exec_bridge::mock_model::{MockModel, Script};

#[derive(Debug, Parser)]
#[command(
    name = "exec-bridge",
    version,
    about = "The agentwire agent runtime, wire-compatible with the Codex agent protocol."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one turn non-interactively: `exec --experimental-json PROMPT` prints the JSONL stream.
    Exec(Box<exec_bridge::frontend::exec::ExecArgs>),
    /// Manage login: `login --with-api-key` stores the API key read from stdin, `login status`
    /// shows it (masked).
    Login(exec_bridge::frontend::login::LoginArgs),
    /// Remove stored authentication credentials.
    Logout(exec_bridge::frontend::login::LogoutArgs),
    /// Serve the app-server v2 surface: JSON-RPC over stdin and stdout, one message per line.
    ///
    /// `app-server generate-ts --out DIR` and `app-server generate-json-schema --out DIR` are
    /// `generate-ts` and `generate-json-schema` (the reference's spelling).
    AppServer(AppServerArgs),
    #[command(flatten)]
    Generate(exec_bridge::frontend::generate::GenerateCommand),
    /// Run one command under the sandbox a policy gives (for debugging the policy by hand):
    /// `exec-bridge sandbox --full-auto -- touch x`.
    Sandbox(exec_bridge::sandbox::cli::SandboxArgs),
    /// Kill the process groups of the commands a runtime left when it dies; the runtime starts
    /// it and tells it the groups on its stdin (see `engine::tools::process`).
    #[command(hide = true)]
    ProcessGuard,
    /// Serve a scripted model on loopback (an OpenAI Responses endpoint, and Chat Completions),
    /// for testing integrations without an API key.
    MockModel {
        /// The script: a JSON array, one entry per model request (see the README).
        #[arg(long)]
        script: PathBuf,
        /// The port; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Append every request received (method, path, headers, body) to this JSONL file.
        #[arg(long)]
        log: Option<PathBuf>,
        /// The models to list (`GET /v1/models` as LM Studio, `GET /api/tags` as Ollama),
        /// comma-separated, so that the server can stand in for a local one with `--oss`.
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
    },
}

/// `app-server [generate-ts | generate-json-schema]`: the reference's spelling of the generating
/// commands.
#[derive(Debug, clap::Args)]
struct AppServerArgs {
    #[command(subcommand)]
    generate: Option<exec_bridge::frontend::generate::GenerateCommand>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Generating writes files from the types compiled in: no runtime, no configuration.
    if let Command::Generate(command) | Command::AppServer(AppServerArgs { generate: Some(command) }) =
        &cli.command
    {
        return match exec_bridge::frontend::generate::run(command, &mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("exec-bridge: {error:#}");
                ExitCode::FAILURE
            }
        };
    }
    // The sandbox restricts this very process and then becomes the command: no runtime, no
    // threads.
    if let Command::Sandbox(args) = cli.command {
        return match exec_bridge::sandbox::cli::run(args) {
            Ok(never) => match never {},
            Err(error) => {
                eprintln!("exec-bridge sandbox: {error:#}");
                ExitCode::from(error.exit_code())
            }
        };
    }
    if let Command::ProcessGuard = cli.command {
        exec_bridge::engine::tools::process::guard::run();
        return ExitCode::SUCCESS;
    }
    // Login and logout touch a file or the keyring, nothing more: no runtime either.
    let vars = exec_bridge::engine::config::Vars::process();
    let stdin = std::io::stdin();
    let credentials = match &cli.command {
        Command::Login(args) => {
            use std::io::IsTerminal;
            let is_terminal = stdin.is_terminal();
            let input = exec_bridge::frontend::login::Input { reader: &mut stdin.lock(), is_terminal };
            Some(exec_bridge::frontend::login::login(args, input, &mut std::io::stderr(), &vars))
        }
        Command::Logout(args) => {
            Some(exec_bridge::frontend::login::logout(args, &mut std::io::stderr(), &vars))
        }
        _ => None,
    };
    if let Some(outcome) = credentials {
        return match outcome {
            Ok(code) => ExitCode::from(code as u8),
            Err(error) => {
                eprintln!("exec-bridge: {error}");
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("exec-bridge: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code as u8),
        Err(error) => {
            eprintln!("exec-bridge: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Exec(args) => exec_bridge::frontend::exec::run(*args).await,
        Command::AppServer(AppServerArgs { generate: None }) => {
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let options = exec_bridge::frontend::app_server::Options::from_env()
                .context("cannot find this program, to run commands in its sandbox")?;
            exec_bridge::frontend::app_server::serve(stdin, tokio::io::stdout(), options).await?;
            Ok(0)
        }
        Command::Sandbox(_)
        | Command::ProcessGuard
        | Command::Login(_)
        | Command::Logout(_)
        | Command::Generate(_)
        | Command::AppServer(AppServerArgs { generate: Some(_) }) => {
            unreachable!("handled before the runtime starts")
        }
        Command::MockModel { script, port, log, models } => {
            let text = std::fs::read_to_string(&script)
                .with_context(|| format!("cannot read {}", script.display()))?;
            let parsed = Script::from_json(&text)
                .with_context(|| format!("{} is not a valid script", script.display()))?;
            let server = MockModel::start(parsed, port)
                .await
                .with_context(|| format!("cannot listen on port {port}"))?;
            server.set_models(models);
            println!("mock model listening: OPENAI_BASE_URL={}", server.base_url());
            let mut logged = 0;
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(0),
                    _ = tick.tick() => {
                        if let Some(log) = &log {
                            let requests = server.requests_after(logged);
                            if !requests.is_empty() {
                                use std::io::Write;
                                let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log)
                                    .with_context(|| format!("cannot write {}", log.display()))?;
                                for request in &requests {
                                    writeln!(file, "{}", serde_json::to_string(request)?)?;
                                }
                                logged += requests.len();
                            }
                        }
                    }
                }
            }
        }
    }
}
