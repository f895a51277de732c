//! `junit.xml`: the `RunReport` for CI test tabs, one `<testcase>` per case ×
//! check × clause, one per waiver, in the dialect strict consumers accept:
//! Jenkins xUnit's `junit-10.xsd` (`tests/data/junit-10.xsd`) validates it
//! (so no `<properties>` inside a `<testcase>`, no `skipped` on `<testsuites>`).
//!
//! The split between a contract violation and a harness problem is kept: a
//! finding that fails the run is a `<failure>` (its `type` is the severity), a
//! case that could not run is an `<error>`, a check with no data (or made moot
//! by an allowed reading) is `<skipped>`, and so is a waived failure, with the
//! waiver as its message. A finding that does not fail the run (SHOULD, without
//! `--fail-on should`) leaves the test case passing, with the finding in
//! `<system-out>`. Whatever fails the run fails a test case, so the CI test tab
//! agrees with the exit code: an expired waiver (or, with `--strict-waivers`, a
//! stale one) is a failing `waivers::…` test case. A fuzz finding's body
//! carries its seed, minimal input and `curl` repro line.
//!
//! Text is escaped for XML, and control characters (which XML 1.0 cannot hold,
//! and a terminal obeys) are shown as visible escapes, `\u{1b}`. An excerpt:
//!
//! ```xml
//! <testsuites name="sdconform" tests="98" failures="1" errors="0" time="1.204">
//!   <testsuite name="sdconform http://127.0.0.1:8004 (documented)" tests="98" failures="1" errors="0" skipped="40" time="1.204" timestamp="2026-01-01T00:00:00Z">
//!     <properties><property name="verdict" value="non-conformant"/>...</properties>
//!     <testcase name="list-all::status_enum [SD-RESP-9]" classname="list-all">
//!       <failure message="SD-RESP-9: ..." type="MUST">SD-RESP-9 MUST [status_enum] at /software_deployments/0/status: expected one of [...], got &quot;DONE&quot;</failure>
//!     </testcase>
//!     <testcase name="waivers::w.json:2:3 [SD-RESP-11]" classname="waivers">
//!       <failure message="waiver for SD-RESP-11 (w.json:2:3) expired on 2001-02-03" type="expired waiver">...</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::model::{CaseResult, FailOn, Gate, Outcome, RunReport, Verdict, WaiverStatus};
use super::summary::inert_lines;
use crate::check::{CheckOutcome, Finding};

/// File name of the JUnit report inside the report directory.
pub const FILE_NAME: &str = "junit.xml";

/// Class name of the waivers' test cases. (A case named `waivers` would share
/// it; the test names still differ: `waivers::FILE:LINE:COL [CLAUSE]`.)
const WAIVERS: &str = "waivers";

/// One `<testcase>`.
#[derive(Debug)]
struct Test {
    name: String,
    classname: String,
    status: Status,
    system_out: Option<String>,
}

/// What a test case holds besides its name.
#[derive(Debug)]
enum Status {
    Pass,
    Failure(Detail),
    Error(Detail),
    Skipped(Detail),
}

/// The `message` and `type` attributes and the body of a failure, error or skip.
#[derive(Debug, Default)]
struct Detail {
    message: String,
    kind: Option<String>,
    body: Option<String>,
}

impl Detail {
    fn new(message: impl Into<String>) -> Self {
        Detail {
            message: message.into(),
            ..Detail::default()
        }
    }

    fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
}

impl Test {
    fn new(name: String, classname: &str, status: Status) -> Self {
        Test {
            name,
            classname: classname.to_owned(),
            status,
            system_out: None,
        }
    }

