//! Cancellation: how a signal (SIGINT, SIGTERM) reaches every part of a run that
//! sends or waits, as a value passed down rather than a global.
//!
//! Sits left of `http`, the first module that waits on it. `app` makes one
//! [`Cancel`] per command and calls [`Cancel::interrupt`] on each signal; the
//! client carries it (`http::Client::with_cancel`), so the runner, the fuzz phases
//! and `http` itself all see the same value:
//!
//! ```text
//! running      nothing asked                    everything as usual
//!   │ 1st signal
//! stopping     send nothing new                 the runner ends unsent cases as not run,
//!   │                                           generation stops, shrinking keeps its best;
//!   │                                           requests in flight are awaited
//!   │ 2nd signal
//! abandoning   stop waiting for answers too     `http` drops the requests in flight
//! ```
//!
//! Either way the reports are still written, with verdict `interrupted` (exit 130).

use std::sync::Arc;

use tokio::sync::watch;

/// How far a run has been asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing asked.
    Running,
    /// One signal: send nothing new, still await the answers in flight.
    Stopping,
    /// Two or more: await nothing either.
    Abandoning,
}

/// One run's cancellation, shared by every clone.
#[derive(Debug, Clone)]
pub struct Cancel {
    state: Arc<watch::Sender<State>>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    level: Level,
    /// What stopped the run first (`SIGINT`, `SIGTERM`).
    cause: Option<&'static str>,
}

/// Why a request was not sent, or its answer not awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stopped {
    /// The run was interrupted before the request was sent.
    #[error("send the request: the run was interrupted before it was sent")]
    BeforeSending,
    /// The run was interrupted a second time while the request was in flight.
    #[error("finish the request: the run was interrupted again while it was in flight")]
    InFlight,
    /// A phase's own time limit passed (`fuzz --time-limit`).
    #[error("finish the request within the campaign's --time-limit")]
    TimeLimit,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel::new()
    }
}

impl Cancel {
    /// A cancellation nobody has asked for yet.
    pub fn new() -> Cancel {
        let (state, _) = watch::channel(State {
            level: Level::Running,
            cause: None,
        });
        Cancel {
            state: Arc::new(state),
        }
    }

    /// One more signal, named `cause`: the first stops sending, the next stops
    /// waiting. The level reached.
    pub fn interrupt(&self, cause: &'static str) -> Level {
        let mut reached = Level::Running;
        self.state.send_modify(|state| {
            state.level = match state.level {
                Level::Running => Level::Stopping,
                Level::Stopping | Level::Abandoning => Level::Abandoning,
            };
            state.cause.get_or_insert(cause);
            reached = state.level;
        });
        reached
    }

    /// The level now.
    pub fn level(&self) -> Level {
        self.state.borrow().level
    }

    /// True once nothing new may be sent.
    pub fn stopping(&self) -> bool {
        self.level() >= Level::Stopping
    }

    /// What interrupted the run first, if anything did.
    pub fn cause(&self) -> Option<&'static str> {
        self.state.borrow().cause
    }

    /// Resolves once the level is at least `level` (never, if it is not reached).
    pub async fn reached(&self, level: Level) {
        let mut watching = self.state.subscribe();
        // An error means the sender is gone, which cannot happen while `self` holds it.
        if watching
            .wait_for(|state| state.level >= level)
            .await
            .is_err()
        {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_escalate_and_the_first_cause_is_kept() {
        let cancel = Cancel::new();
        assert_eq!(cancel.level(), Level::Running);
        assert!(!cancel.stopping() && cancel.cause().is_none());
        let clone = cancel.clone();
        assert_eq!(clone.interrupt("SIGINT"), Level::Stopping);
        assert!(cancel.stopping());
        assert_eq!(cancel.interrupt("SIGTERM"), Level::Abandoning);
        assert_eq!(cancel.interrupt("SIGTERM"), Level::Abandoning);
        assert_eq!(cancel.cause(), Some("SIGINT"));
    }

    #[test]
    fn waiting_ends_when_the_level_is_reached() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let cancel = Cancel::new();
        runtime.block_on(async {
            let waiting = tokio::time::timeout(
                std::time::Duration::from_millis(20),
                cancel.reached(Level::Stopping),
            );
            assert!(waiting.await.is_err(), "resolved before any signal");
            let signaller = cancel.clone();
            tokio::spawn(async move {
                signaller.interrupt("SIGINT");
                signaller.interrupt("SIGINT");
            });
            tokio::time::timeout(
                std::time::Duration::from_secs(5),
                cancel.reached(Level::Abandoning),
            )
            .await
            .unwrap_or_else(|_| panic!("never resolved"));
        });
    }
}
