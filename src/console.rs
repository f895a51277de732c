//! The process's standard output and error, for a user who pipes them into
//! `head`, sends them to a full disk or closes the terminal: nothing written
//! here can panic or stop the run, so the reports are still written and the
//! exit code is still the verdict's.
//!
//! Sits just before `app`, the only module that uses it. `println!` panics on
//! a closed or full stdout (`sdconform run | head -1`, `run > /dev/full`), and
//! so does libtest-mimic's printer, which writes with `unwrap`. So:
//!
//! - [`out`] and [`err`] write a line and ignore a failed write (once stdout
//!   is gone, the rest of the console output is dropped: the reports remain);
//! - [`Forwarder`] gives libtest-mimic a pipe as its `--logfile` and copies
//!   what comes out of it to stdout on a thread that survives a closed or full
//!   stdout, and keeps draining the pipe so libtest-mimic never blocks.
//!
//! ```text
//! $ sdconform run | head -1
//! running 10 tests
//! $ echo $?        # (with pipefail) the verdict's code, and reports/ is written
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Set once a write to stdout failed: the reader is gone.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a newline to stdout; a failed write is remembered and ignored.
pub fn out(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        STDOUT_GONE.store(true, Ordering::Relaxed);
    }
}

/// Writes `text` as it is (no newline added) to stdout; a failed write is remembered and ignored.
pub fn print(text: &str) {
    copy_out(text.as_bytes());
}

/// Writes `text` and a newline to stderr; a failed write is ignored.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// Whether stdout has been found closed or full.
pub fn stdout_gone() -> bool {
    STDOUT_GONE.load(Ordering::Relaxed)
}

/// libtest-mimic's output, through a pipe, to stdout.
pub struct Forwarder {
    logfile: PathBuf,
    /// Held open until libtest-mimic has opened its own end through `logfile`.
    writer: Option<std::io::PipeWriter>,
    thread: Option<JoinHandle<()>>,
}

impl Forwarder {
    /// A pipe and the thread that copies it to stdout; `None` where a pipe
    /// cannot be named as a file (libtest-mimic then prints itself, as before).
    pub fn start() -> Option<Forwarder> {
        let dir = pipe_path()?;
        let (mut reader, writer) = std::io::pipe().ok()?;
        let logfile = fd_path(&writer, dir)?;
        let thread = std::thread::Builder::new()
            .name("sdconform-console".to_owned())
            .spawn(move || {
                let mut buffer = [0u8; 8192];
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => copy_out(&buffer[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })
            .ok()?;
        Some(Forwarder {
            logfile,
            writer: Some(writer),
            thread: Some(thread),
        })
    }

    /// The path to give libtest-mimic as `--logfile`.
    pub fn logfile(&self) -> &Path {
        &self.logfile
    }

    /// Closes our end and waits until everything libtest-mimic wrote is copied.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        drop(self.writer.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.close();
    }
}

/// Copies `bytes` to stdout unless it is gone.
fn copy_out(bytes: &[u8]) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        STDOUT_GONE.store(true, Ordering::Relaxed);
    }
}

/// Where this platform names an open file descriptor as a path.
fn pipe_path() -> Option<PathBuf> {
    let proc = Path::new("/proc/self/fd");
    (cfg!(target_os = "linux") && proc.is_dir()).then(|| proc.to_owned())
}

#[cfg(unix)]
fn fd_path(writer: &std::io::PipeWriter, dir: PathBuf) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    Some(dir.join(writer.as_raw_fd().to_string()))
}

#[cfg(not(unix))]
fn fd_path(_writer: &std::io::PipeWriter, _dir: PathBuf) -> Option<PathBuf> {
    None
}