    fn fails(&self) -> bool {
        matches!(self.status, Status::Failure(_) | Status::Error(_))
    }
}

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, std::io::Error> {
    let tests = tests(report);
    let count = |f: fn(&Status) -> bool| tests.iter().filter(|t| f(&t.status)).count().to_string();
    let total = tests.len().to_string();
    let failures = count(|s| matches!(s, Status::Failure(_)));
    let errors = count(|s| matches!(s, Status::Error(_)));
    let skipped = count(|s| matches!(s, Status::Skipped(_)));
    // `SUREFIRE_TIME` in junit-10.xsd: seconds, `.` and digits.
    let time = format!(
        "{}.{:03}",
        report.duration_ms / 1000,
        report.duration_ms % 1000
    );

    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 4);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let suites = [
        ("name", "sdconform".to_owned()),
        ("tests", total.clone()),
        ("failures", failures.clone()),
        ("errors", errors.clone()),
        ("time", time.clone()),
    ];
    let suite = [
        (
            "name",
            format!("sdconform {} ({})", report.target.url, report.profile.name),
        ),
        ("tests", total),
        ("failures", failures),
        ("errors", errors),
        ("skipped", skipped),
        ("time", time),
        ("timestamp", report.started_at.clone()),
    ];
    let mut properties = vec![
        ("target", report.target.url.as_str()),
        ("project_id", report.target.project_id.as_str()),
        ("profile", report.profile.name.as_str()),
        ("fail_on", report.gate.fail_on.as_str()),
        ("verdict", report.verdict.as_str()),
        ("tool_version", report.tool.version.as_str()),
        ("started_at", report.started_at.as_str()),
    ];
    for reason in &report.verdict_reasons {
        properties.push(("verdict_reason", reason));
    }
    element(&mut writer, "testsuites", &suites, |w| {
        element(w, "testsuite", &suite, |w| {
            element(w, "properties", &[], |w| {
                for (name, value) in &properties {
                    let attributes = escaped(&[("name", name), ("value", value)]);
                    w.create_element("property")
                        .with_attributes(attributes.iter().map(as_attribute))
                        .write_empty()?;
                }
                Ok(())
            })?;
            for test in &tests {
                write_test(w, test)?;
            }
            Ok(())
        })
    })?;
    let mut xml = String::from_utf8(writer.into_inner()).map_err(std::io::Error::other)?;
    xml.push('\n');
    Ok(xml)
}

/// Every test case of the run: the cases', sorted by case id, then the waivers',
/// then, if the verdict fails the run and nothing else says so, one for the verdict.
fn tests(report: &RunReport) -> Vec<Test> {
    let mut cases: Vec<&CaseResult> = report.cases.iter().collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tests: Vec<Test> = cases
        .into_iter()
        .flat_map(|case| case_tests(case, report.gate.fail_on))
        .collect();
    tests.extend(waiver_tests(report, report.gate));
    // The test tab must agree with the exit code, whatever the verdict's reason.
    if !tests.iter().any(Test::fails) {
        let reasons = report.verdict_reasons.join("; ");
        let status = match report.verdict {
            Verdict::Conformant => None,
            Verdict::NonConformant => Some(Status::Failure(
                Detail::new(reasons).kind(report.verdict.as_str()),
            )),
            Verdict::Error | Verdict::Inconclusive | Verdict::Interrupted => Some(Status::Error(
                Detail::new(reasons).kind(report.verdict.as_str()),
            )),
        };
        if let Some(status) = status {
            tests.push(Test::new(
                "sdconform::verdict".to_owned(),
                "sdconform",
                status,
            ));
        }
    }
    tests
}

/// One test case per waiver: it fails exactly when the waiver fails the run.
fn waiver_tests(report: &RunReport, gate: Gate) -> Vec<Test> {
    let Some(waivers) = &report.waivers else {
        return Vec::new();
    };
    waivers
        .entries
        .iter()
        .map(|entry| {
            let scope = match &entry.case {
                Some(case) => format!("{} in {case}", entry.clause),
                None => entry.clause.clone(),
            };
            let about = format!(
                "waiver for {scope} ({}), until {}: {}",
                entry.source, entry.expires, entry.reason
            );
            let matched = if entry.findings == 0 {
                "it matches no finding".to_owned()
            } else {
                format!(
                    "it matches {} finding(s) in {}",
                    entry.findings,
                    entry.cases.join(", ")
                )
            };
            let name = format!("{WAIVERS}::{} [{}]", entry.source, entry.clause);
            let mut system_out = None;
            let status = match entry.status {
                WaiverStatus::Expired => Status::Failure(
                    Detail::new(format!(
                        "waiver for {scope} ({}) expired on {}",
                        entry.source, entry.expires
                    ))
                    .kind("expired waiver")
                    .body(format!(
                        "{about}\nexpired: it excuses nothing and fails the run; {matched}"
                    )),
                ),
                WaiverStatus::Stale if gate.strict_waivers => Status::Failure(
                    Detail::new(format!(
                        "waiver for {scope} ({}) matches no finding, and --strict-waivers",
                        entry.source
                    ))
                    .kind("stale waiver")
                    .body(format!("{about}\nstale: {matched}")),
                ),
                WaiverStatus::Stale => {
                    system_out = Some(format!(
                        "{about}\nstale: {matched} (fails the run only with --strict-waivers)"
                    ));
                    Status::Pass
                }
                WaiverStatus::Applied => {
                    system_out = Some(format!("{about}\napplied: {matched}"));
                    Status::Pass
                }
            };
            let mut test = Test::new(name, WAIVERS, status);
            test.system_out = system_out;
            test
        })
        .collect()
}

