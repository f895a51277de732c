//! `exchanges.ndjson` for `run` and `fuzz` (issue 12 item 1): started with the
//! run's header before the first request, carried by the client, finished with
//! the run's end line once the report is built, interrupted or not.

use std::sync::Arc;

use clap::ValueEnum as _;

use super::session::{Session, Work};
use crate::error::Error;
use crate::model::{
    EXCHANGE_SCHEMA_VERSION, RecordedBudget, RecordedGate, RecordedSelection, RecordedTarget,
    RunEnding, RunHeader, RunSettings,
};
use crate::report::exchanges::{RecordSummary, Recording};
use crate::report::model::{RunReport, TargetInfo};
use crate::secret::Secrets;

/// Starts the recording `session` asks for (none with `--no-record`).
pub(super) fn start(
    session: &Session,
    work: &Work,
    target: &TargetInfo,
    authenticated: bool,
    started_at: &str,
    secrets: &Secrets,
) -> Result<Option<Arc<Recording>>, Error> {
    let Some(settings) = &session.record else {
        return Ok(None);
    };
    let header = RunHeader {
        schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
        run: settings_of(session, work, target, authenticated, started_at),
    };
    let recording = Recording::start(
        &session.report.dir,
        settings.clone(),
        secrets.clone(),
        &header,
    )
    .map_err(Error::Record)?;
    Ok(Some(Arc::new(recording)))
}

/// What the header says of the run.
fn settings_of(
    session: &Session,
    work: &Work,
    target: &TargetInfo,
    authenticated: bool,
    started_at: &str,
) -> RunSettings {
    let (command, selection, fuzz) = match work {
        Work::Suite {
            selection, fuzzing, ..
        } => (
            "run",
            RecordedSelection {
                filter: selection.filter.clone(),
                skip: selection.skip.clone(),
                exact: selection.exact,
            },
            fuzzing.as_ref().map(super::session::Fuzzing::recorded),
        ),
        Work::Fuzz(fuzzing) => (
            "fuzz",
            RecordedSelection::default(),
            Some(fuzzing.recorded()),
        ),
    };
    let record = session.record.clone().unwrap_or_default();
    RunSettings {
        command: command.to_owned(),
        tool: concat!("sdconform ", env!("CARGO_PKG_VERSION")).to_owned(),
        started_at: started_at.to_owned(),
        target: RecordedTarget {
            url: target.url.clone(),
            project_id: target.project_id.clone(),
            embedded: target.embedded,
            insecure: target.insecure,
            authenticated,
        },
        profile: session.profile.as_str().to_owned(),
        clock_skew_ms: u64::try_from(session.clock_skew.as_millis()).unwrap_or(u64::MAX),
        contract_source: session.contract.origin().to_owned(),
        cases_source: session.report.cases_source.clone(),
        waivers: session.report.waivers.as_ref().map(|w| w.source.clone()),
        gate: RecordedGate {
            fail_on: session.report.gate.fail_on.as_str().to_owned(),
            strict_waivers: session.report.gate.strict_waivers,
            allow_empty: session.report.gate.allow_empty,
        },
        formats: session
            .report
            .formats
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect(),
        selection,
        fuzz,
        record: RecordedBudget {
            budget: record.budget,
            redact_fields: record
                .redact_fields
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
    }
}

/// Writes the end line with `report`'s times and the interruption's `cause`,
/// and moves the file into place.
pub(super) fn finish(
    recording: Option<Arc<Recording>>,
    report: &RunReport,
    cause: Option<&str>,
) -> Result<Option<RecordSummary>, Error> {
    let Some(recording) = recording else {
        return Ok(None);
    };
    recording
        .finish(RunEnding {
            finished_at: report.finished_at.clone(),
            duration_ms: report.duration_ms,
            exchanges: 0,
            interrupted: cause.map(str::to_owned),
            tls_certificate_sha256: None,
        })
        .map(Some)
        .map_err(Error::Record)
}
