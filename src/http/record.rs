//! The recording hook (issue 12): the client carries where the run's exchanges
//! go, as it carries the run's cancellation, so the runner and every fuzz phase
//! record what they send without knowing where it is written.
//!
//! `report::exchanges::Recording` is the one implementation (it writes
//! `exchanges.ndjson`); `http` only says who sent what and what came back. An
//! interrupted request (never sent, or its answer not awaited) is not recorded:
//! there is nothing to judge.

use std::fmt;
use std::sync::Arc;

use super::{ACCEPT_ENCODING, Auth, Exchange, HttpError, Prepared, REDACTED, USER_AGENT};
use crate::model::{RequestRecord, Source};

/// What one request came to, as recorded.
#[derive(Debug)]
pub enum Recorded<'a> {
    /// This came back.
    Answered(&'a Exchange),
    /// Nothing came back: the request as it was to be sent (credentials
    /// redacted), and the harness error as the report says it (`failed to ...`).
    Unanswered(RequestRecord, String),
}

/// Where a run's exchanges go, as they happen.
pub trait Recorder: Send + Sync + fmt::Debug {
    /// What the requests `source` sent came to, in the order sent; they are
    /// written together, one line each (a fuzz input sent twice is two lines
    /// side by side).
    fn record(&self, source: Source, sent: &[Recorded<'_>]);
}

impl super::Client {
    /// The client, recording every exchange sent through it to `recorder`
    /// (those who send call [`super::Client::record`]).
    pub fn with_recorder(self, recorder: Arc<dyn Recorder>) -> super::Client {
        super::Client {
            recorder: Some(recorder),
            ..self
        }
    }

    /// Whether the client records (so the callers build nothing to record when not).
    pub fn records(&self) -> bool {
        self.recorder.is_some()
    }

    /// Records what the `prepared` requests `source` sent came to, when the
    /// client records: answers and harness errors; never an interruption.
    pub fn record(
        &self,
        source: impl FnOnce() -> Source,
        prepared: &Prepared,
        sent: &[&Result<Exchange, HttpError>],
    ) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        let recorded: Vec<Recorded<'_>> = sent
            .iter()
            .filter_map(|sent| match sent {
                Ok(exchange) => Some(Recorded::Answered(exchange)),
                Err(HttpError::Stopped(_)) => None,
                Err(error) => Some(Recorded::Unanswered(
                    unanswered(prepared),
                    format!("failed to {error}"),
                )),
            })
            .collect();
        if !recorded.is_empty() {
            recorder.record(source(), &recorded);
        }
    }
}

/// The record of a request that got no answer: what `Client::send` sends, the
/// token redacted (the record `http` keeps of a sent one has the same headers).
fn unanswered(prepared: &Prepared) -> RequestRecord {
    let mut headers = vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("accept-encoding".to_owned(), ACCEPT_ENCODING.to_owned()),
        ("user-agent".to_owned(), USER_AGENT.to_owned()),
    ];
    if let Auth::Token(_) = prepared.auth {
        headers.push(("x-auth-token".to_owned(), REDACTED.to_owned()));
    }
    RequestRecord {
        method: "GET".to_owned(),
        url: super::without_userinfo(&prepared.url),
        headers,
    }
}
