//! Issue 12 items 1 and 2: every `run` and `fuzz` records its exchanges, and
//! `recheck` re-derives the run from them with no network: the same report for
//! the same inputs (every fault of the reference target), the report another
//! profile would have given live, waivers judged at the run's date, a case
//! whose request is not recorded `not_exercised`, a body left out by the
//! budget making its checks `not_exercised`.

use std::path::{Path, PathBuf};
use std::process::Output;

use sdconform::capture::ExchangeReader;
use sdconform::model::Source;
use sdconform::reference::Fault;
use serde_json::Value;

use crate::support::{PROJECT, Reference, against, assert_valid_report, sdconform};

/// A run (or fuzz) that keeps its directory: `dir/reports` holds what it wrote.
pub struct Recorded {
    pub dir: tempfile::TempDir,
    pub output: Output,
}

impl Recorded {
    /// `COMMAND` (`run`, `fuzz`) against `url` with `extra` flags, into `dir/reports`.
    pub fn new(command: &str, url: &str, extra: &[&str]) -> Recorded {
        let dir = tempfile::tempdir().expect("tempdir");
        let reports = dir.path().join("reports");
        let reports = reports.to_string_lossy().into_owned();
        let mut args = against(command, url);
        args.extend(["--report-dir", &reports]);
        args.extend_from_slice(extra);
        let output = sdconform(&args, dir.path());
        Recorded { dir, output }
    }

    pub fn reports(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn report(&self) -> Value {
        read_json(&self.reports().join("report.json"))
    }

    pub fn recording(&self) -> PathBuf {
        self.reports().join("exchanges.ndjson")
    }

    /// `sdconform recheck reports --report-dir OUT EXTRA...`: the exit code and the report.
    pub fn recheck(&self, out: &str, extra: &[&str]) -> (i32, Value, String) {
        let mut args = vec!["recheck", "reports", "--report-dir", out];
        args.extend_from_slice(extra);
        let output = sdconform(&args, self.dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let path = self.dir.path().join(out).join("report.json");
        let report = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        (output.status.code().unwrap_or(-1), report, stderr)
    }
}

/// The fault of that name.
pub fn fault(name: &str) -> Fault {
    Fault::from_name(name).unwrap_or_else(|| panic!("no fault {name}"))
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is not written: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A report without what only timing decides (how long a case or a response took).
fn timeless(report: &Value) -> Value {
    let mut report = report.clone();
    for case in report["cases"].as_array_mut().into_iter().flatten() {
        if let Some(case) = case.as_object_mut() {
            case.remove("duration_ms");
        }
        if let Some(response) = case["response"].as_object_mut() {
            response.remove("elapsed_ms");
        }
    }
    report
}

/// The first path at which two JSON values differ, for a readable failure.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{at}/{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: live {a}, recheck {b}")),
    }
}

/// Issue 12 item 2: for every fault of the reference target (and none), a run's
/// report re-derived from its recording alone (report.json deleted first) is the
/// live report, field for field but for timings.
#[test]
fn a_recheck_gives_the_live_report_for_every_fault() {
    let mut checked = 0;
    for fault in std::iter::once(None).chain(Fault::ALL.iter().copied().map(Some)) {
        let name = fault.map_or("none", Fault::name);
        let reference = Reference::start(fault);
        let run = Recorded::new(
            "run",
            &reference.url(),
            &["--fuzz-cases", "0", "--test-threads", "2"],
        );
        drop(reference);
        let live = run.report();
        std::fs::remove_file(run.reports().join("report.json")).expect("delete report.json");
        let (code, rechecked, stderr) = run.recheck("again", &[]);
        assert_eq!(code, run.code(), "{name}: {stderr}");
        assert_valid_report(&rechecked);
        let difference = first_difference(&timeless(&live), &timeless(&rechecked), "");
        assert_eq!(difference, None, "fault {name}");
        checked += 1;
    }
    assert_eq!(checked, Fault::ALL.len() + 1);
}

/// Issue 12 item 2: rechecked under another profile, a recording gives the verdict
/// and clauses that profile gives live.
#[test]
fn another_profile_gives_what_it_gives_live() {
    let reference = Reference::start(Some(fault("filter-case-insensitive")));
    let url = reference.url();
    let flags = |profile: &'static str| ["--profile", profile, "--fuzz-cases", "0"];
    let documented = Recorded::new("run", &url, &flags("documented"));
    let strict = Recorded::new("run", &url, &flags("strict"));
    let lenient = Recorded::new("run", &url, &flags("lenient"));
    let outcome = |report: &Value| {
        (
            report["verdict"].clone(),
            report["summary"]["failing_clauses"].clone(),
            report["summary"]["warning_clauses"].clone(),
            report["summary"]["observations"].clone(),
            crate::support::findings(report),
        )
    };
    assert_eq!(strict.report()["verdict"], "non-conformant");
    assert_eq!(documented.report()["verdict"], "conformant");
    for (profile, live) in [("strict", &strict), ("lenient", &lenient)] {
        let (code, rechecked, stderr) = documented.recheck(profile, &["--profile", profile]);
        assert_eq!(code, live.code(), "{profile}: {stderr}");
        assert_eq!(outcome(&rechecked), outcome(&live.report()), "{profile}");
        assert_eq!(rechecked["profile"]["name"], profile);
        assert!(
            stderr.contains(&format!(
                "the run used the profile documented, this recheck {profile}"
            )),
            "{stderr}"
        );
    }
    let (code, rechecked, _) = strict.recheck("documented", &["--profile", "documented"]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&rechecked), outcome(&documented.report()));
}

