//! SIGINT and SIGTERM during `run` and `fuzz`: each one escalates the run's
//! [`Cancel`], and the user is told what happens next (on stderr):
//!
//! ```text
//! interrupted (SIGINT): sending nothing more; waiting for the requests in flight, then writing the reports (interrupt again to stop waiting)
//! interrupted again (SIGTERM): no longer waiting for the requests in flight; writing the reports
//! ```
//!
//! GitHub Actions cancels a job with SIGINT, SIGTERM 7.5 s later and SIGKILL 2.5 s
//! after that: the second signal leaves only the reports to write.

use crate::cancel::{Cancel, Level};
use crate::console;

/// Listens for the signals on `runtime` for as long as it runs, escalating `cancel`;
/// registered before this returns, so no signal sent after it kills the process.
pub(super) fn listen(runtime: &tokio::runtime::Runtime, cancel: Cancel) {
    let _entered = runtime.enter();
    let Some(mut signals) = Signals::register() else {
        console::err(
            "warning: SIGINT and SIGTERM cannot be handled here: an interruption ends the run without reports",
        );
        return;
    };
    runtime.spawn(async move {
        while let Some(cause) = signals.next().await {
            let before = cancel.level();
            match cancel.interrupt(cause) {
                Level::Stopping => console::err(&format!(
                    "interrupted ({cause}): sending nothing more; waiting for the requests in flight, then writing the reports (interrupt again to stop waiting)"
                )),
                Level::Abandoning if before != Level::Abandoning => console::err(&format!(
                    "interrupted again ({cause}): no longer waiting for the requests in flight; writing the reports"
                )),
                Level::Running | Level::Abandoning => {}
            }
        }
    });
}

/// The signals that interrupt a run.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn register() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    /// The name of the next signal; `None` once none can come.
    async fn next(&mut self) -> Option<&'static str> {
        tokio::select! {
            Some(()) = self.interrupt.recv() => Some("SIGINT"),
            Some(()) = self.terminate.recv() => Some("SIGTERM"),
            else => None,
        }
    }
}

/// The signals that interrupt a run: Ctrl-C where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register() -> Option<Signals> {
        Some(Signals)
    }

    async fn next(&mut self) -> Option<&'static str> {
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
