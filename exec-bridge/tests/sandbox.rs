//! The sandbox, tried for real: commands that try to escape, through the real binary and the
//! scripted model server, each stopped by the kernel under workspace-write and allowed under
//! danger-full-access. (The reference lets a command write into `.git`; we do not.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;

use protocol::exec::{CommandExecutionStatus, PatchApplyStatus, ThreadItemDetails};
use serde_json::json;
use test_support::script::{message, patch, shell};
use test_support::World;

/// Flags that keep `/tmp` (where the test folders live) out of the writable roots.
const NO_TMP: [&str; 4] = [
    "-c",
    "sandbox_workspace_write.exclude_slash_tmp=true",
    "-c",
    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
];

/// Runs `script` (a bash script) as the model's command under `mode`; returns its exit code and
/// output.
fn run_as_command(world: &World, mode: &str, extra: &[&str], script: &str) -> (Option<i32>, String) {
    let mut args = vec!["-s", mode];
    args.extend_from_slice(&NO_TMP);
    args.extend_from_slice(extra);
    args.push("try it");
    let run = world.exec_json(&args);
    run.assert_ok();
    let completed = run.completed();
    let command = completed
        .iter()
        .find_map(|item| match item {
            ThreadItemDetails::CommandExecution(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no command item in {:?}", run.kinds()));
    assert_ne!(command.status, CommandExecutionStatus::Declined, "{script}");
    (command.exit_code, command.aggregated_output)
}

fn world_for(script: &str) -> World {
    World::new(json!([[shell("c1", &["bash", "-c", script])], [message("done")]]))
}

/// Runs `script` under workspace-write (must be stopped) and danger-full-access (must work).
fn blocked_then_allowed(setup: impl Fn(&Path), script: &str, check_allowed: impl Fn(&Path)) {
    let world = world_for(script);
    setup(world.cwd());
    let (code, output) = run_as_command(&world, "workspace-write", &[], script);
    assert_ne!(code, Some(0), "workspace-write let `{script}` through:\n{output}");

    let world = world_for(script);
    setup(world.cwd());
    let (code, output) = run_as_command(&world, "danger-full-access", &[], script);
    assert_eq!(code, Some(0), "danger-full-access stopped `{script}`:\n{output}");
    check_allowed(world.cwd());
}

#[test]
fn a_write_outside_the_roots_is_blocked() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped.txt");
    let script = format!("echo x > {}", target.display());
    let world = world_for(&script);
    let (code, output) = run_as_command(&world, "workspace-write", &[], &script);
    assert_ne!(code, Some(0));
    assert!(output.contains("Read-only file system"), "outside the roots the mounts are read-only: {output}");
    assert!(!target.exists());
    // Inside the workspace, writing works.
    let world = world_for("echo x > inside.txt");
    assert_eq!(run_as_command(&world, "workspace-write", &[], "").0, Some(0));
    assert!(world.cwd().join("inside.txt").exists());
    // And without a sandbox, the outside write goes through.
    let world = world_for(&script);
    assert_eq!(run_as_command(&world, "danger-full-access", &[], &script).0, Some(0));
    assert!(target.exists());
}

#[test]
fn a_write_through_a_symlink_pointing_outside_is_blocked() {
    let outside = tempfile::tempdir().unwrap();
    let outside_path = outside.path().to_path_buf();
    let link = move |cwd: &Path| std::os::unix::fs::symlink(&outside_path, cwd.join("link")).unwrap();
    let target = outside.path().join("via-link.txt");
    blocked_then_allowed(&link, "echo x > link/via-link.txt", |_| assert!(target.exists()));
}

#[test]
fn a_write_into_git_is_blocked() {
    let git = |cwd: &Path| std::fs::create_dir_all(cwd.join(".git/hooks")).unwrap();
    blocked_then_allowed(git, "echo evil > .git/hooks/pre-commit", |cwd| {
        assert!(cwd.join(".git/hooks/pre-commit").exists())
    });
    // The message says why.
    let world = world_for("touch .git/x");
    std::fs::create_dir(world.cwd().join(".git")).unwrap();
    let (_, output) = run_as_command(&world, "workspace-write", &[], "");
    assert!(output.contains("Read-only file system"), "{output}");
}

#[test]
fn a_tcp_connection_with_network_off_is_blocked_and_unix_sockets_work() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected");
    blocked_then_allowed(|_| {}, &script, |_| {});
    let unix = "python3 -c 'import socket; a, b = socket.socketpair(); a.send(b\"u\"); print(b.recv(1))'";
    let world = world_for(unix);
    let (code, output) = run_as_command(&world, "workspace-write", &[], unix);
    assert_eq!(code, Some(0), "{output}");
    // With network access on, TCP works.
    let world = world_for(&script);
    let (code, output) = run_as_command(
        &world,
        "workspace-write",
        &["-c", "sandbox_workspace_write.network_access=true"],
        &script,
    );
    assert_eq!((code, output.trim()), (Some(0), "connected"));
}

#[test]
fn read_only_writes_nowhere_but_dev_null() {
    let world = world_for("echo x > /dev/null && echo x > here.txt");
    let (code, output) = run_as_command(&world, "read-only", &[], "");
    assert_ne!(code, Some(0));
    assert!(output.contains("here.txt: Read-only file system"), "{output}");
    assert!(!world.cwd().join("here.txt").exists());
}

#[test]
fn add_dir_and_configured_roots_become_writable_and_nothing_else() {
    let added = tempfile::tempdir().unwrap();
    let configured = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let script = format!(
        "echo a > {}/a && echo c > {}/c && echo o > {}/o",
        added.path().display(),
        configured.path().display(),
        other.path().display()
    );
    let world = world_for(&script);
    let root = format!("sandbox_workspace_write.writable_roots=[\"{}\"]", configured.path().display());
    let add = added.path().display().to_string();
    let (code, output) =
        run_as_command(&world, "workspace-write", &["--add-dir", &add, "-c", &root], &script);
    assert_ne!(code, Some(0));
    assert!(added.path().join("a").exists() && configured.path().join("c").exists());
    assert!(!other.path().join("o").exists(), "{output}");
}

#[test]
fn patches_that_climb_out_are_declined() {
    let outside = tempfile::tempdir().unwrap();
    let name = outside.path().file_name().unwrap().to_str().unwrap().to_owned();
    for (path, via_link) in [(format!("../{name}/climbed.txt"), false), ("link/linked.txt".to_owned(), true)]
    {
        for (mode, expected) in [
            ("workspace-write", PatchApplyStatus::Declined),
            ("danger-full-access", PatchApplyStatus::Completed),
        ] {
            let world =
                World::new(json!([[patch("p1", &format!("*** Add File: {path}\n+x\n"))], [message("ok")]]));
            // Put the workspace next to `outside`, so that `..` reaches it.
            let work = outside.path().parent().unwrap().join(format!("{name}-work-{mode}-{via_link}"));
            std::fs::create_dir_all(&work).unwrap();
            if via_link {
                std::os::unix::fs::symlink(outside.path(), work.join("link")).unwrap();
            }
            let mut args = vec!["-C", work.to_str().unwrap(), "-s", mode];
            args.extend_from_slice(&NO_TMP);
            args.push("patch");
            let run = world.exec_json(&args);
            run.assert_ok();
            let ThreadItemDetails::FileChange(change) = &run.completed()[0] else {
                panic!("{:?}", run.kinds())
            };
            assert_eq!(change.status, expected, "{path} under {mode}");
            std::fs::remove_dir_all(&work).unwrap();
        }
    }
    assert!(outside.path().join("climbed.txt").exists() && outside.path().join("linked.txt").exists());
}

#[test]
fn the_sandbox_command_runs_one_command_under_a_policy() {
    let world = World::new(json!([]));
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("f");
    let script = format!("touch {}", target.display());
    let mut args = vec!["sandbox", "--full-auto"];
    args.extend_from_slice(&NO_TMP);
    args.extend(["--", "bash", "-c", &script]);
    let run = world.run(&args, None, &[]);
    assert_ne!(run.code, Some(0));
    assert!(run.stderr.contains("Read-only file system"), "{}", run.stderr);
    let run = world.run(&["sandbox", "-s", "danger-full-access", "--", "bash", "-c", &script], None, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(target.exists());
    let run = world.run(&["sandbox", "-s", "read-only", "--", "no-such-program"], None, &[]);
    assert_eq!(run.code, Some(127));
}

#[test]
fn without_kernel_support_commands_are_not_run_unconfined() {
    let world = world_for("touch made.txt");
    let mut args = vec!["exec", "--json", "--skip-git-repo-check", "-s", "workspace-write", "touch"];
    args.extend_from_slice(&NO_TMP);
    let run = world.run(&args, None, &[("EXEC_BRIDGE_SANDBOX_UNAVAILABLE", "landlock")]);
    run.assert_ok();
    let completed = run.completed();
    let notices: Vec<&str> = completed
        .iter()
        .filter_map(|i| match i {
            ThreadItemDetails::Error(e) => Some(e.message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 1, "said once: {:?}", run.kinds());
    assert!(notices[0].contains("Landlock"), "{notices:?}");
    let command = completed.iter().find_map(|i| match i {
        ThreadItemDetails::CommandExecution(c) => Some(c.clone()),
        _ => None,
    });
    assert_eq!(
        command.unwrap().status,
        CommandExecutionStatus::Declined,
        "exec cannot approve, so it declines"
    );
    assert!(!world.cwd().join("made.txt").exists());
    // The sandbox command refuses outright.
    let run = world.run(
        &["sandbox", "--full-auto", "--", "true"],
        None,
        &[("EXEC_BRIDGE_SANDBOX_UNAVAILABLE", "landlock")],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("lacks Landlock"), "{}", run.stderr);
}

/// Runs one patch under workspace-write (with `/tmp` a writable root, so that `CODEX_HOME` lies
/// in one) and `env`; its status and what the model was told.
fn patch_status(body: &str, env: &[(&str, &str)]) -> (PatchApplyStatus, String, World) {
    let world = World::new(json!([[patch("p1", body)], [message("ok")]]));
    std::fs::create_dir_all(world.cwd().join("sub/.git/hooks")).unwrap();
    let args = ["exec", "--experimental-json", "--skip-git-repo-check", "-s", "workspace-write", "patch"];
    let run = world.run(&args, None, env);
    run.assert_ok();
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!("{:?}", run.kinds()) };
    (change.status, test_support::tool_output(&world.requests(), "p1"), world)
}

#[test]
fn patches_into_a_nested_git_or_codex_home_or_without_openat2_are_declined() {
    let (status, told, world) = patch_status("*** Add File: sub/.git/hooks/pre-commit\n+evil\n", &[]);
    assert_eq!(status, PatchApplyStatus::Declined, "{told}");
    assert!(!world.cwd().join("sub/.git/hooks/pre-commit").exists());

    let home = tempfile::tempdir().unwrap(); // Under /tmp, a writable root here.
    let body = format!("*** Add File: {}/config.toml\n+model = \"evil\"\n", home.path().display());
    let world = World::new(json!([[patch("p1", &body)], [message("ok")]]));
    let args = ["exec", "--experimental-json", "--skip-git-repo-check", "-s", "workspace-write", "patch"];
    let home_env = home.path().to_str().unwrap();
    let run = world.run(&args, None, &[("CODEX_HOME", home_env)]);
    run.assert_ok();
    let ThreadItemDetails::FileChange(change) = &run.completed()[0] else { panic!("{:?}", run.kinds()) };
    assert_eq!(change.status, PatchApplyStatus::Declined);
    assert!(test_support::tool_output(&world.requests(), "p1").contains("CODEX_HOME"));
    assert!(!home.path().join("config.toml").exists());

    let pretend = [("EXEC_BRIDGE_SANDBOX_UNAVAILABLE", "openat2")];
    let (status, told, world) = patch_status("*** Add File: a.txt\n+a\n", &pretend);
    assert_eq!(status, PatchApplyStatus::Declined);
    assert!(told.contains("openat2"), "{told}");
    assert!(!world.cwd().join("a.txt").exists());
    let (status, told, world) = patch_status("*** Add File: a.txt\n+a\n", &[]);
    assert_eq!(status, PatchApplyStatus::Completed, "{told}");
    assert!(world.cwd().join("a.txt").exists());
}
