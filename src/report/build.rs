//! The collector's last step: case results → `RunReport` (verdict, counts,
//! clause table). Pure.

use super::model::{
    CaseResult, ClauseOutcome, Counts, Outcome, ProfileInfo, RunReport, SCHEMA_VERSION, Summary,
    TargetInfo, Tool, Verdict, clause_table,
};
use crate::check::Severity;
use crate::contract::{Contract, Profile};

/// What a report is built from besides the results.
pub struct Context<'a> {
    /// The contract (clauses, profile descriptions).
    pub contract: &'a Contract,
    /// The profile used.
    pub profile: Profile,
    /// The target.
    pub target: TargetInfo,
    /// Where the cases came from.
    pub cases_source: String,
    /// RFC 3339 start.
    pub started_at: String,
    /// RFC 3339 end.
    pub finished_at: String,
    /// Wall time in ms.
    pub duration_ms: u64,
}

/// Builds the report; `cases` must be sorted by id.
pub fn build(context: Context<'_>, cases: Vec<CaseResult>) -> RunReport {
    let clauses = clause_table(context.contract.clauses(), &cases);
    let mut counts = Counts {
        total: cases.len(),
        ..Counts::default()
    };
    for case in &cases {
        match case.outcome {
            Outcome::Pass => counts.pass += 1,
            Outcome::Fail => counts.fail += 1,
            Outcome::Error => counts.error += 1,
            Outcome::NotExercised => counts.not_exercised += 1,
            Outcome::Skipped => counts.skipped += 1,
        }
    }
    let findings = cases.iter().flat_map(|c| c.findings.iter());
    let must_findings = findings
        .clone()
        .filter(|f| f.severity == Severity::Must)
        .count();
    let should_findings = findings.filter(|f| f.severity == Severity::Should).count();
    let pick = |want: fn(&super::model::ClauseResult) -> bool| -> Vec<String> {
        clauses
            .iter()
            .filter(|c| want(c))
            .map(|c| c.id.clone())
            .collect()
    };
    let summary = Summary {
        cases: counts,
        must_findings,
        should_findings,
        failing_clauses: pick(|c| {
            c.outcome == ClauseOutcome::Fail && c.severity == Some(Severity::Must)
        }),
        warning_clauses: pick(|c| {
            c.outcome == ClauseOutcome::Fail && c.severity == Some(Severity::Should)
        }),
        not_exercised_clauses: pick(|c| c.outcome == ClauseOutcome::NotExercised),
    };
    // A confirmed MUST failure is a definite answer even if other cases could not run.
    let verdict = if must_findings > 0 {
        Verdict::NonConformant
    } else if summary.cases.error > 0 {
        Verdict::Error
    } else {
        Verdict::Conformant
    };
    RunReport {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: Tool {
            name: "sdconform".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        target: context.target,
        profile: ProfileInfo {
            name: context.profile.as_str().to_owned(),
            description: context
                .contract
                .profile_description(context.profile)
                .to_owned(),
        },
        contract_source: context.contract.origin().to_owned(),
        cases_source: context.cases_source,
        started_at: context.started_at,
        finished_at: context.finished_at,
        duration_ms: context.duration_ms,
        verdict,
        vacuous: !summary.not_exercised_clauses.is_empty(),
        summary,
        clauses,
        cases,
    }
}
