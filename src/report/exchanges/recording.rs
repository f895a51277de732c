//! One run's recording: the [`ExchangeWriter`] behind a mutex, as the
//! `http::Recorder` the client carries, so every trial and fuzz task records
//! its exchanges as they are answered.
//!
//! The first failure (the disk, or a secret that cannot be kept out of a line)
//! ends the recording: nothing more is written, the temporary file is removed,
//! and [`Recording::finish`] returns that error. Fail closed.

use std::sync::{Mutex, PoisonError};

use super::writer::{ExchangeWriter, RecordError, RecordSettings, RecordSummary, Sent};
use crate::http::{Recorded, Recorder};
use crate::model::{EXCHANGE_SCHEMA_VERSION, ExchangeLine, RunEnd, RunEnding, RunHeader, Source};
use crate::secret::Secrets;

/// A run's `exchanges.ndjson`, being written.
#[derive(Debug)]
pub struct Recording {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// `None` once finished, or after the first error.
    writer: Option<ExchangeWriter>,
    /// The first error.
    error: Option<RecordError>,
    /// The target's certificate, from the first exchange over TLS.
    certificate: Option<String>,
}

impl Recording {
    /// Starts `dir/exchanges.ndjson` with the run's `header`.
    pub fn start(
        dir: &std::path::Path,
        settings: RecordSettings,
        secrets: Secrets,
        header: &RunHeader,
    ) -> Result<Recording, RecordError> {
        let mut writer = ExchangeWriter::create(dir, settings, secrets)?;
        writer.header(header)?;
        Ok(Recording {
            state: Mutex::new(State {
                writer: Some(writer),
                error: None,
                certificate: None,
            }),
        })
    }

    /// Writes the end line (`ending`'s count of exchanges and certificate are
    /// filled here) and moves the file into place; the first error of the
    /// recording, if there was one.
    pub fn finish(&self, mut ending: RunEnding) -> Result<RecordSummary, RecordError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = state.error.take() {
            return Err(error);
        }
        let Some(writer) = state.writer.take() else {
            return Err(RecordError::Order("the recording is already finished"));
        };
        ending.tls_certificate_sha256 = state.certificate.clone();
        writer.finish_run(RunEnd {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            end: ending,
        })
    }
}

impl Recorder for Recording {
    fn record(&self, source: Source, sent: &[Recorded<'_>]) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        for recorded in sent {
            if let Recorded::Answered(exchange) = recorded
                && state.certificate.is_none()
            {
                state
                    .certificate
                    .clone_from(&exchange.peer_certificate_sha256);
            }
            let Some(writer) = state.writer.as_mut() else {
                return;
            };
            if let Err(error) = writer.record(line(&source, recorded)) {
                // Dropping the writer removes its temporary file.
                state.writer = None;
                state.error = Some(error);
                return;
            }
        }
    }
}

/// The line of one recorded request.
fn line(source: &Source, recorded: &Recorded<'_>) -> ExchangeLine {
    match recorded {
        Recorded::Answered(exchange) => Sent {
            source: source.clone(),
            request: &exchange.request,
            started: exchange.started,
            elapsed: exchange.elapsed,
            status: exchange.status,
            headers: exchange.headers.clone(),
            body: &exchange.body,
            truncated: exchange.body_cut.is_some(),
        }
        .line(),
        Recorded::Unanswered(request, why) => ExchangeLine {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            seq: 0,
            source: source.clone(),
            request: request.clone(),
            response: None,
            started: None,
            elapsed_ms: None,
            not_exercisable: Some(why.clone()),
        },
    }
}