/// Issue 12 item 2: the fuzz case is re-judged from its recorded inputs: the same
/// outcome and the same failing clauses and severities as live, under the run's
/// profile and another (its minimal inputs may differ: a recheck does not shrink).
#[test]
fn the_fuzz_case_is_rejudged_from_its_recorded_inputs() {
    let reference = Reference::start(Some(fault("filter-case-insensitive")));
    let flags = |profile: &'static str| ["--profile", profile, "--seed", "7", "--fuzz-cases", "48"];
    let strict = Recorded::new("run", &reference.url(), &flags("strict"));
    let documented = Recorded::new("run", &reference.url(), &flags("documented"));
    let fuzz_case = |report: &Value| -> (Value, Vec<(String, String, String)>) {
        let case = report["cases"]
            .as_array()
            .and_then(|cases| cases.iter().find(|c| c["id"] == "fuzz-server-id"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut kinds: Vec<(String, String, String)> = case["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("clause"), s("severity"), s("check"))
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        (case["outcome"].clone(), kinds)
    };
    let live = strict.report();
    assert_eq!(live["verdict"], "non-conformant");
    let (outcome, kinds) = fuzz_case(&live);
    assert_eq!(outcome, "fail");
    assert_eq!(
        kinds,
        [(
            "SD-REQ-1".to_owned(),
            "MUST".to_owned(),
            "filter_exact".to_owned()
        )]
    );
    let (code, rechecked, stderr) = strict.recheck("again", &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(fuzz_case(&rechecked), fuzz_case(&live));
    assert_eq!(rechecked["verdict"], live["verdict"]);
    assert_eq!(
        rechecked["summary"]["failing_clauses"],
        live["summary"]["failing_clauses"]
    );
    let (code, rechecked, _) = strict.recheck("documented", &["--profile", "documented"]);
    assert_eq!(code, 0);
    assert_eq!(fuzz_case(&rechecked), fuzz_case(&documented.report()));
    // The clean reference: nothing found live, nothing found again.
    let clean = Reference::start(None);
    let run = Recorded::new("run", &clean.url(), &["--seed", "7", "--fuzz-cases", "48"]);
    let (code, rechecked, _) = run.recheck("again", &[]);
    assert_eq!((run.code(), code), (0, 0));
    assert_eq!(fuzz_case(&rechecked), fuzz_case(&run.report()));
}

/// Issue 12 item 1: what a recording holds, line by line: the run's header, one line
/// per case and per fuzz request (an input sent twice is two lines side by side, the
/// shrinking candidates apart), the end line; `sdconform fuzz` records too.
#[test]
fn a_recording_holds_the_run_its_exchanges_and_its_end() {
    let reference = Reference::start(Some(fault("server-error-on-special-characters")));
    let run = Recorded::new(
        "run",
        &reference.url(),
        &["--seed", "5", "--fuzz-cases", "64"],
    );
    let report = run.report();
    let mut reader = ExchangeReader::open(&run.recording()).expect("open");
    let header = reader.header().cloned().expect("a run header");
    assert_eq!(header.run.command, "run");
    assert_eq!(header.run.started_at, report["started_at"]);
    assert_eq!(header.run.target.url, report["target"]["url"]);
    assert_eq!(header.run.target.project_id, PROJECT);
    assert!(header.run.target.authenticated);
    assert_eq!(
        header.run.fuzz.as_ref().map(|f| (f.seed, f.cases)),
        Some((5, 64))
    );
    let lines: Vec<_> = reader.by_ref().map(|l| l.expect("a line")).collect();
    // Every line, the run's and the end line too, is valid against the schema.
    let valid = crate::exchanges::valid_lines(&run.recording());
    assert_eq!(valid.len(), lines.len() + 2);
    let end = reader.end().cloned().expect("an end line");
    assert_eq!(end.end.finished_at, report["finished_at"]);
    assert_eq!(end.end.exchanges, lines.len() as u64);
    assert_eq!(end.end.interrupted, None);
    let cases: Vec<&str> = lines
        .iter()
        .filter_map(|l| match &l.source {
            Source::Case(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    for case in report["cases"].as_array().into_iter().flatten() {
        let id = case["id"].as_str().unwrap_or_default();
        // A case skipped for want of fixtures sends nothing.
        if id != "fuzz-server-id" && case["outcome"] != "skipped" {
            assert_eq!(cases.iter().filter(|c| **c == id).count(), 1, "{id}");
        }
    }
    let fuzz: Vec<&Source> = lines
        .iter()
        .map(|l| &l.source)
        .filter(|s| matches!(s, Source::Fuzz(_) | Source::FuzzShrink(_)))
        .collect();
    assert_eq!(
        fuzz.first(),
        Some(&&Source::Fuzz(String::new())),
        "the unfiltered list first"
    );
    assert!(
        fuzz.iter().any(|s| matches!(s, Source::FuzzShrink(_))),
        "shrinking is recorded"
    );
    // Generated inputs are sent twice: two lines side by side.
    let generated: Vec<&&Source> = fuzz[1..]
        .iter()
        .filter(|s| matches!(s, Source::Fuzz(_)))
        .collect();
    assert!(generated.len() >= 2 * 64, "{}", generated.len());
    assert!(
        generated
            .chunks(2)
            .all(|pair| pair.len() == 2 && pair[0] == pair[1])
    );
    // The failure the fuzz phase found is in the recording, answered 500.
    assert!(lines.iter().any(
        |l| matches!(&l.source, Source::Fuzz(q) if q.contains("%27"))
            && l.response.as_ref().is_some_and(|r| r.status == 500)
    ));

    let fuzz = Recorded::new("fuzz", &reference.url(), &["--seed", "5", "--cases", "8"]);
    let mut reader = ExchangeReader::open(&fuzz.recording()).expect("open");
    assert_eq!(
        reader.header().map(|h| h.run.command.clone()),
        Some("fuzz".to_owned())
    );
    assert!(reader.by_ref().count() >= 17);
    let (code, rechecked, stderr) = fuzz.recheck("again", &[]);
    assert_eq!(code, fuzz.code(), "{stderr}");
    assert_eq!(rechecked["cases_source"], "none (sdconform fuzz)");
}

/// Issue 12 item 1: `--no-record` writes no recording, and the removal of an earlier
/// run's reports never removes one (it is evidence).
#[test]
fn no_record_writes_none_and_a_recording_is_never_removed() {
    let reference = Reference::start(None);
    let run = Recorded::new("run", &reference.url(), &["--fuzz-cases", "0"]);
    let before = std::fs::read(run.recording()).expect("a recording");
    let reports = run.reports().to_string_lossy().into_owned();
    let url = reference.url();
    let mut args = against("run", &url);
    args.extend([
        "--report-dir",
        &reports,
        "--fuzz-cases",
        "0",
        "--no-record",
        "--report",
        "json",
        "--profile",
        "strict",
    ]);
    let output = sdconform(&args, run.dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !run.reports().join("junit.xml").exists(),
        "stale reports are removed"
    );
    assert_eq!(std::fs::read(run.recording()).expect("still there"), before);
    let fresh = Recorded::new(
        "run",
        &reference.url(),
        &["--fuzz-cases", "0", "--no-record"],
    );
    assert!(!fresh.recording().exists());
    // Bundling that directory refuses the earlier run's recording.
    let bundled = sdconform(&["bundle", "reports", "-o", "b.tar.gz"], run.dir.path());
    assert_eq!(bundled.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bundled.stderr).contains("recorded by another run"),
        "{}",
        String::from_utf8_lossy(&bundled.stderr)
    );
}

/// Issue 12 items 1 and 2: past `--record-bytes`, bodies are left out with a note, and a
/// recheck makes every check that needs one `not_exercised`; the status is still judged.
#[test]
fn a_body_left_out_makes_its_checks_not_exercised() {
    let reference = Reference::start(Some(fault("accept-missing-token")));
    let run = Recorded::new(
        "run",
        &reference.url(),
        &["--fuzz-cases", "0", "--record-bytes", "0"],
    );
    assert_eq!(run.code(), 1);
    let text = std::fs::read_to_string(run.recording()).expect("recording");
    assert!(text.contains("over the recording budget"), "{text}");
    let (code, rechecked, _) = run.recheck("again", &[]);
    assert_eq!(code, 1, "the status finding stands without a body");
    let case = |id: &str| {
        rechecked["cases"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(case("auth-missing-token")["outcome"], "fail");
    let list = case("list-all");
    assert_eq!(list["outcome"], "not_exercised", "{list}");
    let schema = list["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["check"] == "schema")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(schema["outcome"], "not_exercised", "{list}");
    assert!(
        schema["note"]
            .as_str()
            .is_some_and(|n| n.contains("not recorded")),
        "{schema}"
    );
    // A case that captures from it is not exercised either, and says why.
    let filter = case("filter-existing-server");
    assert_eq!(filter["outcome"], "not_exercised");
    assert!(filter.to_string().contains("not recorded"), "{filter}");
}

/// Issue 12 item 2: a case whose request is not in the recording (new cases given to
/// recheck) is `not_exercised`, saying what it would have sent.
#[test]
fn a_case_whose_request_is_not_recorded_is_not_exercised() {
    let reference = Reference::start(None);
    let run = Recorded::new("run", &reference.url(), &["--fuzz-cases", "0"]);
    let cases = run.dir.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    for name in ["list.json", "auth.json"] {
        std::fs::copy(shipped.join(name), cases.join(name)).expect("copy");
    }
    std::fs::write(
        cases.join("extra.json"),
        r#"{"cases": [{"id": "filter-never-sent", "title": "A filter the run never sent",
            "clauses": ["SD-REQ-1"],
            "request": {"path": "/v1/{project_id}/software_deployments",
                        "query": [{"name": "server_id", "value": "never-sent"}], "auth": "default"},
            "expect": {"status": [200, 404], "clause": "SD-CODE-SET", "severity": "MUST", "schema": "software-deployments"}}]}"#,
    )
    .expect("write");
    let (code, rechecked, stderr) = run.recheck("again", &["--cases", "cases"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the run used the cases embedded, this recheck cases"),
        "{stderr}"
    );
    let case = rechecked["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "filter-never-sent"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(case["outcome"], "not_exercised", "{case}");
    let note = case["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.contains("server_id=never-sent") && note.contains("is not in the recording"),
        "{note}"
    );
    assert!(rechecked["cases"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["id"] == "list-all" && c["outcome"] == "pass")
    }));
}

/// Issue 12 item 2: waiver expiry is judged at the recorded run's date, not today's.
#[test]
fn waivers_are_judged_at_the_date_of_the_run() {
    let reference = Reference::start(Some(fault("status-outside-enum")));
    let run = Recorded::new("run", &reference.url(), &["--fuzz-cases", "0"]);
    assert_eq!(run.code(), 1);
    std::fs::write(
        run.dir.path().join("waivers.json"),
        r#"{"waivers": [{"clause": "SD-RESP-9", "reason": "ticket 12", "expires": "2020-06-30"}]}"#,
    )
    .expect("write");
    // Judged at the run's date (today), the waiver has expired: the run fails.
    let (code, rechecked, _) = run.recheck("today", &["--waivers", "waivers.json"]);
    assert_eq!(code, 1);
    assert_eq!(rechecked["waivers"]["entries"][0]["status"], "expired");
    // The same recording, as if the run had started on 2020-03-01 (the header is
    // what recheck reads): the waiver was in force then.
    let text = std::fs::read_to_string(run.recording()).expect("recording");
    let started = run.report()["started_at"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let moved = text.replacen(&started, "2020-03-01T10:00:00Z", 1);
    std::fs::write(run.recording(), moved).expect("write");
    let (code, rechecked, stderr) = run.recheck("then", &["--waivers", "waivers.json"]);
    assert_eq!(code, 0, "{stderr}\n{rechecked}");
    assert_eq!(rechecked["waivers"]["entries"][0]["status"], "applied");
    assert_eq!(rechecked["started_at"], "2020-03-01T10:00:00Z");
}

/// Issue 12 item 2: what cannot be rechecked is a usage error (exit 2) that says why.
#[test]
fn what_cannot_be_rechecked_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["recheck", "nowhere"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let reference = Reference::start(None);
    let run = Recorded::new("run", &reference.url(), &["--fuzz-cases", "0"]);
    let text = std::fs::read_to_string(run.recording()).expect("recording");
    let mut lines: Vec<&str> = text.lines().collect();
    let cut: Vec<&str> = lines[..lines.len() - 1].to_vec();
    std::fs::write(run.recording(), cut.join("\n")).expect("write");
    let (code, _, stderr) = run.recheck("again", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has no end line"), "{stderr}");
    lines[2] = r#"{"schema_version":"1.0","seq":7}"#;
    std::fs::write(run.recording(), lines.join("\n")).expect("write");
    let (code, _, stderr) = run.recheck("again", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("exchanges.ndjson:3:"), "{stderr}");
    let (code, _, stderr) = run.recheck("reports", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the run's own directory"), "{stderr}");
}

/// Issue 12 item 1: `--redact-field` blanks what it names in the recording, and the
/// recording still rechecks to the live verdict.
#[test]
fn redact_field_blanks_the_recording_and_it_still_rechecks() {
    let reference = Reference::start(None);
    let run = Recorded::new(
        "run",
        &reference.url(),
        &[
            "--fuzz-cases",
            "0",
            "--redact-field",
            "/software_deployments/*/input_values",
        ],
    );
    assert_eq!(run.code(), 0);
    let lines = crate::exchanges::valid_lines(&run.recording());
    let list = lines
        .iter()
        .find(|l| l["source"]["case"] == "list-all")
        .expect("list-all recorded");
    assert_eq!(
        list["response"]["body"]["redacted_fields"][0],
        "/software_deployments/0/input_values"
    );
    let body: Value =
        serde_json::from_str(list["response"]["body"]["text"].as_str().unwrap_or("{}"))
            .expect("JSON");
    for item in body["software_deployments"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert!(
            item["input_values"] == serde_json::json!({}) || item["input_values"].is_null(),
            "{item}"
        );
    }
    let header = &lines[0]["run"]["record"]["redact_fields"];
    assert_eq!(header[0], "/software_deployments/*/input_values");
    let (code, rechecked, _) = run.recheck("again", &[]);
    assert_eq!(code, 0);
    assert_eq!(rechecked["verdict"], run.report()["verdict"]);
}

/// Issue 12 items 1 and 2: a request that got no answer is recorded (its error in
/// `not_exercisable`), and rechecks to the same `error` outcome and exit code.
#[test]
fn a_request_without_an_answer_is_recorded_and_rechecks_as_an_error() {
    // The preflight (one request before the suite) is answered, so that the run goes
    // on; every later connection is closed without an answer.
    let answered = std::sync::atomic::AtomicBool::new(false);
    let target = crate::adversary::Adversary::start(crate::adversary::Behaviour::Respond(
        std::sync::Arc::new(move |_| {
            if answered.swap(true, std::sync::atomic::Ordering::SeqCst) {
                Vec::new()
            } else {
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 27\r\nconnection: close\r\n\r\n{\"software_deployments\":[]}".to_vec()
            }
        }),
    ));
    let run = Recorded::new(
        "run",
        &target.url(),
        &["--fuzz-cases", "0", "--exact", "list-all"],
    );
    assert_eq!(
        run.code(),
        3,
        "{}",
        String::from_utf8_lossy(&run.output.stdout)
    );
    let lines = crate::exchanges::valid_lines(&run.recording());
    let line = lines
        .iter()
        .find(|l| l["source"]["case"] == "list-all")
        .expect("list-all recorded");
    assert!(line.get("response").is_none(), "{line}");
    assert!(
        line["not_exercisable"]
            .as_str()
            .is_some_and(|w| w.starts_with("failed to reach the target")),
        "{line}"
    );
    let (code, rechecked, _) = run.recheck("again", &[]);
    assert_eq!(code, 3);
    assert_eq!(
        first_difference(&timeless(&run.report()), &timeless(&rechecked), ""),
        None
    );
}
