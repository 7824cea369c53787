//! A `naparnik` child process that a test owns: signalled from the test itself (no outside
//! `kill`, which minimal systems lack), and killed when the guard drops, so a failing or
//! panicking test never leaves a `naparnik serve` behind.

use std::process::{Child, ExitStatus};

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