/// The test cases of one case: one per (check, clause), plus one for a harness
/// error and one per finding no record accounts for.
fn case_tests(case: &CaseResult, fail_on: FailOn) -> Vec<Test> {
    let checks = Checks::of(case);
    run_test(case)
        .into_iter()
        .chain(
            checks
                .keys
                .iter()
                .map(|key| checks.test(case, key, fail_on)),
        )
        .collect()
}

/// The `CASE::run` test case of a case that could not run, or was skipped before any check.
fn run_test(case: &CaseResult) -> Option<Test> {
    let status = match &case.outcome {
        Outcome::Error(error) => Status::Error(Detail::new(error).kind("harness error")),
        Outcome::Skipped if case.checks.is_empty() => {
            let why = case.notes.first().map_or("skipped", String::as_str);
            Status::Skipped(Detail::new(why))
        }
        _ => return None,
    };
    Some(Test::new(format!("{}::run", case.id), &case.id, status))
}

/// A (check, clause) pair: one test case.
type Key = (String, String);

/// A case's records, notes and findings by (check, clause).
#[derive(Default)]
struct Checks<'a> {
    /// In record order, then finding order.
    keys: Vec<Key>,
    records: BTreeMap<Key, Vec<CheckOutcome>>,
    notes: BTreeMap<Key, Vec<&'a str>>,
    findings: BTreeMap<Key, Vec<&'a Finding>>,
}

impl<'a> Checks<'a> {
    fn of(case: &'a CaseResult) -> Self {
        let mut checks = Checks::default();
        for record in &case.checks {
            let key = (record.check.clone(), record.clause.clone());
            if !checks.records.contains_key(&key) {
                checks.keys.push(key.clone());
            }
            checks
                .records
                .entry(key.clone())
                .or_default()
                .push(record.outcome);
            if let Some(note) = &record.note {
                checks.notes.entry(key).or_default().push(note);
            }
        }
        for finding in &case.findings {
            let key = checks.home(finding);
            if !checks.keys.contains(&key) {
                checks.keys.push(key.clone());
            }
            checks.findings.entry(key).or_default().push(finding);
        }
        checks
    }

    /// A finding belongs to its own (check, clause) record; failing that (the
    /// schema check reports enum violations as `status_enum`), to the failed
    /// record of its clause; failing that, to a test case of its own.
    fn home(&self, finding: &Finding) -> Key {
        let exact = (finding.check.clone(), finding.clause.clone());
        if self.records.contains_key(&exact) {
            return exact;
        }
        self.keys
            .iter()
            .find(|key| {
                key.1 == finding.clause
                    && self
                        .records
                        .get(*key)
                        .is_some_and(|outcomes| outcomes.contains(&CheckOutcome::Fail))
            })
            .cloned()
            .unwrap_or(exact)
    }

    /// The test case of `key`, with the findings that do not fail the run in its output.
    fn test(&self, case: &CaseResult, key: &Key, fail_on: FailOn) -> Test {
        let (check, clause) = key;
        let name = format!("{}::{check} [{clause}]", case.id);
        let found = self
            .findings
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let outcomes = self.records.get(key).map(Vec::as_slice).unwrap_or_default();
        let note = self.notes.get(key).and_then(|n| n.first().copied());
        let mut test = Test::new(name, &case.id, status(found, outcomes, note, fail_on));
        let warnings: Vec<&&Finding> = found
            .iter()
            .filter(|f| f.waived.is_none() && !fail_on.gates(f.severity))
            .collect();
        if !warnings.is_empty() && !test.fails() {
            let text: Vec<String> = warnings.iter().map(|f| evidence(f)).collect();
            test.system_out = Some(format!(
                "not failing the run (--fail-on {}):\n{}",
                fail_on.as_str(),
                text.join("\n")
            ));
        }
        test
    }
}

