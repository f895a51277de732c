//! The collector's last step: case results → `RunReport` (waivers, verdict,
//! counts, clause table). Pure: "today", for waiver expiry, is the date of the
//! run's `started_at`, so a test fixes it by fixing that.
//!
//! The verdict, in order:
//!
//! ```text
//! non-conformant  an unwaived MUST finding (or SHOULD, with --fail-on should),
//!                 an expired waiver, or a stale one with --strict-waivers
//! error           otherwise, some case could not run
//! inconclusive    otherwise, no response item was validated (`vacuity`),
//!                 unless --allow-empty
//! conformant      otherwise
//! ```
//!
//! Each reason is stated in `verdict_reasons`, e.g.
//! `["1 MUST finding (SD-RESP-9)", "waiver for SD-RESP-11 (waivers.json:3:5) expired on 2024-01-31"]`.

use std::collections::BTreeSet;

use super::model::{
    CaseResult, ClauseOutcome, ClauseResult, Counts, Gate, Outcome, ProfileInfo, RunReport,
    SCHEMA_VERSION, Summary, TargetInfo, Tool, Verdict, WaiverEntry, WaiverReport, WaiverStatus,
    clause_table,
};
use crate::check::{Severity, Waived};
use crate::contract::{Contract, Profile};
use crate::waiver::{Waiver, Waivers};

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
    /// RFC 3339 start; its date is "today" for waiver expiry.
    pub started_at: String,
    /// RFC 3339 end.
    pub finished_at: String,
    /// Wall time in ms.
    pub duration_ms: u64,
    /// `--fail-on` and `--strict-waivers`.
    pub gate: Gate,
    /// The `--waivers` file, if any.
    pub waivers: Option<&'a Waivers>,
}

/// Builds the report; `cases` must be sorted by id.
pub fn build(context: Context<'_>, mut cases: Vec<CaseResult>) -> RunReport {
    let today = context.started_at.get(..10).unwrap_or_default().to_owned();
    let gate = context.gate;
    let waivers = context
        .waivers
        .map(|w| apply_waivers(w, &today, &mut cases));
    for case in &mut cases {
        case.outcome = gated_outcome(case, gate);
    }

    let clauses = clause_table(context.contract.clauses(), &cases);
    let summary = summary(&cases, &clauses);

    let empty =
        super::vacuity::nothing_validated(&cases, &clauses, &context.contract.item_clauses());
    let (verdict, verdict_reasons) = verdict(&summary, gate, waivers.as_ref(), empty);
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
        verdict_reasons,
        gate,
        waivers,
        fixtures: None,
        vacuous: !summary.not_exercised_clauses.is_empty(),
        summary,
        clauses,
        cases,
    }
}

/// The counts of cases, findings and clauses.
fn summary(cases: &[CaseResult], clauses: &[ClauseResult]) -> Summary {
    let findings = || cases.iter().flat_map(|c| c.findings.iter());
    let unwaived = |severity| {
        findings()
            .filter(|f| f.severity == severity && f.waived.is_none())
            .count()
    };
    let pick = |want: &dyn Fn(&ClauseResult) -> bool| -> Vec<String> {
        clauses
            .iter()
            .filter(|c| want(c))
            .map(|c| c.id.clone())
            .collect()
    };
    Summary {
        cases: counts(cases),
        must_findings: unwaived(Severity::Must),
        should_findings: unwaived(Severity::Should),
        failing_clauses: pick(&|c| {
            c.outcome == ClauseOutcome::Fail && c.severity == Some(Severity::Must)
        }),
        warning_clauses: pick(&|c| {
            c.outcome == ClauseOutcome::Fail && c.severity == Some(Severity::Should)
        }),
        not_exercised_clauses: pick(&|c| c.outcome == ClauseOutcome::NotExercised),
        waived_findings: findings().filter(|f| f.waived.is_some()).count(),
        waived_clauses: pick(&|c| c.outcome == ClauseOutcome::Waived),
        observations: cases.iter().map(|c| c.observations.len()).sum(),
    }
}

/// How many cases ended in each outcome.
fn counts(cases: &[CaseResult]) -> Counts {
    let mut counts = Counts {
        total: cases.len(),
        ..Counts::default()
    };
    for case in cases {
        match case.outcome {
            Outcome::Pass => counts.pass += 1,
            Outcome::Fail => counts.fail += 1,
            Outcome::Error(_) => counts.error += 1,
            Outcome::NotExercised => counts.not_exercised += 1,
            Outcome::Skipped => counts.skipped += 1,
            Outcome::Waived => counts.waived += 1,
        }
    }
    counts
}

