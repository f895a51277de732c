//! `sdconform recheck DIR` (issue 12 item 2): every case outcome, finding and
//! verdict recomputed from `DIR/exchanges.ndjson` alone, with no network, under
//! the profile, schemas, cases and waivers asked for.
//!
//! ```text
//! exchanges.ndjson ─► capture::ExchangeReader ─┬─ run header: target, profile, clock skew, gate, times, seed
//!                                             ├─ case lines ─► runner::replay (captures, prepare, check) ─┐
//!                                             ├─ fuzz lines ─► fuzz::recorded::Rejudge (properties) ─────┤
//!                                             └─ end line: finished, interrupted                         │
//!                                                        report::build (waivers at the run's date) ◄────┘
//! ```
//!
//! Sits after `report` (it builds a `RunReport`) and before `bundle`, whose
//! `verify` re-derives a bundle's verdict with it and compares
//! ([`compare::differences`]). Nothing here touches the network or writes a
//! file: `app` writes the reports.

pub mod compare;
mod inputs;

use std::path::PathBuf;
use std::sync::Arc;

use crate::capture::ExchangeReader;
use crate::contract::Profile;
use crate::fuzz::recorded::{Recorded, Rejudge};
use crate::model::{RunEnding, RunSettings, Source};
use crate::report::build;
use crate::report::model::RunReport;
use crate::report::write::Format;
use crate::runner::{self, ReplaySetup, RunOutcome, Selection};

pub use inputs::{Loaded, RecheckError, WaiversInput};

/// What to recheck, and with what.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The recording, `DIR/exchanges.ndjson`.
    pub recording: PathBuf,
    /// The profile; the run's when `None`.
    pub profile: Option<Profile>,
    /// `--schemas`; the embedded contract when `None`.
    pub schemas: Option<PathBuf>,
    /// `--cases`; the shipped cases when `None`.
    pub cases: Option<PathBuf>,
    /// `--waivers`; none when `None`.
    pub waivers: Option<WaiversInput>,
}

/// A recheck's result.
#[derive(Debug)]
pub struct Rechecked {
    /// The report re-derived.
    pub report: RunReport,
    /// What the recording says the run was.
    pub run: RunSettings,
    /// The formats the run wrote.
    pub formats: Vec<Format>,
    /// Exchanges read.
    pub exchanges: u64,
    /// What the user should know: inputs that differ from the run's, lines set aside.
    pub notes: Vec<String>,
}

/// Everything the recording holds, read in one pass.
struct Read {
    run: RunSettings,
    end: RunEnding,
    replay: runner::Replay,
    fuzz: Option<crate::model::CaseResult>,
    exchanges: u64,
    notes: Vec<String>,
}

/// Rechecks `inputs.recording`.
pub fn recheck(inputs: &Inputs) -> Result<Rechecked, RecheckError> {
    let mut reader = ExchangeReader::open(&inputs.recording)?;
    let Some(run) = reader.header().map(|h| h.run.clone()) else {
        return Err(RecheckError::NotARecording(format!(
            "{} does not start with a run header: it is not the recording of an sdconform run or fuzz",
            inputs.recording.display()
        )));
    };
    let loaded = inputs::load(inputs, &run)?;
    let read = read(&mut reader, run, &loaded, inputs)?;
    let report = rederive(&loaded, read.replay, read.fuzz, &read.run, &read.end)?;
    let mut notes = loaded.notes.clone();
    notes.extend(read.notes);
    Ok(Rechecked {
        report,
        formats: inputs::formats(&read.run),
        run: read.run,
        exchanges: read.exchanges,
        notes,
    })
}

