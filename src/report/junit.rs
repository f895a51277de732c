//! `junit.xml`: the `RunReport` for CI test tabs, one `<testcase>` per case ×
//! check × clause.
//!
//! Written with `quick-junit` (which escapes text and drops characters XML
//! cannot hold). The split between a contract violation and a harness problem
//! is kept: a finding that fails the run is a `<failure>`, a case that could
//! not run is an `<error>`, a check with no data (or made moot by an allowed
//! reading) is `<skipped>`, and so is a waived failure, with the waiver as its
//! message. A finding that does not fail the run (SHOULD, without
//! `--fail-on should`) leaves the test case passing, with the finding in
//! `<system-out>`. An excerpt:
//!
//! ```xml
//! <testsuite name="sdconform http://127.0.0.1:8004 (documented)" tests="98" failures="1" errors="0" skipped="40">
//!   <testcase name="list-all::status_enum [SD-RESP-9]" classname="list-all">
//!     <failure message="SD-RESP-9 MUST at /software_deployments/0/status: expected one of [...], got &quot;DONE&quot;" type="MUST">...</failure>
//!     <properties><property name="clause" value="SD-RESP-9"/>...</properties>
//!   </testcase>
//! </testsuite>
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::model::{CaseResult, FailOn, Outcome, RunReport};
use crate::check::{CheckOutcome, Finding};

/// File name of the JUnit report inside the report directory.
pub const FILE_NAME: &str = "junit.xml";

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("sdconform");
    let mut suite = TestSuite::new(format!(
        "sdconform {} ({})",
        report.target.url, report.profile.name
    ));
    suite.set_time(Duration::from_millis(report.duration_ms));
    let properties = [
        ("target", report.target.url.as_str()),
        ("project_id", report.target.project_id.as_str()),
        ("profile", report.profile.name.as_str()),
        ("fail_on", report.gate.fail_on.as_str()),
        ("verdict", report.verdict.as_str()),
        ("tool_version", report.tool.version.as_str()),
        ("started_at", report.started_at.as_str()),
    ];
    suite.add_properties(properties.map(|(k, v)| Property::new(k, v)));
    for reason in &report.verdict_reasons {
        suite.add_property(Property::new("verdict_reason", reason));
    }
    let mut cases: Vec<&CaseResult> = report.cases.iter().collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    for case in cases {
        suite.add_test_cases(test_cases(case, report.gate.fail_on));
    }
    junit.add_test_suite(suite);
    junit.to_string()
}

/// The test cases of one case: one per (check, clause), plus one for a harness
/// error and one per finding no record accounts for.
fn test_cases(case: &CaseResult, fail_on: FailOn) -> Vec<TestCase> {
    let mut out = Vec::new();
    match &case.outcome {
        Outcome::Error(error) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(error).set_type("harness error");
            out.push(test_case(&format!("{}::run", case.id), case, status));
        }
        Outcome::Skipped if case.checks.is_empty() => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(case.notes.first().map_or("skipped", String::as_str));
            out.push(test_case(&format!("{}::run", case.id), case, status));
        }
        _ => {}
    }
    // Records and findings by (check, clause), in record order then finding order.
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut records: BTreeMap<(String, String), Vec<CheckOutcome>> = BTreeMap::new();
    let mut notes: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for record in &case.checks {
        let key = (record.check.clone(), record.clause.clone());
        if !records.contains_key(&key) {
            keys.push(key.clone());
        }
        records.entry(key.clone()).or_default().push(record.outcome);
        if let Some(note) = &record.note {
            notes.entry(key).or_default().push(note);
        }
    }
    // A finding belongs to its own (check, clause) record; failing that (the
    // schema check reports enum violations as `status_enum`), to the failed
    // record of its clause; failing that, to a test case of its own.
    let mut findings: BTreeMap<(String, String), Vec<&Finding>> = BTreeMap::new();
    for finding in &case.findings {
        let exact = (finding.check.clone(), finding.clause.clone());
        let key = if records.contains_key(&exact) {
            exact
        } else if let Some(failed) = keys.iter().find(|key| {
            key.1 == finding.clause
                && records
                    .get(*key)
                    .is_some_and(|outcomes| outcomes.contains(&CheckOutcome::Fail))
        }) {
            failed.clone()
        } else {
            exact
        };
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        findings.entry(key).or_default().push(finding);
    }
    for key in keys {
        let (check, clause) = &key;
        let name = format!("{}::{check} [{clause}]", case.id);
        let found = findings.get(&key).map(Vec::as_slice).unwrap_or_default();
        let outcomes = records.get(&key).map(Vec::as_slice).unwrap_or_default();
        let note = notes.get(&key).and_then(|n| n.first().copied());
        let status = status(found, outcomes, note, fail_on);
        let mut test = test_case(&name, case, status);
        test.add_property(Property::new("clause", clause));
        test.add_property(Property::new("check", check));
        if let Some(severity) = found.iter().map(|f| f.severity).min() {
            test.add_property(Property::new("severity", severity.as_str()));
        }
        let warnings: Vec<&&Finding> = found
            .iter()
            .filter(|f| f.waived.is_none() && !fail_on.gates(f.severity))
            .collect();
        let failing = found
            .iter()
            .any(|f| f.waived.is_none() && fail_on.gates(f.severity));
        if !warnings.is_empty() && !failing {
            let text: Vec<String> = warnings.iter().map(|f| evidence(f)).collect();
            test.set_system_out(format!(
                "not failing the run (--fail-on {}):\n{}",
                fail_on.as_str(),
                text.join("\n")
            ));
        }
        out.push(test);
    }
    out
}

