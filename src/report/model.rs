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

use crate::contract::Clause;
pub use crate::model::{CaseResult, Outcome, RequestRecord, ResponseRecord};
use crate::model::{CheckOutcome, Severity};

/// Version of the report format; bump on any incompatible change.
///
/// 1.1 added, all optional when read: `gate`, `verdict_reasons`, `waivers`, the
/// `waived` outcomes and counts, `clauses[].checks` and `findings[].waived`.
/// A 1.0 report reads as a 1.1 report without waivers.
///
/// 1.2 added `cases[].observations` (what the profile accepts but a stricter one would
/// not, such as a filter that matches as a database collation does) and
/// `summary.observations`; a 1.0 or 1.1 report reads as one without observations.
///
/// 1.3 added `target.identity` (a run against a cloud's identity service, `--os-cloud`:
/// the method, the renewals and every identity exchange as method, URL, status and
/// time); an older report reads as one without it.
pub const SCHEMA_VERSION: &str = "1.3";

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
    /// Why the verdict is not `conformant` (findings, expired or stale waivers,
    /// harness errors), one sentence each; empty for a conformant run.
    #[serde(default)]
    pub verdict_reasons: Vec<String>,
    /// What fails the run: `--fail-on` and `--strict-waivers`.
    #[serde(default)]
    pub gate: Gate,
    /// The waivers file and what became of each waiver; absent without `--waivers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiverReport>,
    /// What `--fixtures create` created and deleted, and what is still there; absent
    /// without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixtures: Option<FixturesReport>,
    /// True when some clause could not be exercised for lack of data.
    pub vacuous: bool,
    /// Counts and failing clauses.
    pub summary: Summary,
    /// Every clause of the contract and what the run showed about it.
    pub clauses: Vec<ClauseResult>,
    /// Every selected case, sorted by id.
    pub cases: Vec<CaseResult>,
}

/// What `--fixtures create` did to the target:
///
/// ```json
/// { "run_id": "20260314T101500Z-3f9c2a1b", "created": 7, "deleted": 6,
///   "leftovers": [ { "kind": "software_config", "id": "…", "project_id": "…",
///                    "reason": "failed to DELETE …: the target answered 500" } ] }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixturesReport {
    /// The run id every created object carries (`sdconform cleanup --run-id`).
    pub run_id: String,
    /// Objects created (configs and deployments), in every project.
    pub created: usize,
    /// Objects deleted again.
    pub deleted: usize,
    /// Objects that could not be deleted, with why.
    #[serde(default)]
    pub leftovers: Vec<LeftoverEntry>,
}

/// An object the run created and could not delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftoverEntry {
    /// `software_config` or `software_deployment`.
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its project.
    pub project_id: String,
    /// Why it is still there.
    pub reason: String,
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
    /// True when TLS certificates were not verified (`--insecure`, or `verify: false`
    /// in `clouds.yaml`).
    #[serde(default)]
    pub insecure: bool,
    /// How the tokens were had from the cloud's identity service (`--os-cloud`);
    /// absent for a run with a raw token or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityInfo>,
}

/// A run's dealings with the identity service (`target.identity`): never a token, a
/// password, a header or a body.
///
/// ```json
/// { "cloud": "prod", "method": "password", "endpoint": "catalog", "tokens_issued": 2,
///   "renewals": 1, "rejections": 0,
///   "exchanges": [ { "method": "POST", "url": "https://keystone.example:5000/v3/auth/tokens",
///                    "status": 201, "elapsed_ms": 84 } ] }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInfo {
    /// The cloud's name in `clouds.yaml` (`envvars` for the `OS_*` variables).
    pub cloud: String,
    /// Keystone's method: `password`, `application_credential` or `token`.
    pub method: String,
    /// Where the orchestration endpoint came from: `catalog` or `override` (`--target`,
    /// `orchestration_endpoint_override`).
    pub endpoint: String,
    /// Tokens the identity service issued to the run.
    pub tokens_issued: u32,
    /// Times the token was renewed after the first (before expiry, or after a 401).
    pub renewals: u32,
    /// Times the target answered 401 to one of the run's tokens (each time a token was
    /// renewed and the request sent again: never a finding by itself).
    pub rejections: u32,
    /// Every exchange with the identity service, in order.
    pub exchanges: Vec<IdentityExchange>,
}

/// One exchange with the identity service, as far as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityExchange {
    /// `GET` (version discovery) or `POST` (`/v3/auth/tokens`).
    pub method: String,
    /// The URL (never with a `user:password@`).
    pub url: String,
    /// The status.
    pub status: u16,
    /// Time to the end of the body, in milliseconds.
    pub elapsed_ms: u64,
}

/// The profile of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileInfo {
    /// `strict`, `documented` or `lenient`.
    pub name: String,
    /// What the profile accepts.
    pub description: String,
}

/// What fails a run besides MUST findings and expired waivers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// The lowest severity whose (unwaived) findings fail the run.
    pub fail_on: FailOn,
    /// Whether a waiver that matches no finding fails the run.
    pub strict_waivers: bool,
    /// `--allow-empty`: a run that validated no response item is conformant, not
    /// inconclusive (absent from reports that did not set it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_empty: bool,
}

/// `--fail-on`: the lowest severity that fails the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Only MUST findings fail the run (SHOULD findings are reported). The default.
    #[default]
    Must,
    /// MUST and SHOULD findings fail the run.
    Should,
}