/// A run stopped by a signal (issue 10 item 2): whatever its results say, the verdict
/// is `interrupted`, `why` its first reason; the reasons of the verdict it would have
/// had follow, so what was learned so far is still stated.
pub fn interrupted(mut report: RunReport, why: String) -> RunReport {
    report.verdict = Verdict::Interrupted;
    report.verdict_reasons.insert(0, why);
    report
}

/// Marks each finding an unexpired waiver matches (the first in file order
/// wins) and says what became of every waiver.
fn apply_waivers(waivers: &Waivers, today: &str, cases: &mut [CaseResult]) -> WaiverReport {
    let mut entries: Vec<WaiverEntry> = waivers
        .waivers
        .iter()
        .map(|w| WaiverEntry {
            clause: w.clause.clone(),
            case: w.case.clone(),
            reason: w.reason.clone(),
            expires: w.expires.clone(),
            source: w.source.clone(),
            status: if w.expired_on(today) {
                WaiverStatus::Expired
            } else {
                WaiverStatus::Stale
            },
            findings: 0,
            cases: Vec::new(),
        })
        .collect();
    let mut cases_of: Vec<BTreeSet<String>> = vec![BTreeSet::new(); entries.len()];
    for case in cases.iter_mut() {
        for finding in &mut case.findings {
            let matching = || {
                waivers
                    .waivers
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.matches(&finding.clause, &case.id))
            };
            let active = matching().find(|(_, w)| !w.expired_on(today));
            // An expired waiver excuses nothing, but the report says what it would have covered.
            let chosen: Option<(usize, &Waiver)> = active.or_else(|| matching().next());
            let Some((index, waiver)) = chosen else {
                continue;
            };
            let Some(entry) = entries.get_mut(index) else {
                continue;
            };
            entry.findings += 1;
            if let Some(set) = cases_of.get_mut(index) {
                set.insert(case.id.clone());
            }
            if !waiver.expired_on(today) {
                entry.status = WaiverStatus::Applied;
                finding.waived = Some(Waived {
                    reason: waiver.reason.clone(),
                    expires: waiver.expires.clone(),
                });
            }
        }
    }
    for (entry, set) in entries.iter_mut().zip(cases_of) {
        entry.cases = set.into_iter().collect();
    }
    WaiverReport {
        source: waivers.source.clone(),
        entries,
    }
}

/// The case's outcome once waivers and `--fail-on` are known: `fail` when an
/// unwaived finding gates, `waived` when only waived findings would have.
fn gated_outcome(case: &CaseResult, gate: Gate) -> Outcome {
    if matches!(case.outcome, Outcome::Error(_) | Outcome::Skipped) {
        return case.outcome.clone();
    }
    let gating = |waived: bool| {
        case.findings
            .iter()
            .any(|f| f.waived.is_some() == waived && gate.fail_on.gates(f.severity))
    };
    if gating(false) {
        Outcome::Fail
    } else if gating(true) {
        Outcome::Waived
    } else {
        case.outcome.clone()
    }
}

