//! A case's result: its outcome, the exchange it made, its findings and check records.
//! The runner and the fuzz engine produce it; the report builder gathers them.
//!
//! ```json
//! { "id": "list-all", "title": "...", "source": "cases/list.json:3:5", "outcome": "fail",
//!   "duration_ms": 3, "findings": [ ... ], "checks": [ ... ], "notes": [] }
//! ```

use serde::{Deserialize, Serialize};

use super::exchange::{RequestRecord, ResponseRecord};
use super::finding::Finding;
use super::fuzz::FuzzRun;
use super::observation::Observation;
use super::record::CheckRecord;

/// A case's outcome. Only `Error` carries a harness error, so no error can ride
/// on a pass or a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every check that applied held (SHOULD findings may be listed).
    Pass,
    /// A finding that fails the run (MUST, or SHOULD with `--fail-on should`) and
    /// that no waiver excuses.
    Fail,
    /// The case could not run (transport failure, bad template, ...): why.
    Error(String),
    /// It ran, but some check had no data (an empty list, a capture that could not be taken).
    NotExercised,
    /// Not run on purpose.
    Skipped,
    /// It had failing findings, and a waiver excuses every one of them.
    Waived,
}

impl Outcome {
    /// The spelling used in reports.
    pub fn as_str(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The harness error, for outcome `error`.
    pub fn error(&self) -> Option<&str> {
        match self {
            Outcome::Error(why) => Some(why),
            _ => None,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Outcome::Pass => Kind::Pass,
            Outcome::Fail => Kind::Fail,
            Outcome::Error(_) => Kind::Error,
            Outcome::NotExercised => Kind::NotExercised,
            Outcome::Skipped => Kind::Skipped,
            Outcome::Waived => Kind::Waived,
        }
    }
}

/// An outcome as `report.json` spells it, beside an optional `error`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Pass,
    Fail,
    Error,
    NotExercised,
    Skipped,
    Waived,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Pass => "pass",
            Kind::Fail => "fail",
            Kind::Error => "error",
            Kind::NotExercised => "not_exercised",
            Kind::Skipped => "skipped",
            Kind::Waived => "waived",
        }
    }
}

/// One case's result. In `report.json` the outcome is two fields, `outcome` and
/// `error` (see `Wire`).
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Wire")]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Case title.
    pub title: String,
    /// Where the case is defined, `file:line:col`.
    pub source: String,
    /// Outcome, with the harness error when there was one.
    pub outcome: Outcome,
    /// Wall time of the case's own request and checks, in milliseconds.
    pub duration_ms: u64,
    /// The request as sent (token redacted); absent when none was sent.
    pub request: Option<RequestRecord>,
    /// The response; absent when none arrived.
    pub response: Option<ResponseRecord>,
    /// Deviations found.
    pub findings: Vec<Finding>,
    /// What the profile accepts but a stricter one would not (not findings).
    #[serde(default)]
    pub observations: Vec<Observation>,
    /// Each check's verdict on each clause.
    pub checks: Vec<CheckRecord>,
    /// Observations (allowed readings chosen, captures, omitted findings).
    pub notes: Vec<String>,
    /// What the fuzz phase did; only on the `fuzz-server-id` case.
    pub fuzz: Option<Box<FuzzRun>>,
}

impl CaseResult {
    /// A result with no request, response, finding or record yet.
    pub fn new(id: &str, title: &str, source: String, outcome: Outcome) -> Self {
        CaseResult {
            id: id.to_owned(),
            title: title.to_owned(),
            source,
            outcome,
            duration_ms: 0,
            request: None,
            response: None,
            findings: Vec::new(),
            observations: Vec::new(),
            checks: Vec::new(),
            notes: Vec::new(),
            fuzz: None,
        }
    }
}

/// A case result as `report.json` has it (and `schemas/report.schema.json`
/// describes it): the fields in this order, the error beside the outcome.
/// Written from borrowed parts ([`WireRef`]), read owned.
#[derive(Deserialize)]
struct Wire {
    id: String,
    title: String,
    source: String,
    outcome: Kind,
    duration_ms: u64,
    #[serde(default)]
    request: Option<RequestRecord>,
    #[serde(default)]
    response: Option<ResponseRecord>,
    findings: Vec<Finding>,
    #[serde(default)]
    observations: Vec<Observation>,
    checks: Vec<CheckRecord>,
    notes: Vec<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    fuzz: Option<Box<FuzzRun>>,
}

