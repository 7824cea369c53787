//! A `naparnik` child process that a test owns: signalled from the test itself (no outside
//! `kill`, which minimal systems lack), and killed when the guard drops, so a failing or
//! panicking test never leaves a `naparnik serve` behind.

use std::process::{Child, ExitStatus};

use rustix::process::{Pid, Signal, kill_process};

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

    /// Sends SIGTERM: the graceful stop systemd and Ctrl-C give.
    pub fn terminate(&self) {
        kill_process(Pid::from_child(&self.child), Signal::TERM)
            .unwrap_or_else(|error| panic!("SIGTERM to the child: {error}"));
    }

    /// Sends SIGKILL: a crash or a power cut as the process sees it.
    pub fn kill_9(&self) {
        kill_process(Pid::from_child(&self.child), Signal::KILL)
            .unwrap_or_else(|error| panic!("SIGKILL to the child: {error}"));
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