/// The status of one (check, clause) test case.
fn status(
    found: &[&Finding],
    outcomes: &[CheckOutcome],
    note: Option<&str>,
    fail_on: FailOn,
) -> Status {
    let failing: Vec<&&Finding> = found
        .iter()
        .filter(|f| f.waived.is_none() && fail_on.gates(f.severity))
        .collect();
    if let Some(first) = failing.first() {
        let body: Vec<String> = failing.iter().map(|f| evidence(f)).collect();
        return Status::Failure(
            Detail::new(format!("{}: {}", first.clause, first.message))
                .kind(first.severity.as_str())
                .body(body.join("\n")),
        );
    }
    let waived: Vec<&&Finding> = found.iter().filter(|f| f.waived.is_some()).collect();
    if let Some(first) = waived.first() {
        let (reason, expires) = first
            .waived
            .as_ref()
            .map_or(("", ""), |w| (w.reason.as_str(), w.expires.as_str()));
        let body: Vec<String> = waived.iter().map(|f| evidence(f)).collect();
        return Status::Skipped(
            Detail::new(format!("waived until {expires}: {reason}"))
                .kind("waived")
                .body(body.join("\n")),
        );
    }
    if found.is_empty() && outcomes.contains(&CheckOutcome::Fail) {
        // The check failed but its findings were not kept (over the per-case limit).
        return Status::Failure(Detail::new(
            note.unwrap_or("the check failed; its findings were not kept"),
        ));
    }
    let exercised = outcomes
        .iter()
        .any(|o| matches!(o, CheckOutcome::Pass | CheckOutcome::Fail));
    if exercised || outcomes.is_empty() {
        return Status::Pass;
    }
    let kind = if outcomes.contains(&CheckOutcome::NotExercised) {
        "not_exercised"
    } else {
        "not_applicable"
    };
    Status::Skipped(
        Detail::new(note.map_or_else(|| kind.to_owned(), |n| format!("{kind}: {n}"))).kind(kind),
    )
}

/// One finding as evidence: one line, and for a fuzz finding three more (the
/// seed and property, the minimal input, the repro line).
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
    if let Some(fuzz) = &finding.fuzz {
        let _ = write!(
            line,
            "\n  fuzz: seed {}, property {}, strategy {}, {}, {} shrink step(s)\
             \n  minimal input: server_id={:?} (sent as {})\
             \n  repro: {}",
            fuzz.seed,
            fuzz.property,
            fuzz.strategy,
            fuzz.origin,
            fuzz.shrink_steps,
            fuzz.minimal_input,
            fuzz.wire_query,
            fuzz.repro
        );
    }
    line
}

/// Writes one `<testcase>`.
fn write_test(w: &mut Writer<Vec<u8>>, test: &Test) -> std::io::Result<()> {
    let attributes = [
        ("name", test.name.clone()),
        ("classname", test.classname.clone()),
    ];
    let (tag, detail) = match &test.status {
        Status::Pass => {
            if test.system_out.is_none() {
                let attributes = escaped(&attributes);
                w.create_element("testcase")
                    .with_attributes(attributes.iter().map(as_attribute))
                    .write_empty()?;
                return Ok(());
            }
            ("", None)
        }
        Status::Failure(detail) => ("failure", Some(detail)),
        Status::Error(detail) => ("error", Some(detail)),
        Status::Skipped(detail) => ("skipped", Some(detail)),
    };
    element(w, "testcase", &attributes, |w| {
        if let Some(detail) = detail {
            let mut attributes = vec![("message", detail.message.clone())];
            if let Some(kind) = &detail.kind {
                attributes.push(("type", kind.clone()));
            }
            let attributes = escaped(&attributes);
            let start = w
                .create_element(tag)
                .with_attributes(attributes.iter().map(as_attribute));
            match &detail.body {
                Some(body) => {
                    start.write_text_content(BytesText::from_escaped(escape(body, false)))?;
                }
                None => {
                    start.write_empty()?;
                }
            }
        }
        if let Some(out) = &test.system_out {
            w.create_element("system-out")
                .write_text_content(BytesText::from_escaped(escape(out, false)))?;
        }
        Ok(())
    })
}

/// Writes `<name attributes…>` with `inner` as its content.
fn element(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    attributes: &[(&str, String)],
    inner: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let attributes = escaped(attributes);
    w.create_element(name)
        .with_attributes(attributes.iter().map(as_attribute))
        .write_inner_content(inner)?;
    Ok(())
}

/// The attributes with their values escaped.
fn escaped<V: AsRef<str>>(attributes: &[(&str, V)]) -> Vec<(String, String)> {
    attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), escape(v.as_ref(), true)))
        .collect()
}

/// An attribute whose value is already escaped.
fn as_attribute((key, value): &(String, String)) -> Attribute<'_> {
    Attribute::from((key.as_bytes(), value.as_bytes()))
}

