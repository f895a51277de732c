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

/// A case's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every check that applied held (SHOULD findings may be listed).
    Pass,
    /// A finding that fails the run (MUST, or SHOULD with `--fail-on should`) and
    /// that no waiver excuses.
    Fail,
    /// The case could not run (transport failure, bad template, ...).
    Error,
    /// It ran, but some check had no data (an empty list, a capture that could not be taken).
    NotExercised,
    /// Not run on purpose.
    Skipped,
    /// It had failing findings, and a waiver excuses every one of them.
    Waived,
}

impl Outcome {
    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::NotExercised => "not_exercised",
            Outcome::Skipped => "skipped",
            Outcome::Waived => "waived",
        }
    }
}

/// One case's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Case title.
    pub title: String,
    /// Where the case is defined, `file:line:col`.
    pub source: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Wall time of the case's own request and checks, in milliseconds.
    pub duration_ms: u64,
    /// The request as sent (token redacted); absent when none was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRecord>,
    /// The response; absent when none arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// The harness error, for outcome `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the fuzz phase did; only on the `fuzz-server-id` case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
            error: None,
            fuzz: None,
        }
    }
}
