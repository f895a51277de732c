//! `RunReport`: the one serializable result of a run, from which every report
//! format is written. Described by `schemas/report.schema.json`
//! (`schema_version` below). An excerpt:
//!
//! ```json
//! { "schema_version": "1.0", "verdict": "non-conformant", "profile": { "name": "documented" },
//!   "cases": [ { "id": "list-all", "outcome": "fail", "findings": [
//!     { "clause": "SD-RESP-9", "severity": "MUST", "check": "status_enum", ... } ] } ] }
//! ```

use serde::{Deserialize, Serialize};

use crate::check::{CheckOutcome, CheckRecord, Finding, Severity};
use crate::contract::Clause;

/// Version of the report format; bump on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// Report format version.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// What was tested (never the token).
    pub target: TargetInfo,
    /// The profile the run used.
    pub profile: ProfileInfo,
    /// Where the contract's schemas came from (`embedded` or a directory).
    pub contract_source: String,
    /// Where the cases came from (`embedded` or a directory).
    pub cases_source: String,
    /// Start of the run, RFC 3339 UTC.
    pub started_at: String,
    /// End of the run, RFC 3339 UTC.
    pub finished_at: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// The verdict.
    pub verdict: Verdict,
    /// True when some clause could not be exercised for lack of data.
    pub vacuous: bool,
    /// Counts and failing clauses.
    pub summary: Summary,
    /// Every clause of the contract and what the run showed about it.
    pub clauses: Vec<ClauseResult>,
    /// Every selected case, sorted by id.
    pub cases: Vec<CaseResult>,
}

/// Tool name and version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// Always `sdconform`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The target of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Base URL.
    pub url: String,
    /// Project id used in the path.
    pub project_id: String,
    /// True for the embedded reference target.
    pub embedded: bool,
}

/// The profile of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileInfo {
    /// `strict`, `documented` or `lenient`.
    pub name: String,
    /// What the profile accepts.
    pub description: String,
}

/// The run's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// No MUST finding and no harness error.
    #[serde(rename = "conformant")]
    Conformant,
    /// At least one MUST finding.
    #[serde(rename = "non-conformant")]
    NonConformant,
    /// No MUST finding, but some case could not be run (transport failure, ...).
    #[serde(rename = "error")]
    Error,
}

impl Verdict {
    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conformant => "conformant",
            Verdict::NonConformant => "non-conformant",
            Verdict::Error => "error",
        }
    }
}

/// Counts over the run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Case counts by outcome.
    pub cases: Counts,
    /// MUST findings.
    pub must_findings: usize,
    /// SHOULD findings.
    pub should_findings: usize,
    /// Clauses with a MUST finding, in contract order.
    pub failing_clauses: Vec<String>,
    /// Clauses with only SHOULD findings, in contract order.
    pub warning_clauses: Vec<String>,
    /// Clauses that no check could exercise for lack of data.
    pub not_exercised_clauses: Vec<String>,
}

/// Case counts by outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Selected cases.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// With a MUST finding.
    pub fail: usize,
    /// Could not run.
    pub error: usize,
    /// Ran, but some check had no data.
    pub not_exercised: usize,
    /// Not run on purpose.
    pub skipped: usize,
}

/// What the run showed about one clause.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClauseResult {
    /// Clause id.
    pub id: String,
    /// Clause text.
    pub text: String,
    /// Fail, pass, not exercised, or not covered by any check of the run.
    pub outcome: ClauseOutcome,
    /// Highest severity among its findings, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Cases whose checks exercised it (passed or failed), sorted.
    pub cases: Vec<String>,
}

/// A clause's outcome over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseOutcome {
    /// Exercised and held everywhere.
    Pass,
    /// Some finding cites it.
    Fail,
    /// Checked only where there was no data.
    NotExercised,
    /// No check of this run speaks for it.
    NotCovered,
}

/// A case's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every check that applied held (SHOULD findings may be listed).
    Pass,
    /// A MUST finding.
    Fail,
    /// The case could not run (transport failure, bad template, ...).
    Error,
    /// It ran, but some check had no data (an empty list, a capture that could not be taken).
    NotExercised,
    /// Not run on purpose.
    Skipped,
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
    /// Each check's verdict on each clause.
    pub checks: Vec<CheckRecord>,
    /// Observations (allowed readings chosen, captures, omitted findings).
    pub notes: Vec<String>,
    /// The harness error, for outcome `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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
            checks: Vec::new(),
            notes: Vec::new(),
            error: None,
        }
    }
}

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RequestRecord {
    /// Always `GET`.
    pub method: String,
    /// The full URL, query percent-encoded as sent.
    pub url: String,
    /// Headers sent, `X-Auth-Token` redacted.
    pub headers: Vec<(String, String)>,
}

/// A response as received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Body size in bytes.
    pub body_bytes: usize,
    /// The start of the body (lossy UTF-8, truncated).
    pub body_excerpt: String,
    /// Time to the full body, in milliseconds.
    pub elapsed_ms: u64,
}

/// Builds the clause table from every case's check records.
pub fn clause_table(clauses: &[Clause], cases: &[CaseResult]) -> Vec<ClauseResult> {
    clauses
        .iter()
        .map(|clause| {
            let mut outcome = ClauseOutcome::NotCovered;
            let mut severity: Option<Severity> = None;
            let mut ids = std::collections::BTreeSet::new();
            for case in cases {
                for record in case.checks.iter().filter(|r| r.clause == clause.id) {
                    if matches!(record.outcome, CheckOutcome::Pass | CheckOutcome::Fail) {
                        ids.insert(case.id.clone());
                    }
                    outcome = match (outcome, record.outcome) {
                        (_, CheckOutcome::Fail) | (ClauseOutcome::Fail, _) => ClauseOutcome::Fail,
                        (_, CheckOutcome::Pass) | (ClauseOutcome::Pass, _) => ClauseOutcome::Pass,
                        (_, CheckOutcome::NotExercised) | (ClauseOutcome::NotExercised, _) => {
                            ClauseOutcome::NotExercised
                        }
                        (ClauseOutcome::NotCovered, CheckOutcome::NotApplicable) => {
                            ClauseOutcome::NotCovered
                        }
                    };
                }
                for finding in case.findings.iter().filter(|f| f.clause == clause.id) {
                    outcome = ClauseOutcome::Fail;
                    ids.insert(case.id.clone());
                    severity = Some(severity.map_or(finding.severity, |s| s.min(finding.severity)));
                }
            }
            ClauseResult {
                id: clause.id.clone(),
                text: clause.text.clone(),
                outcome,
                severity,
                cases: ids.into_iter().collect(),
            }
        })
        .collect()
}
