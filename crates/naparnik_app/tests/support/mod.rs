//! A `naparnik` child process that a test owns: signalled from the test itself (no outside
//! `kill`, which minimal systems lack), and killed when the guard drops, so a failing or
//! panicking test never leaves a `naparnik serve` behind.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// Starts `naparnik serve` on 127.0.0.1:`port` (0: any free port) and returns it once it listens,
/// with the bridge's base URL; it is killed if the test fails.
pub fn serve(data: &Path, config: &Path, port: u16) -> (Running, String) {
    let mut child = Running::new(
        Command::new(env!("CARGO_BIN_EXE_naparnik"))
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--bridge-addr", &format!("127.0.0.1:{port}")])
            .env("NAPARNIK_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting naparnik serve: {error}")),
    );
    let Some(stdout) = child.child().stdout.take() else {
        panic!("serve's stdout is piped above");
    };
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|error| panic!("reading serve's first line: {error}"));
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "serve said: {line}");
    (child, base)
}

/// A running child, killed and reaped on drop unless the test already waited for it.
pub struct Running {
    child: Child,
    reaped: bool,
}

impl Running {
    /// Takes charge of a just-spawned child.
    pub fn new(child: Child) -> Running {
        Running {
            child,
            reaped: false,
        }
    }

    /// The process, for its pipes.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Sends SIGTERM: the graceful stop systemd and Ctrl-C give. Windows has no signal to send
    /// to another console program: there it ends the child like SIGKILL.
    pub fn terminate(&mut self) {
        signal::terminate(&mut self.child);
    }

    /// Sends SIGKILL: a crash or a power cut as the process sees it.
    pub fn kill_9(&mut self) {
        signal::kill(&mut self.child);
    }

    /// Waits for the child to exit.
    pub fn wait(&mut self) -> ExitStatus {
        let status = self
            .child
            .wait()
            .unwrap_or_else(|error| panic!("waiting for the child: {error}"));
        self.reaped = true;
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.reaped {
            // The test failed before stopping it (or never meant to): take it down with the test.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(unix)]
mod signal {
    use std::process::Child;

    use rustix::process::{Pid, Signal, kill_process};

    pub fn terminate(child: &mut Child) {
        kill_process(Pid::from_child(child), Signal::TERM)
            .unwrap_or_else(|error| panic!("SIGTERM to the child: {error}"));
    }

    pub fn kill(child: &mut Child) {
        kill_process(Pid::from_child(child), Signal::KILL)
            .unwrap_or_else(|error| panic!("SIGKILL to the child: {error}"));
    }
}

#[cfg(windows)]
mod signal {
    use std::process::Child;

    pub fn terminate(child: &mut Child) {
        child
            .kill()
            .unwrap_or_else(|error| panic!("ending the child: {error}"));
    }

    pub fn kill(child: &mut Child) {
        child
            .kill()
            .unwrap_or_else(|error| panic!("ending the child: {error}"));
    }
}