/// The verdict and the sentences that explain a non-conformant, error or
/// inconclusive verdict; `empty` says why nothing was validated, if nothing was.
fn verdict(
    summary: &Summary,
    gate: Gate,
    waivers: Option<&WaiverReport>,
    empty: Option<String>,
) -> (Verdict, Vec<String>) {
    let mut reasons = Vec::new();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if summary.must_findings > 0 {
        reasons.push(format!(
            "{} ({})",
            plural(summary.must_findings, "MUST finding"),
            summary.failing_clauses.join(", ")
        ));
    }
    if gate.fail_on.gates(Severity::Should) && summary.should_findings > 0 {
        reasons.push(format!(
            "{} ({}), and --fail-on should",
            plural(summary.should_findings, "SHOULD finding"),
            summary.warning_clauses.join(", ")
        ));
    }
    for entry in waivers.iter().flat_map(|w| w.entries.iter()) {
        let name = match &entry.case {
            Some(case) => format!("waiver for {} in {case} ({})", entry.clause, entry.source),
            None => format!("waiver for {} ({})", entry.clause, entry.source),
        };
        match entry.status {
            WaiverStatus::Expired => {
                reasons.push(format!("{name} expired on {}", entry.expires));
            }
            WaiverStatus::Stale if gate.strict_waivers => {
                reasons.push(format!("{name} matches no finding, and --strict-waivers"));
            }
            WaiverStatus::Stale | WaiverStatus::Applied => {}
        }
    }
    if !reasons.is_empty() {
        // A confirmed failure is a definite answer even if other cases could not run.
        return (Verdict::NonConformant, reasons);
    }
    if summary.cases.error > 0 {
        let n = summary.cases.error;
        let verb = if n == 1 { "case" } else { "cases" };
        return (Verdict::Error, vec![format!("{n} {verb} could not run")]);
    }
    match empty {
        Some(why) if !gate.allow_empty => (Verdict::Inconclusive, vec![why]),
        _ => (Verdict::Conformant, reasons),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOutcome, CheckRecord, Finding};
    use crate::report::model::FailOn;

    fn contract() -> Contract {
        Contract::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    fn waiver(clause: &str, case: Option<&str>, expires: &str) -> Waiver {
        Waiver {
            clause: clause.to_owned(),
            case: case.map(str::to_owned),
            reason: format!("known {clause}"),
            expires: expires.to_owned(),
            source: format!("w.json:{clause}"),
        }
    }

    /// `list-all` fails SD-RESP-9 (MUST); `filter-existing-server` has a SHOULD finding on SD-RESP-11.
    fn cases() -> Vec<CaseResult> {
        let mut list = CaseResult::new("list-all", "t", "x:1:1".to_owned(), Outcome::Fail);
        list.findings.push(Finding::new(
            "SD-RESP-9",
            "status_enum",
            "/software_deployments/0/status",
            "one of",
            "\"DONE\"",
            "m",
        ));
        list.checks.push(CheckRecord::new(
            "status_enum",
            "SD-RESP-9",
            CheckOutcome::Fail,
        ));
        list.checks
            .push(CheckRecord::new("schema", "SD-RESP-4", CheckOutcome::Pass));
        let mut filter = CaseResult::new(
            "filter-existing-server",
            "t",
            "x:2:1".to_owned(),
            Outcome::Pass,
        );
        filter.findings.push(
            Finding::new(
                "SD-RESP-11",
                "timestamp_order",
                "/software_deployments/0",
                "later",
                "earlier",
                "m",
            )
            .with_severity(Severity::Should),
        );
        filter.checks.push(CheckRecord::new(
            "timestamp_order",
            "SD-RESP-11",
            CheckOutcome::Fail,
        ));
        vec![filter, list]
    }

    fn run(gate: Gate, waivers: Option<Vec<Waiver>>, today: &str) -> RunReport {
        let waivers = waivers.map(|waivers| Waivers {
            source: "w.json".to_owned(),
            waivers,
        });
        built_on(today, gate, waivers.as_ref(), cases())
    }

    /// The report of `cases` under `gate` and `waivers`, of a run on `today`.
    fn built_on(
        today: &str,
        gate: Gate,
        waivers: Option<&Waivers>,
        cases: Vec<CaseResult>,
    ) -> RunReport {
        let contract = contract();
        build(
            Context {
                contract: &contract,
                profile: Profile::Documented,
                target: crate::report::fixture::target("http://t", "p"),
                cases_source: "embedded".to_owned(),
                started_at: format!("{today}T23:59:59Z"),
                finished_at: format!("{today}T23:59:59Z"),
                duration_ms: 1,
                gate,
                waivers,
            },
            cases,
        )
    }

    /// Issue 10 item 2: an interrupted run's verdict is `interrupted` whatever it found,
    /// and what it found is still among the reasons.
    #[test]
    fn an_interrupted_run_says_so_first() {
        let report = interrupted(
            run(Gate::default(), None, "2024-01-01"),
            "interrupted by SIGINT".to_owned(),
        );
        assert_eq!(report.verdict, Verdict::Interrupted);
        assert_eq!(
            report.verdict_reasons.first().map(String::as_str),
            Some("interrupted by SIGINT")
        );
        assert!(
            report.verdict_reasons.iter().any(|r| r.contains("MUST")),
            "{:?}",
            report.verdict_reasons
        );
    }

    fn outcome_of(report: &RunReport, id: &str) -> Outcome {
        report
            .cases
            .iter()
            .find(|c| c.id == id)
            .map_or(Outcome::Skipped, |c| c.outcome.clone())
    }

    fn clause(report: &RunReport, id: &str) -> ClauseOutcome {
        report
            .clauses
            .iter()
            .find(|c| c.id == id)
            .map_or(ClauseOutcome::NotCovered, |c| c.outcome)
    }

    #[test]
    fn without_waivers_a_must_finding_fails_and_a_should_finding_warns() {
        let report = run(Gate::default(), None, "2026-01-01");
        assert_eq!(report.verdict, Verdict::NonConformant);
        assert_eq!(report.verdict_reasons, ["1 MUST finding (SD-RESP-9)"]);
        assert_eq!(report.summary.warning_clauses, ["SD-RESP-11"]);
        assert_eq!(outcome_of(&report, "filter-existing-server"), Outcome::Pass);
        assert!(report.waivers.is_none());
        // The clause table names the checks that spoke for each clause.
        let resp9 = report.clauses.iter().find(|c| c.id == "SD-RESP-9");
        assert_eq!(
            resp9.map(|c| c.checks.clone()),
            Some(vec!["status_enum".to_owned()])
        );
        assert_eq!(clause(&report, "SD-CODE-400"), ClauseOutcome::NotCovered);
    }

    #[test]
    fn fail_on_should_makes_should_findings_fail_the_case_and_the_run() {
        let gate = Gate {
            fail_on: FailOn::Should,
            ..Gate::default()
        };
        let report = run(gate, None, "2026-01-01");
        assert_eq!(report.verdict, Verdict::NonConformant);
        assert_eq!(outcome_of(&report, "filter-existing-server"), Outcome::Fail);
        assert_eq!(
            report.verdict_reasons.len(),
            2,
            "{:?}",
            report.verdict_reasons
        );
        assert!(report.verdict_reasons[1].contains("--fail-on should"));

        // With only the SHOULD finding left (the MUST one waived), it alone fails the run.
        let waived = run(
            gate,
            Some(vec![waiver("SD-RESP-9", None, "2026-12-31")]),
            "2026-01-01",
        );
        assert_eq!(waived.verdict, Verdict::NonConformant);
        let must_only = run(
            Gate::default(),
            Some(vec![waiver("SD-RESP-9", None, "2026-12-31")]),
            "2026-01-01",
        );
        assert_eq!(must_only.verdict, Verdict::Conformant);
    }

    #[test]
    fn a_waived_failure_is_reported_as_waived_and_does_not_fail_the_run() {
        let report = run(
            Gate::default(),
            Some(vec![waiver("SD-RESP-9", Some("list-all"), "2026-01-31")]),
            // The expiry day itself is still in force.
            "2026-01-31",
        );
        assert_eq!(
            report.verdict,
            Verdict::Conformant,
            "{:?}",
            report.verdict_reasons
        );
        assert_eq!(outcome_of(&report, "list-all"), Outcome::Waived);
        assert_eq!(clause(&report, "SD-RESP-9"), ClauseOutcome::Waived);
        assert_eq!(report.summary.waived_clauses, ["SD-RESP-9"]);
        assert_eq!(report.summary.must_findings, 0);
        assert_eq!(report.summary.waived_findings, 1);
        assert_eq!(report.summary.cases.waived, 1);
        let finding = &report.cases[1].findings[0];
        assert_eq!(
            finding.waived,
            Some(Waived {
                reason: "known SD-RESP-9".to_owned(),
                expires: "2026-01-31".to_owned()
            })
        );
        let entry = &report
            .waivers
            .as_ref()
            .map(|w| w.entries.clone())
            .unwrap_or_default()[0];
        assert_eq!((entry.status, entry.findings), (WaiverStatus::Applied, 1));
        assert_eq!(entry.cases, ["list-all"]);
    }

    #[test]
    fn an_expired_waiver_excuses_nothing_and_fails_the_run() {
        let report = run(
            Gate::default(),
            Some(vec![
                waiver("SD-RESP-9", None, "2026-01-30"),
                // Expired and matching nothing: still fails the run.
                waiver("SD-RESP-4", None, "2020-01-01"),
            ]),
            "2026-01-31",
        );
        assert_eq!(report.verdict, Verdict::NonConformant);
        assert_eq!(outcome_of(&report, "list-all"), Outcome::Fail);
        assert_eq!(clause(&report, "SD-RESP-9"), ClauseOutcome::Fail);
        assert!(report.cases[1].findings[0].waived.is_none());
        let entries = report.waivers.map(|w| w.entries).unwrap_or_default();
        assert_eq!(entries[0].status, WaiverStatus::Expired);
        assert_eq!(entries[0].findings, 1);
        assert_eq!(entries[1].status, WaiverStatus::Expired);
        assert!(
            report
                .verdict_reasons
                .iter()
                .any(|r| r.contains("expired on 2026-01-30"))
        );
        assert!(
            report
                .verdict_reasons
                .iter()
                .any(|r| r.contains("expired on 2020-01-01"))
        );
    }

    #[test]
    fn a_stale_waiver_is_listed_and_fails_the_run_only_when_strict() {
        let waivers = vec![
            waiver("SD-RESP-9", None, "2026-12-31"),
            waiver("SD-RESP-4", Some("list-all"), "2026-12-31"),
            // Names the right clause but another case: also stale.
            waiver("SD-RESP-9", Some("filter-existing-server"), "2026-12-31"),
        ];
        let lax = run(Gate::default(), Some(waivers.clone()), "2026-01-01");
        assert_eq!(
            lax.verdict,
            Verdict::Conformant,
            "{:?}",
            lax.verdict_reasons
        );
        let statuses: Vec<WaiverStatus> = lax
            .waivers
            .iter()
            .flat_map(|w| w.entries.iter().map(|e| e.status))
            .collect();
        assert_eq!(
            statuses,
            [
                WaiverStatus::Applied,
                WaiverStatus::Stale,
                WaiverStatus::Stale
            ]
        );
        let strict = run(
            Gate {
                strict_waivers: true,
                ..Gate::default()
            },
            Some(waivers),
            "2026-01-01",
        );
        assert_eq!(strict.verdict, Verdict::NonConformant);
        assert_eq!(
            strict.verdict_reasons.len(),
            2,
            "{:?}",
            strict.verdict_reasons
        );
        assert!(strict.verdict_reasons[0].contains("SD-RESP-4 in list-all"));
    }

    #[test]
    fn the_first_unexpired_matching_waiver_wins() {
        let report = run(
            Gate::default(),
            Some(vec![
                waiver("SD-RESP-9", None, "2020-01-01"),
                waiver("SD-RESP-9", Some("list-all"), "2026-12-31"),
            ]),
            "2026-01-01",
        );
        let entries = report.waivers.map(|w| w.entries).unwrap_or_default();
        assert_eq!(entries[0].status, WaiverStatus::Expired);
        assert_eq!(entries[0].findings, 0);
        assert_eq!(entries[1].status, WaiverStatus::Applied);
        // The expired one still fails the run.
        assert_eq!(report.verdict, Verdict::NonConformant);
    }

    /// A report of `cases` under `gate`.
    fn built(gate: Gate, cases: Vec<CaseResult>) -> RunReport {
        built_on("2026-01-01", gate, None, cases)
    }

    /// `list-all` answered an empty list: its item clauses had no data.
    fn empty_list() -> CaseResult {
        let mut case = CaseResult::new("list-all", "t", String::new(), Outcome::NotExercised);
        for clause in ["SD-RESP-4", "SD-RESP-9"] {
            case.checks.push(
                CheckRecord::new("schema", clause, CheckOutcome::NotExercised)
                    .with_note("the list is empty: no item to check"),
            );
        }
        case
    }

    /// Issue 10 item 11: nothing validated is inconclusive, not conformant;
    /// `--allow-empty` makes it conformant; a MUST finding and a harness error
    /// still win.
    #[test]
    fn nothing_validated_is_inconclusive_unless_allowed_and_failures_still_win() {
        let report = built(Gate::default(), vec![empty_list()]);
        assert_eq!(report.verdict, Verdict::Inconclusive);
        assert!(
            report.verdict_reasons[0].starts_with("no response item was validated"),
            "{:?}",
            report.verdict_reasons
        );
        assert!(report.vacuous);

        let allowed = Gate {
            allow_empty: true,
            ..Gate::default()
        };
        let report = built(allowed, vec![empty_list()]);
        assert_eq!(report.verdict, Verdict::Conformant);
        assert!(report.verdict_reasons.is_empty());
        assert!(report.vacuous, "the vacuity note stays");

        let mut failing = CaseResult::new("unknown-path", "t", String::new(), Outcome::Fail);
        failing.findings.push(Finding::new(
            "SD-CODE-404",
            "status_code",
            "",
            "404",
            "200",
            "m",
        ));
        let report = built(Gate::default(), vec![empty_list(), failing]);
        assert_eq!(report.verdict, Verdict::NonConformant);

        let errored = CaseResult::new(
            "auth-missing-token",
            "t",
            String::new(),
            Outcome::Error("connection refused".to_owned()),
        );
        let report = built(Gate::default(), vec![empty_list(), errored]);
        assert_eq!(report.verdict, Verdict::Error);
    }

    #[test]
    fn a_harness_error_without_failures_is_an_error_verdict() {
        let errored = CaseResult::new(
            "list-all",
            "t",
            String::new(),
            Outcome::Error("connection refused".to_owned()),
        );
        let report = built(Gate::default(), vec![errored]);
        assert_eq!(report.verdict, Verdict::Error);
        assert_eq!(report.verdict_reasons, ["1 case could not run"]);
    }
}