/// Reads every line: the cases' into a replay, the fuzz phase's through its re-judging.
fn read(
    reader: &mut ExchangeReader,
    run: RunSettings,
    loaded: &Loaded,
    inputs: &Inputs,
) -> Result<Read, RecheckError> {
    let mut rejudge = run
        .fuzz
        .as_ref()
        .map(|fuzz| Rejudge::new(&loaded.contract, fuzz_settings(fuzz, loaded, &run)));
    let mut replay = Vec::new();
    let (mut exchanges, mut duplicates, mut foreign) = (0u64, Vec::new(), 0u64);
    for line in reader.by_ref() {
        let line = line?;
        exchanges += 1;
        match &line.source {
            Source::Case(id) => replay.push((id.clone(), line)),
            Source::Fuzz(_) | Source::FuzzShrink(_) => match &mut rejudge {
                Some(rejudge) => rejudge.feed(line),
                None => foreign += 1,
            },
            Source::HarEntry(_) => foreign += 1,
        }
    }
    let Some(end) = reader.end().map(|e| e.end.clone()) else {
        return Err(RecheckError::NotARecording(format!(
            "{} has no end line: the run that wrote it did not finish, or the file was cut",
            inputs.recording.display()
        )));
    };
    let mut cases = runner::Replay::new(end.interrupted.is_some());
    for (id, line) in replay {
        if !cases.add(id.clone(), line) {
            duplicates.push(id);
        }
    }
    let mut notes = Vec::new();
    if !duplicates.is_empty() {
        notes.push(format!(
            "case(s) recorded more than once, the first line judged: {}",
            duplicates.join(", ")
        ));
    }
    if foreign > 0 {
        notes.push(format!(
            "{foreign} line(s) of no case of this run and no fuzz phase it had: not judged"
        ));
    }
    Ok(Read {
        run,
        fuzz: rejudge.map(|r| r.finish(end.interrupted.is_some())),
        end,
        replay: cases,
        exchanges,
        notes,
    })
}

/// How the fuzz case is re-judged.
fn fuzz_settings(
    fuzz: &crate::model::RecordedFuzz,
    loaded: &Loaded,
    run: &RunSettings,
) -> Recorded {
    Recorded {
        profile: loaded.profile,
        clock_skew: loaded.clock_skew,
        authenticated: run.target.authenticated,
        seed: fuzz.seed,
        cases: fuzz.cases,
        concurrency: fuzz.concurrency,
        regressions_file: fuzz.regressions_file.clone(),
        regressions: fuzz.regressions,
    }
}

/// The report: the cases replayed, the fuzz case, built as the run built it.
fn rederive(
    loaded: &Loaded,
    replay: runner::Replay,
    fuzz: Option<crate::model::CaseResult>,
    run: &RunSettings,
    end: &RunEnding,
) -> Result<RunReport, RecheckError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(RecheckError::Runtime)?;
    let extra: Vec<runner::ExtraTrial<()>> = fuzz
        .into_iter()
        .map(|result| runner::ExtraTrial {
            id: crate::fuzz::CASE_ID.to_owned(),
            run: Box::new(move || (result, ())),
        })
        .collect();
    let selection = Selection {
        filter: run.selection.filter.clone(),
        skip: run.selection.skip.clone(),
        exact: run.selection.exact,
        ..Selection::default()
    };
    let setup = ReplaySetup {
        contract: Arc::clone(&loaded.contract),
        cases: loaded.cases.clone(),
        replay,
        target: loaded.target.clone(),
        profile: loaded.profile,
        clock_skew: loaded.clock_skew,
    };
    let results = match runner::replay(setup, &selection, runtime.handle(), extra) {
        RunOutcome::Ran(collected) => collected.results,
        RunOutcome::Listed | RunOutcome::NoneSelected => Vec::new(),
    };
    let report = build::build(
        build::Context {
            contract: &loaded.contract,
            profile: loaded.profile,
            target: loaded.target_info.clone(),
            cases_source: loaded.cases_source.clone(),
            started_at: run.started_at.clone(),
            finished_at: end.finished_at.clone(),
            duration_ms: end.duration_ms,
            gate: loaded.gate,
            waivers: loaded.waivers.as_ref(),
        },
        results,
    );
    Ok(match &end.interrupted {
        Some(cause) => {
            let why = runner::interruption(cause, &report.cases);
            build::interrupted(report, why)
        }
        None => report,
    })
}