/// Escapes `text` for XML 1.0 content or, with `attribute`, a double-quoted
/// attribute value (whose line feeds and tabs become references, as attribute
/// normalisation would turn them into spaces). Control characters other than
/// line feed and tab, and the non-characters U+FFFE and U+FFFF, which XML 1.0
/// cannot hold even as references, become visible escapes (`\u{1b}`).
fn escape(text: &str, attribute: bool) -> String {
    let text = inert_lines(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\u{fffe}' | '\u{ffff}' => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::report::fixture::hostile_report;
    use crate::report::model::{Verdict, WaiverStatus};

    fn xml(report: &crate::report::RunReport) -> String {
        render(report).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn failure_skip_and_error_are_kept_apart_and_text_is_escaped() {
        let xml = xml(&hostile_report());
        assert!(roxmltree::Document::parse(&xml).is_ok(), "{xml}");
        assert!(!xml.contains("<script"), "{xml}");
        assert!(
            xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{xml}"
        );
        // list-all's and the fuzz case's.
        assert_eq!(xml.matches("<failure ").count(), 2, "{xml}");
        assert_eq!(xml.matches("<error ").count(), 1, "{xml}");
        assert!(xml.contains("type=\"waived\""), "{xml}");
        assert!(xml.contains("name=\"unknown-path::run\""), "{xml}");
    }

    /// Issue 10 item 14: no control character but line feed reaches the file;
    /// they show as `\u{1b}`, and the XML stays well-formed.
    #[test]
    fn control_characters_are_visible_escapes() {
        let xml = xml(&hostile_report());
        let raw: Vec<char> = xml
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{raw:?}");
        for shown in ["\\u{1b}[31m", "\\u{9b}31m", "\\u{7}", "\\u{7f}"] {
            assert!(xml.contains(shown), "{shown} in {xml}");
        }
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        // An attribute keeps its line break as a reference.
        let failure = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("failure")
                    && n.parent().and_then(|p| p.attribute("classname")) == Some("list-all")
            })
            .unwrap_or_else(|| panic!("{xml}"));
        assert!(
            failure
                .attribute("message")
                .is_some_and(|m| m.contains('\n')),
            "{xml}"
        );
    }

    /// Issue 10 item 17: an expired waiver, a stale one under
    /// `--strict-waivers`, and a verdict no test explains, each fail a test case.
    #[test]
    fn whatever_fails_the_run_fails_a_test_case() {
        let failing = |xml: &str| xml.matches("<failure ").count() + xml.matches("<error ").count();
        let mut report = hostile_report();
        report.cases.clear();
        report.verdict = Verdict::Conformant;
        let entry = |status| {
            let mut report = report.clone();
            if let Some(waivers) = &mut report.waivers {
                waivers.entries[0].status = status;
            }
            report
        };
        assert_eq!(failing(&xml(&entry(WaiverStatus::Applied))), 0);
        assert_eq!(failing(&xml(&entry(WaiverStatus::Stale))), 0);
        let expired = xml(&entry(WaiverStatus::Expired));
        assert_eq!(failing(&expired), 1, "{expired}");
        assert!(expired.contains("type=\"expired waiver\""), "{expired}");
        assert!(expired.contains("expired on 2999-01-01"), "{expired}");
        let mut strict = entry(WaiverStatus::Stale);
        strict.gate.strict_waivers = true;
        let strict = xml(&strict);
        assert!(strict.contains("type=\"stale waiver\""), "{strict}");

        let mut unexplained = report.clone();
        unexplained.waivers = None;
        unexplained.verdict = Verdict::NonConformant;
        unexplained.verdict_reasons = vec!["some new reason".to_owned()];
        let xml_text = xml(&unexplained);
        assert_eq!(failing(&xml_text), 1, "{xml_text}");
        assert!(
            xml_text.contains("name=\"sdconform::verdict\""),
            "{xml_text}"
        );
        assert!(
            xml_text.contains("message=\"some new reason\""),
            "{xml_text}"
        );
    }

    /// Issue 10 item 17: a fuzz finding's body has its seed, minimal input and repro.
    #[test]
    fn a_fuzz_failure_carries_seed_minimal_input_and_repro() {
        let xml = xml(&hostile_report());
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}"));
        let body = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .filter_map(|n| n.text())
            .find(|t| t.contains("fuzz: "))
            .unwrap_or_else(|| panic!("no fuzz failure in {xml}"));
        assert!(
            body.contains("fuzz: seed 4242, property no-server-error"),
            "{body}"
        );
        assert!(body.contains("minimal input: server_id=\"'"), "{body}");
        assert!(
            body.contains("repro: curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://t/"),
            "{body}"
        );
    }
}