/// The status of one (check, clause) test case.
fn status(
    found: &[&Finding],
    outcomes: &[CheckOutcome],
    note: Option<&str>,
    fail_on: FailOn,
) -> TestCaseStatus {
    let failing: Vec<&&Finding> = found
        .iter()
        .filter(|f| f.waived.is_none() && fail_on.gates(f.severity))
        .collect();
    if let Some(first) = failing.first() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let body: Vec<String> = failing.iter().map(|f| evidence(f)).collect();
        status
            .set_message(format!("{}: {}", first.clause, first.message))
            .set_type(first.severity.as_str())
            .set_description(body.join("\n"));
        return status;
    }
    let waived: Vec<&&Finding> = found.iter().filter(|f| f.waived.is_some()).collect();
    if let Some(first) = waived.first() {
        let mut status = TestCaseStatus::skipped();
        let (reason, expires) = first
            .waived
            .as_ref()
            .map_or(("", ""), |w| (w.reason.as_str(), w.expires.as_str()));
        let body: Vec<String> = waived.iter().map(|f| evidence(f)).collect();
        status
            .set_message(format!("waived until {expires}: {reason}"))
            .set_type("waived")
            .set_description(body.join("\n"));
        return status;
    }
    if found.is_empty() && outcomes.contains(&CheckOutcome::Fail) {
        // The check failed but its findings were not kept (over the per-case limit).
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(note.unwrap_or("the check failed; its findings were not kept"));
        return status;
    }
    let exercised = outcomes
        .iter()
        .any(|o| matches!(o, CheckOutcome::Pass | CheckOutcome::Fail));
    if exercised || outcomes.is_empty() {
        return TestCaseStatus::success();
    }
    let mut status = TestCaseStatus::skipped();
    let kind = if outcomes.contains(&CheckOutcome::NotExercised) {
        "not_exercised"
    } else {
        "not_applicable"
    };
    status
        .set_message(note.map_or_else(|| kind.to_owned(), |n| format!("{kind}: {n}")))
        .set_type(kind);
    status
}

fn test_case(name: &str, case: &CaseResult, status: TestCaseStatus) -> TestCase {
    let mut test = TestCase::new(name, status);
    test.set_classname(case.id.as_str());
    test
}

/// One finding as one line of evidence.
fn evidence(finding: &Finding) -> String {
    let mut line = format!(
        "{} {} [{}] at {}: expected {}, got {}",
        finding.clause,
        finding.severity.as_str(),
        finding.check,
        if finding.pointer.is_empty() {
            "(response)"
        } else {
            &finding.pointer
        },
        finding.expected,
        finding.actual
    );
    if !finding.accepted_by.is_empty() {
        let _ = write!(line, " (accepted by {})", finding.accepted_by.join(", "));
    }
    if let Some(waived) = &finding.waived {
        let _ = write!(
            line,
            " (waived until {}: {})",
            waived.expires, waived.reason
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::report::fixture::hostile_report;

    #[test]
    fn failure_skip_and_error_are_kept_apart_and_text_is_escaped() {
        let xml = render(&hostile_report()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!xml.contains("<script"), "{xml}");
        assert!(
            xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{xml}"
        );
        assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
        assert_eq!(xml.matches("<error ").count(), 1, "{xml}");
        assert!(xml.contains("type=\"waived\""), "{xml}");
        assert!(xml.contains("name=\"unknown-path::run\""), "{xml}");
    }
}