/// [`Wire`], borrowed, so that writing a report copies nothing.
#[derive(Serialize)]
struct WireRef<'a> {
    id: &'a str,
    title: &'a str,
    source: &'a str,
    outcome: Kind,
    duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<&'a RequestRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a ResponseRecord>,
    findings: &'a [Finding],
    observations: &'a [Observation],
    checks: &'a [CheckRecord],
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fuzz: Option<&'a FuzzRun>,
}

impl Serialize for CaseResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireRef {
            id: &self.id,
            title: &self.title,
            source: &self.source,
            outcome: self.outcome.kind(),
            duration_ms: self.duration_ms,
            request: self.request.as_ref(),
            response: self.response.as_ref(),
            findings: &self.findings,
            observations: &self.observations,
            checks: &self.checks,
            notes: &self.notes,
            error: self.outcome.error(),
            fuzz: self.fuzz.as_deref(),
        }
        .serialize(serializer)
    }
}

impl From<Wire> for CaseResult {
    /// A report written before the outcome held its error may carry one beside
    /// another outcome (a fuzz run that failed and also lost requests): it is
    /// kept, as the last note.
    fn from(wire: Wire) -> Self {
        let (outcome, stray) = match wire.outcome {
            Kind::Error => (Outcome::Error(wire.error.unwrap_or_default()), None),
            Kind::Pass => (Outcome::Pass, wire.error),
            Kind::Fail => (Outcome::Fail, wire.error),
            Kind::NotExercised => (Outcome::NotExercised, wire.error),
            Kind::Skipped => (Outcome::Skipped, wire.error),
            Kind::Waived => (Outcome::Waived, wire.error),
        };
        let mut notes = wire.notes;
        notes.extend(stray);
        CaseResult {
            id: wire.id,
            title: wire.title,
            source: wire.source,
            outcome,
            duration_ms: wire.duration_ms,
            request: wire.request,
            response: wire.response,
            findings: wire.findings,
            observations: wire.observations,
            checks: wire.checks,
            notes,
            fuzz: wire.fuzz,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: the outcome holds its error, and `report.json` keeps its two
    /// fields, in the same place, for every outcome.
    #[test]
    fn the_wire_form_is_the_flat_outcome_and_its_error() {
        let table = [
            (
                Outcome::Pass,
                r#""outcome":"pass","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[]}"#,
            ),
            (
                Outcome::Fail,
                r#""outcome":"fail","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[]}"#,
            ),
            (
                Outcome::Error("connection refused".to_owned()),
                r#""outcome":"error","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[],"error":"connection refused"}"#,
            ),
            (
                Outcome::NotExercised,
                r#""outcome":"not_exercised","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[]}"#,
            ),
            (
                Outcome::Skipped,
                r#""outcome":"skipped","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[]}"#,
            ),
            (
                Outcome::Waived,
                r#""outcome":"waived","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":[]}"#,
            ),
        ];
        for (outcome, tail) in table {
            let result = CaseResult::new("c", "t", "f:1:1".to_owned(), outcome.clone());
            let json = serde_json::to_string(&result).unwrap_or_default();
            assert_eq!(
                json,
                format!(r#"{{"id":"c","title":"t","source":"f:1:1",{tail}"#)
            );
            let back: CaseResult = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back.outcome, outcome);
            assert_eq!(back.outcome.as_str(), outcome.as_str());
            assert!(back.notes.is_empty());
            assert_eq!(serde_json::to_string(&back).unwrap_or_default(), json);
        }
    }

    /// An older report's error beside a `fail` is read as a note, not dropped.
    #[test]
    fn an_error_beside_another_outcome_is_read_as_a_note() {
        let json = r#"{"id":"c","title":"t","source":"","outcome":"fail","duration_ms":0,"findings":[],"observations":[],"checks":[],"notes":["seed 1"],"error":"3 of 9 fuzz case(s) got no answer"}"#;
        let result: CaseResult = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(result.outcome, Outcome::Fail);
        assert_eq!(result.outcome.error(), None);
        assert_eq!(
            result.notes,
            ["seed 1", "3 of 9 fuzz case(s) got no answer"]
        );
    }
}