impl FailOn {
    /// The spelling used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Must => "must",
            FailOn::Should => "should",
        }
    }

    /// Whether an unwaived finding of `severity` fails the run.
    pub fn gates(self, severity: Severity) -> bool {
        match self {
            FailOn::Must => severity == Severity::Must,
            FailOn::Should => true,
        }
    }
}

/// The waivers of a run: where they came from and what became of each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaiverReport {
    /// The `--waivers` file as given.
    pub source: String,
    /// Every waiver, in file order.
    pub entries: Vec<WaiverEntry>,
}

/// One waiver and its effect on the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaiverEntry {
    /// The clause it waives.
    pub clause: String,
    /// The only case it waives; every case when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Why, as written.
    pub reason: String,
    /// Last day it applies, `YYYY-MM-DD` (inclusive).
    pub expires: String,
    /// Where it is defined, `file:line:col`.
    pub source: String,
    /// Applied, stale or expired.
    pub status: WaiverStatus,
    /// Findings it matched (for an expired waiver: findings it would have excused).
    pub findings: usize,
    /// Cases of those findings, sorted.
    pub cases: Vec<String>,
}

/// What became of a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// In force and matched at least one finding.
    Applied,
    /// In force but matched no finding (fails the run only with `--strict-waivers`).
    Stale,
    /// Past its `expires` date: it excuses nothing and fails the run.
    Expired,
}

impl WaiverStatus {
    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverStatus::Applied => "applied",
            WaiverStatus::Stale => "stale",
            WaiverStatus::Expired => "expired",
        }
    }
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
    /// No failing finding, but no response item was validated either (an empty
    /// project, every request refused): nothing can be concluded.
    #[serde(rename = "inconclusive")]
    Inconclusive,
    /// Stopped by a signal (Ctrl-C, a CI cancel) before every case ran.
    #[serde(rename = "interrupted")]
    Interrupted,
}

impl Verdict {
    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conformant => "conformant",
            Verdict::NonConformant => "non-conformant",
            Verdict::Error => "error",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Interrupted => "interrupted",
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
    /// Findings excused by a waiver (not counted in `must_findings`/`should_findings`).
    #[serde(default)]
    pub waived_findings: usize,
    /// Clauses whose every finding is waived, in contract order.
    #[serde(default)]
    pub waived_clauses: Vec<String>,
    /// Observations: what the profile accepts but a stricter one would not (never
    /// counted against the verdict).
    #[serde(default)]
    pub observations: usize,
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
    /// Failed, but every failing finding is waived.
    #[serde(default)]
    pub waived: usize,
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
    /// Checks that spoke for it in some case (passed, failed or had no data), sorted.
    #[serde(default)]
    pub checks: Vec<String>,
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
    /// Findings cite it, and a waiver excuses every one of them.
    Waived,
}

impl ClauseOutcome {
    /// The spelling used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ClauseOutcome::Pass => "pass",
            ClauseOutcome::Fail => "fail",
            ClauseOutcome::NotExercised => "not_exercised",
            ClauseOutcome::NotCovered => "not_covered",
            ClauseOutcome::Waived => "waived",
        }
    }
}

/// Builds the clause table from every case's check records and findings.
///
/// A clause fails when an unwaived finding cites it, is waived when findings
/// cite it and a waiver excuses each of them, and otherwise takes the best
/// outcome of its records: pass, then not exercised, then not covered.
pub fn clause_table(clauses: &[Clause], cases: &[CaseResult]) -> Vec<ClauseResult> {
    clauses
        .iter()
        .map(|clause| {
            let mut outcome = ClauseOutcome::NotCovered;
            let mut ids = std::collections::BTreeSet::new();
            let mut checks = std::collections::BTreeSet::new();
            let mut unwaived: Option<Severity> = None;
            let mut waived: Option<Severity> = None;
            for case in cases {
                for record in case.checks.iter().filter(|r| r.clause == clause.id) {
                    if matches!(record.outcome, CheckOutcome::Pass | CheckOutcome::Fail) {
                        ids.insert(case.id.clone());
                    }
                    if record.outcome != CheckOutcome::NotApplicable {
                        checks.insert(record.check.clone());
                    }
                    outcome = match (outcome, record.outcome) {
                        (_, CheckOutcome::Fail) | (ClauseOutcome::Fail, _) => ClauseOutcome::Fail,
                        (_, CheckOutcome::Pass) | (ClauseOutcome::Pass, _) => ClauseOutcome::Pass,
                        (_, CheckOutcome::NotExercised) | (ClauseOutcome::NotExercised, _) => {
                            ClauseOutcome::NotExercised
                        }
                        (_, CheckOutcome::NotApplicable) => outcome,
                    };
                }
                for finding in case.findings.iter().filter(|f| f.clause == clause.id) {
                    ids.insert(case.id.clone());
                    checks.insert(finding.check.clone());
                    let slot = if finding.waived.is_some() {
                        &mut waived
                    } else {
                        &mut unwaived
                    };
                    *slot = Some(slot.map_or(finding.severity, |s| s.min(finding.severity)));
                }
            }
            let (outcome, severity) = match (unwaived, waived) {
                (Some(severity), _) => (ClauseOutcome::Fail, Some(severity)),
                (None, Some(severity)) => (ClauseOutcome::Waived, Some(severity)),
                (None, None) => (outcome, None),
            };
            ClauseResult {
                id: clause.id.clone(),
                text: clause.text.clone(),
                outcome,
                severity,
                cases: ids.into_iter().collect(),
                checks: checks.into_iter().collect(),
            }
        })
        .collect()
}
