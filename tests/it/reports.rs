//! Issue 4, "Reports and CI gating": junit.xml, summary.md and report.html from
//! the one report; `--report`; `compare`; waivers; `--fail-on`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use sdconform::reference::{self, Fault, HOSTILE_STATUS, ReferenceConfig};
use serde_json::Value;

use crate::adversary::{Adversary, Behaviour, json_200};
use crate::support::{
    PROJECT, Reference, Run, TOKEN, against, assert_valid_report, finish, sdconform,
};

/// `sdconform run` against `url` in `dir` (reports in `dir/reports`), with `extra` flags.
fn run_in(dir: &Path, url: &str, extra: &[&str]) -> Run {
    let mut args = against("run", url);
    // The example-based suite only: fuzzing's report content is tested in fuzz.rs.
    args.extend(["--test-threads", "2", "--fuzz-cases", "0"]);
    args.extend_from_slice(extra);
    finish(sdconform(&args, dir), &dir.join("reports"))
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("reports").join(name))
        .unwrap_or_else(|e| panic!("reports/{name}: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    path
}

// ---------------------------------------------------------------- JUnit

#[test]
fn junit_has_one_testcase_per_case_check_and_clause_with_failures_errors_and_skips() {
    let reference = Reference::start(Some(Fault::StatusOutsideEnum));
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_in(dir.path(), &reference.url(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.report.expect("report.json");
    let xml = read(dir.path(), "junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("junit.xml is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    let tests: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let count = |tag: &str| {
        tests
            .iter()
            .filter(|t| t.children().any(|c| c.has_tag_name(tag)))
            .count()
    };
    // The counters agree with the elements.
    assert_eq!(
        suite.attribute("tests"),
        Some(tests.len().to_string().as_str())
    );
    assert_eq!(
        suite.attribute("failures"),
        Some(count("failure").to_string().as_str())
    );
    assert_eq!(suite.attribute("errors"), Some("0"));
    assert_eq!(
        suite.attribute("skipped"),
        Some(count("skipped").to_string().as_str())
    );

    // One test case per case × (check, clause) record.
    let records: usize = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let mut keys: Vec<(String, String)> = c["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| (r["check"].to_string(), r["clause"].to_string()))
                .collect();
            keys.sort();
            keys.dedup();
            // A case skipped before any check is one test case (issue 11: the fixture
            // and isolation cases, without --fixtures create).
            keys.len().max(usize::from(c["outcome"] == "skipped"))
        })
        .sum();
    assert_eq!(tests.len(), records);

    // Sorted by case id, named case::check [clause], classname the case id.
    let classnames: Vec<&str> = tests
        .iter()
        .filter_map(|t| t.attribute("classname"))
        .collect();
    let mut sorted = classnames.clone();
    sorted.sort_unstable();
    assert_eq!(classnames, sorted);
    let name_re = Regex::new(r"^([a-z0-9-]+)::[a-z_]+ \[SD-[A-Z]+-[0-9A-Z]+\]$").expect("regex");
    let skipped_re = Regex::new(r"^([a-z0-9-]+)::run$").expect("regex");
    for test in &tests {
        let name = test.attribute("name").unwrap_or_default();
        // A case skipped before any check (issue 11: it needs --fixtures create).
        if test.children().any(|c| c.has_tag_name("skipped"))
            && let Some(captures) = skipped_re.captures(name)
        {
            assert_eq!(Some(&captures[1]), test.attribute("classname"));
            continue;
        }
        let captures = name_re
            .captures(name)
            .unwrap_or_else(|| panic!("name {name}"));
        assert_eq!(Some(&captures[1]), test.attribute("classname"));
    }

    // The failures: exactly SD-RESP-9, in the two cases that list deployments, with evidence.
    let failures: Vec<_> = tests
        .iter()
        .filter(|t| t.children().any(|c| c.has_tag_name("failure")))
        .collect();
    let failing_cases: Vec<&str> = failures
        .iter()
        .filter_map(|t| t.attribute("classname"))
        .collect();
    assert_eq!(failing_cases, ["filter-existing-server", "list-all"]);
    for test in &failures {
        // The clause is in the name, the severity is the failure's type (junit-10.xsd
        // has no properties on a test case).
        assert!(
            test.attribute("name")
                .is_some_and(|n| n.ends_with(" [SD-RESP-9]"))
        );
        assert!(!test.children().any(|c| c.has_tag_name("properties")));
        let failure = test
            .children()
            .find(|c| c.has_tag_name("failure"))
            .expect("failure");
        assert_eq!(failure.attribute("type"), Some("MUST"));
        assert!(
            failure
                .attribute("message")
                .unwrap_or_default()
                .contains("SD-RESP-9")
        );
        let body = failure.text().unwrap_or_default();
        assert!(body.contains("/software_deployments/0/status"), "{body}");
        assert!(body.contains("\"DONE\""), "{body}");
    }
    // Checks with no data are skipped with the reason: the unknown server's empty list.
    let skipped = tests
        .iter()
        .find(|t| t.attribute("name") == Some("filter-unknown-server::schema [SD-RESP-9]"))
        .expect("filter-unknown-server schema test");
    let skip = skipped
        .children()
        .find(|c| c.has_tag_name("skipped"))
        .expect("skipped");
    assert!(
        skip.attribute("message")
            .unwrap_or_default()
            .starts_with("not_exercised")
    );
    // Suite properties carry the run's configuration and verdict.
    let suite_property = |name: &str| {
        suite
            .children()
            .find(|c| c.has_tag_name("properties"))
            .and_then(|ps| {
                ps.children()
                    .find(|p| p.attribute("name") == Some(name))
                    .and_then(|p| p.attribute("value"))
            })
    };
    assert_eq!(suite_property("verdict"), Some("non-conformant"));
    assert_eq!(suite_property("profile"), Some("documented"));
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
}

#[test]
fn junit_reports_a_harness_error_as_error_not_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("http://127.0.0.1:{port}");
    let run = run_in(
        dir.path(),
        &url,
        &["--connect-timeout", "2", "--timeout", "5"],
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    let xml = read(dir.path(), "junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let errors: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .collect();
    // One run-wide error, the preflight's (issue 10 item 10), not one per case.
    assert_eq!(errors.len(), 1, "one <error>: {xml}");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
    let case = errors[0].parent().expect("testcase");
    assert_eq!(case.attribute("name"), Some("preflight::run"));
    assert!(
        !errors[0]
            .attribute("message")
            .unwrap_or_default()
            .is_empty()
    );
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
}

// ---------------------------------------------------------------- JUnit schema

/// Whether this is a CI run (`CI` set and not empty), where every test must run.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Says that `tool` is missing: a failure in CI, a loud skip elsewhere.
/// Returns normally only outside CI.
pub fn missing_tool(tool: &str, install: &str) {
    let message = format!("{tool} is absent; install it ({install}) to run this test");
    assert!(
        !in_ci(),
        "{message} (CI is set: a test that cannot run fails)"
    );
    eprintln!("SKIPPED: {message}");
    println!("SKIPPED: {message}");
}

/// Jenkins xUnit's JUnit schema (`tests/data/junit-10.xsd`, see `tests/data/README.md`).
fn junit_xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/junit-10.xsd")
}

/// Validates `path` against `xsd` with xmllint (libxml2): `None` when xmllint
/// is absent, else whether it is valid and xmllint's messages.
fn xmllint(path: &Path, xsd: &Path) -> Option<(bool, String)> {
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(path)
        .output();
    match output {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("xmllint: {e}"),
        Ok(output) => Some((
            output.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )),
    }
}

/// Issue 10 item 17: `path` is valid against Jenkins xUnit's `junit-10.xsd`,
/// checked by a real XML Schema validator.
pub fn assert_junit_is_valid(path: &Path) {
    match xmllint(path, &junit_xsd()) {
        None => missing_tool("xmllint", "apt-get install libxml2-utils"),
        Some((valid, messages)) => assert!(
            valid,
            "{} is not valid against junit-10.xsd:\n{messages}",
            path.display()
        ),
    }
}

/// The validator and the schema reject what strict consumers reject (what
/// quick-junit 0.8 wrote before issue 10), and accept the minimal valid file.
#[test]
fn the_junit_schema_check_rejects_properties_in_a_testcase_and_skipped_on_testsuites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let valid = write(
        dir.path(),
        "valid.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="s" tests="1" failures="0" errors="0" time="0.5">
  <testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="0.5">
    <testcase name="a" classname="c"/>
  </testsuite>
</testsuites>
"#,
    );
    let Some((true, _)) = xmllint(&valid, &junit_xsd()) else {
        return missing_tool("xmllint", "apt-get install libxml2-utils");
    };
    let bad = [
        (
            "skipped.xml",
            r#"<testsuites tests="1" skipped="0" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a"/></testsuite></testsuites>"#,
            "'skipped'",
        ),
        (
            "properties.xml",
            r#"<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a"><properties><property name="k" value="v"/></properties></testcase></testsuite></testsuites>"#,
            "properties",
        ),
    ];
    for (name, text, complaint) in bad {
        let path = write(dir.path(), name, text);
        let (valid, messages) = xmllint(&path, &junit_xsd()).expect("xmllint");
        assert!(!valid, "{name} accepted");
        assert!(messages.contains(complaint), "{name}: {messages}");
    }
}

/// Issue 10 item 17: a fuzz failure's JUnit body and `summary.md` carry the
/// seed, the minimal input and the repro line that `report.json` records.
#[test]
fn a_fuzz_failure_in_junit_and_summary_carries_seed_minimal_input_and_repro() {
    let reference = Reference::start(Some(Fault::ServerErrorOnSpecialCharacters));
    let dir = tempfile::tempdir().expect("tempdir");
    let url = reference.url();
    let mut args = against("run", &url);
    args.extend([
        "--seed",
        "7",
        "--regressions",
        "regressions.json",
        "--test-threads",
        "2",
    ]);
    let run = finish(sdconform(&args, dir.path()), &dir.path().join("reports"));
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("report");
    let fuzz = case(&report, "fuzz-server-id")["findings"][0]["fuzz"].clone();
    let repro = fuzz["repro"].as_str().expect("a fuzz finding with a repro");
    let minimal = fuzz["minimal_input"].as_str().expect("minimal input");
    assert_eq!(fuzz["seed"], 7);

    let xml = read(dir.path(), "junit.xml");
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let body = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .find(|t| t.contains("fuzz: "))
        .unwrap_or_else(|| panic!("no fuzz failure: {xml}"));
    assert!(
        body.contains("fuzz: seed 7, property no-server-error"),
        "{body}"
    );
    assert!(
        body.contains(&format!("minimal input: server_id={minimal:?}")),
        "{body}"
    );
    assert!(body.contains(&format!("repro: {repro}")), "{body}");

    let md = read(dir.path(), "summary.md");
    assert!(md.contains("### Fuzz failures"), "{md}");
    assert!(md.contains("seed 7 (`--seed 7`"), "{md}");
    assert!(md.contains("minimal input server\\_id=&quot;"), "{md}");
    assert!(md.contains(&format!("  ```sh\n  {repro}\n  ```\n")), "{md}");
}

/// Issue 10 item 14: a target's ESC, C1 CSI, BEL and DEL, in strings, member
/// names and a header, reach no report file raw; each shows them escaped, the
/// JUnit file stays valid, and `compare` still reads `report.json`.
#[test]
fn control_characters_from_a_target_reach_no_report_file_raw() {
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{7f}\u{1b}[31m";
    let body = serde_json::json!({
        "software_deployments": [{
            "status": evil, "server_id": evil, "config_id": evil, "action": evil,
            "status_reason": evil, "id": evil, "creation_time": evil, "updated_time": 7,
            "input_values": evil, "output_values": { evil: evil },
        }],
        evil: [evil],
    })
    .to_string();
    let adversary = Adversary::start(Behaviour::Respond(Arc::new(move |head| {
        if head.target.contains("unknown") {
            // Not JSON, with raw escapes.
            return json_200(format!("{evil}{evil}").as_bytes());
        }
        // A Content-Type with a C1 CSI (U+009B as UTF-8 is obs-text, legal in a header).
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\xc2\x9b31m\r\n".to_vec();
        // It closes the connection after the answer, and says so: a connection it closed
        // must not be picked from the client's pool (the preflight's would be).
        out.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        out
    })));
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_in(
        dir.path(),
        &adversary.url(),
        &[
            "--timeout",
            "30",
            "--run-timeout",
            "120",
            "--profile",
            "strict",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let mut names = Vec::new();
    for name in ["report.json", "junit.xml", "summary.md", "report.html"] {
        let text = read(dir.path(), name);
        let mut raw: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            .collect();
        raw.truncate(8);
        assert!(raw.is_empty(), "{name} holds raw {raw:?}");
        let shown = if name == "report.json" {
            ["\\u001b", "\\u009b", "\\u0007", "\\u007f"]
        } else {
            ["\\u{1b}", "\\u{9b}", "\\u{7}", "\\u{7f}"]
        };
        for escape in shown {
            assert!(text.contains(escape), "{escape} in {name}");
        }
        names.push(name);
    }
    assert_eq!(names.len(), 4);
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
    // The evidence is kept: read back, the strings hold the target's characters.
    let report = run.report.expect("report");
    assert_valid_report(&report);
    fn holds(value: &Value, text: &str) -> bool {
        match value {
            Value::String(s) => s.contains(text),
            Value::Array(items) => items.iter().any(|v| holds(v, text)),
            Value::Object(map) => map.values().any(|v| holds(v, text)),
            _ => false,
        }
    }
    // (serde_json escapes C0 in the JSON body, not DEL or C1; the non-JSON body is raw.)
    assert!(
        holds(&report, "\u{9b}31m\u{7f}"),
        "the target's text, as sent"
    );
    assert!(holds(&report, evil), "the target's text, as sent");
    let output = sdconform(&["compare", "reports/report.json"], dir.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------- --report

#[test]
fn report_selects_formats_json_is_always_written_and_unknown_names_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["run", "--report", "junit"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("reports"))
        .expect("reports")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    // Besides the run's lock file (issue 10 item 4) and its recording (issue 12 item 1),
    // just the formats asked for.
    assert_eq!(
        names,
        [
            ".sdconform.lock",
            "exchanges.ndjson",
            "junit.xml",
            "report.json"
        ]
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["run"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in ["report.json", "junit.xml", "summary.md", "report.html"] {
        assert!(dir.path().join("reports").join(name).is_file(), "{name}");
        assert!(
            stdout.contains(&format!("report: reports/{name}")),
            "{stdout}"
        );
    }

    let output = sdconform(&["run", "--report", "json,pdf"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pdf"));
}

// ---------------------------------------------------------------- golden files

/// Replaces what changes from run to run: ports, times, durations, the tool version.
fn normalize(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "TIME"),
        (r"\d+ ms\b", "N ms"),
    ];
    let mut out = text.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    // The `other-project` case's project id is random, another per run.
    out = Regex::new(r"/v1/[0-9a-f]{32}/")
        .expect("regex")
        .replace_all(&out, |found: &regex::Captures<'_>| {
            if found[0].contains(PROJECT) {
                found[0].to_owned()
            } else {
                "/v1/OTHER_PROJECT_ID/".to_owned()
            }
        })
        .into_owned();
    for (pattern, with) in rules {
        out = Regex::new(pattern)
            .expect("regex")
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

/// Compares `actual` with `tests/golden/NAME`, or rewrites it when `SDCONFORM_BLESS=1`.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("SDCONFORM_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `SDCONFORM_BLESS=1 cargo test` to create it)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{} differs from this run at line {}:\n  golden: {:?}\n  actual: {:?}\n(if the change is intended: SDCONFORM_BLESS=1 cargo test)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

const GOLDEN_WAIVERS: &str = r#"{
  "waivers": [
    { "clause": "SD-RESP-9", "case": "filter-existing-server", "reason": "vendor ticket <b>4711</b> | pending", "expires": "2999-12-31" },
    { "clause": "SD-RESP-4", "reason": "creation_time offsets, ticket 12", "expires": "2999-12-31" }
  ]
}
"#;

/// A run with a MUST failure carrying hostile text, an applied waiver, a stale
/// waiver and the contract's two uncovered clauses.
fn golden_run() -> (tempfile::TempDir, Run) {
    let reference = Reference::start(Some(Fault::StatusHostileMarkup));
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "waivers.json", GOLDEN_WAIVERS);
    let run = run_in(dir.path(), &reference.url(), &["--waivers", "waivers.json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    (dir, run)
}

#[test]
fn golden_markdown_summary() {
    let (dir, run) = golden_run();
    assert_valid_report(run.report.as_ref().expect("report"));
    let md = read(dir.path(), "summary.md");
    // Target text never lands raw: no tag, no extra table cell.
    assert!(!md.contains("<script") && !md.contains("</textarea") && !md.contains("<b>"));
    assert!(md.contains("&lt;script&gt;document.title="), "{md}");
    assert!(md.contains("&#124; x &#124;"), "{md}");
    // Every row has exactly its table's columns (4 coverage, 6 waivers, 7 failing clauses).
    for line in md.lines().filter(|l| l.starts_with("| SD-")) {
        let pipes = line.matches('|').count();
        assert!([5, 7, 8].contains(&pipes), "{pipes} pipes in {line}");
    }
    assert!(md.contains("| SD-CODE-400 | ⬜ gap: not covered |"), "{md}");
    assert!(md.contains("| SD-RESP-9 | ❌ fail (MUST) |"), "{md}");
    golden("summary.md", &normalize(&md));
}

#[test]
fn golden_html_report() {
    let (dir, _) = golden_run();
    let html = read(dir.path(), "report.html");
    assert_html_is_self_contained_and_escaped(&html);
    golden("report.html", &normalize(&html));
}

/// One script (ours), no external reference, and the hostile status escaped everywhere.
pub fn assert_html_is_self_contained_and_escaped(html: &str) {
    assert_eq!(html.matches("<script").count(), 1, "only our own script");
    assert!(!html.contains("</textarea"), "raw </textarea>");
    assert!(!html.contains("<img"), "raw <img>");
    assert!(
        !html.contains("onerror=\""),
        "a live event handler attribute"
    );
    for external in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    assert!(HOSTILE_STATUS.contains("<script>"));
    assert!(
        html.contains(
            "&lt;script&gt;document.title='pwned';alert(1)&lt;/script&gt;&lt;/textarea&gt;"
        ),
        "the hostile status is shown, escaped"
    );
}

// ---------------------------------------------------------------- waivers and gating

#[test]
fn a_waived_failure_passes_the_run_and_shows_as_waived_in_every_format() {
    let reference = Reference::start(Some(Fault::StatusOutsideEnum));
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "w.json",
        r#"{"waivers": [{"clause": "SD-RESP-9", "reason": "ticket 9", "expires": "2999-01-01"}]}"#,
    );
    let run = run_in(dir.path(), &reference.url(), &["--waivers", "w.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.report.expect("report");
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "conformant");
    assert_eq!(
        report["summary"]["waived_clauses"],
        serde_json::json!(["SD-RESP-9"])
    );
    let list_all = case(&report, "list-all");
    assert_eq!(list_all["outcome"], "waived");
    assert_eq!(
        list_all["findings"][0]["waived"],
        serde_json::json!({"reason": "ticket 9", "expires": "2999-01-01"})
    );
    assert_eq!(clause(&report, "SD-RESP-9")["outcome"], "waived");
    assert_eq!(report["waivers"]["entries"][0]["status"], "applied");
    assert_eq!(report["waivers"]["entries"][0]["findings"], 2);
    assert!(run.stdout.contains("waived clauses:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("waived until 2999-01-01: ticket 9"),
        "{}",
        run.stdout
    );
    assert!(read(dir.path(), "summary.md").contains("| SD-RESP-9 | 🟡 waived |"));
    assert!(read(dir.path(), "report.html").contains("badge o-waived"));
    let xml = read(dir.path(), "junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("skipped") && n.attribute("type") == Some("waived")),
        "{xml}"
    );
}

#[test]
fn an_expired_waiver_fails_the_run_and_says_so_in_every_format() {
    let reference = Reference::start(None);
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "w.json",
        r#"{"waivers": [{"clause": "SD-RESP-11", "reason": "old ticket", "expires": "2001-02-03"}]}"#,
    );
    let run = run_in(dir.path(), &reference.url(), &["--waivers", "w.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.report.expect("report");
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "non-conformant");
    assert_eq!(report["waivers"]["entries"][0]["status"], "expired");
    let says = "expired on 2001-02-03";
    assert!(
        report["verdict_reasons"][0]
            .as_str()
            .unwrap_or_default()
            .contains(says)
    );
    assert!(run.stdout.contains(says), "{}", run.stdout);
    for name in ["summary.md", "report.html", "junit.xml"] {
        assert!(read(dir.path(), name).contains(says), "{name}");
    }
    // Issue 10 item 17: the CI test tab agrees with the exit code.
    let xml = read(dir.path(), "junit.xml");
    assert_eq!(
        junit_failures(&xml),
        ["waivers::w.json:1:14 [SD-RESP-11]"],
        "{xml}"
    );
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
}

/// The names of the test cases of `xml` that hold a `<failure>` or an `<error>`.
fn junit_failures(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("junit.xml is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|t| {
            t.children()
                .any(|c| c.has_tag_name("failure") || c.has_tag_name("error"))
        })
        .filter_map(|t| t.attribute("name").map(str::to_owned))
        .collect()
}

#[test]
fn a_stale_waiver_is_listed_and_fails_the_run_only_with_strict_waivers() {
    let reference = Reference::start(None);
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "w.json",
        "{\"waivers\": [\n  {\"clause\": \"SD-RESP-4\", \"case\": \"list-all\", \"reason\": \"r\", \"expires\": \"2999-01-01\"}\n]}",
    );
    let lax = run_in(dir.path(), &reference.url(), &["--waivers", "w.json"]);
    assert_eq!(lax.code, 0, "{}", lax.stdout);
    let xml = read(dir.path(), "junit.xml");
    assert!(junit_failures(&xml).is_empty(), "{xml}");
    assert!(
        xml.contains("fails the run only with --strict-waivers"),
        "{xml}"
    );
    let report = lax.report.expect("report");
    assert_eq!(report["waivers"]["entries"][0]["status"], "stale");
    assert_eq!(report["waivers"]["entries"][0]["source"], "w.json:2:3");
    assert!(
        lax.stdout
            .contains("stale waiver w.json:2:3 SD-RESP-4 in list-all"),
        "{}",
        lax.stdout
    );

    let strict = run_in(
        dir.path(),
        &reference.url(),
        &["--waivers", "w.json", "--strict-waivers"],
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    // Issue 10 item 17: the CI test tab agrees with the exit code.
    let xml = read(dir.path(), "junit.xml");
    assert_eq!(
        junit_failures(&xml),
        ["waivers::w.json:2:3 [SD-RESP-4]"],
        "{xml}"
    );
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));
    let report = strict.report.expect("report");
    assert_eq!(report["gate"]["strict_waivers"], true);
    assert!(
        report["verdict_reasons"][0]
            .as_str()
            .unwrap_or_default()
            .contains("--strict-waivers")
    );
}

#[test]
fn fail_on_should_makes_a_should_finding_fail_the_run() {
    let reference = Reference::start(Some(Fault::UpdatedBeforeCreatedWithinSkew));
    let dir = tempfile::tempdir().expect("tempdir");
    let must = run_in(dir.path(), &reference.url(), &[]);
    assert_eq!(
        must.code, 0,
        "SHOULD findings do not fail by default: {}",
        must.stdout
    );
    assert!(read(dir.path(), "junit.xml").contains("not failing the run (--fail-on must)"));

    let should = run_in(dir.path(), &reference.url(), &["--fail-on", "should"]);
    assert_eq!(should.code, 1, "{}", should.stdout);
    let report = should.report.expect("report");
    assert_valid_report(&report);
    assert_eq!(report["gate"]["fail_on"], "should");
    assert_eq!(report["verdict"], "non-conformant");
    assert!(
        should.stdout.contains("--fail-on should"),
        "{}",
        should.stdout
    );
    let xml = read(dir.path(), "junit.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a <failure> for the SHOULD finding");
    assert_eq!(failure.attribute("type"), Some("SHOULD"));
    assert!(!junit_failures(&xml).is_empty());
    assert_junit_is_valid(&dir.path().join("reports/junit.xml"));

    let output = sdconform(&["run", "--fail-on", "may"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_invalid_waivers_file_is_a_usage_error_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "w.json",
        "{\"waivers\": [\n  {\"clause\": \"SD-RESP-4\", \"reason\": \"r\", \"expires\": \"2025-02-30\"}\n]}",
    );
    let output = sdconform(&["run", "--waivers", "w.json"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("failed to load the waivers: w.json:2:53: /waivers/0/expires: \"2025-02-30\" is not a calendar date"),
        "{stderr}"
    );
    write(
        dir.path(),
        "w.json",
        "{\"waivers\": [{\"clause\": \"SD-RESP-4\", \"case\": \"no-such-case\", \"reason\": \"r\", \"expires\": \"2025-01-30\"}]}",
    );
    let output = sdconform(&["run", "--waivers", "w.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown case `no-such-case`"));
    let output = sdconform(&["run", "--waivers", "missing.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.json"));
    assert!(
        !dir.path().join("reports").exists(),
        "no report for a load error"
    );
}

// ---------------------------------------------------------------- compare

fn case<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("case {id}"))
}

fn clause<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["clauses"]
        .as_array()
        .and_then(|clauses| clauses.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("clause {id}"))
}

/// Runs the suite against a reference target on `port` with `fault`, into `dir/name/`.
/// A free port below Linux's ephemeral range (32768 and up), which `run_on_port`
/// binds three times in a row: a port the OS hands out for `:0` could be taken by a
/// test running in parallel between two of those binds.
fn port_outside_the_ephemeral_range() -> u16 {
    let start = 20_000 + u16::try_from(std::process::id() % 5_000).unwrap_or(0);
    (start..32_000)
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port below 32000")
}

fn run_on_port(port: u16, fault: Option<Fault>, dir: &Path, name: &str) -> PathBuf {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let running = runtime
        .block_on(reference::start(
            ReferenceConfig {
                project_id: PROJECT.to_owned(),
                token: TOKEN.to_owned(),
                fault,
                fixture_size: None,
            },
            SocketAddr::from(([127, 0, 0, 1], port)),
        ))
        .expect("reference target starts");
    let url = running.url().to_owned();
    let report_dir = dir.join(name);
    let report_dir_str = report_dir.to_string_lossy().into_owned();
    let mut args = against("run", &url);
    args.extend(["--report", "json", "--report-dir", &report_dir_str]);
    let output = sdconform(&args, dir);
    runtime.block_on(running.shutdown());
    // A verdict (conformant, not, or inconclusive for an empty list), never a
    // harness error or a usage error.
    assert!(
        matches!(output.status.code(), Some(0 | 1 | 5)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report_dir.join("report.json")
}

#[test]
fn compare_shows_a_matrix_and_fixed_regressed_and_newly_not_exercised_clauses() {
    let port = port_outside_the_ephemeral_range();
    let dir = tempfile::tempdir().expect("tempdir");
    // One target (one URL) seen three times: SD-RESP-9 broken, then SD-RESP-4, then an empty list.
    let before = run_on_port(port, Some(Fault::StatusOutsideEnum), dir.path(), "before");
    let after = run_on_port(port, Some(Fault::CreationTimeNoOffset), dir.path(), "after");
    let empty = run_on_port(port, Some(Fault::EmptyList), dir.path(), "empty");
    let rel = |p: &Path| {
        p.strip_prefix(dir.path())
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_default()
    };

    let output = sdconform(&["compare", &rel(&before), &rel(&after)], dir.path());
    let md = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = format!("http://127.0.0.1:{port}");
    assert!(
        md.contains(&format!(
            "| clause | {url} (documented) before/report.json | {url} (documented) after/report.json |"
        )),
        "{md}"
    );
    assert!(
        md.contains("| SD-RESP-9 | ❌ fail (MUST) | ✅ pass |"),
        "{md}"
    );
    assert!(
        md.contains("| SD-RESP-4 | ✅ pass | ❌ fail (MUST) |"),
        "{md}"
    );
    assert!(md.contains("| SD-CODE-400 | ⬜ gap | ⬜ gap |"), "{md}");
    assert!(md.contains("- fixed (fail → pass): SD-RESP-9\n"), "{md}");
    assert!(
        md.contains("- regressed (pass → fail): SD-RESP-4\n"),
        "{md}"
    );
    assert!(md.contains("- newly not exercised: none\n"), "{md}");

    let output = sdconform(&["compare", &rel(&after), &rel(&empty)], dir.path());
    let md = String::from_utf8_lossy(&output.stdout);
    assert!(md.contains("- fixed (fail → pass): none\n"), "{md}");
    let line = md
        .lines()
        .find(|l| l.starts_with("- newly not exercised: "))
        .unwrap_or_default();
    for clause in ["SD-RESP-2", "SD-RESP-9", "SD-RESP-11"] {
        assert!(line.contains(clause), "{line}");
    }

    // Three reports: a matrix, no changes section; HTML to a file.
    let output = sdconform(
        &[
            "compare",
            &rel(&before),
            &rel(&after),
            &rel(&empty),
            "--format",
            "html",
            "--output",
            "out/matrix.html",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    let html = std::fs::read_to_string(dir.path().join("out/matrix.html")).expect("matrix.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<th class=\"mono\">").count(), 3, "{html}");
    assert!(!html.contains("Changes"));
}

#[test]
fn compare_rejects_a_file_that_is_not_a_report_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = sdconform(&["run", "--report", "json"], dir.path());
    assert_eq!(good.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("reports/report.json")).expect("report");
    write(
        dir.path(),
        "bad.json",
        &text.replace("\"verdict\": \"conformant\"", "\"verdict\": \"green\""),
    );
    let output = sdconform(&["compare", "reports/report.json", "bad.json"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let line = text
        .lines()
        .position(|l| l.contains("\"verdict\""))
        .map_or(0, |i| i + 1);
    assert!(
        stderr.contains(&format!(
            "failed to read a report: bad.json:{line}:14: /verdict: "
        )),
        "{stderr}"
    );
    write(dir.path(), "not.json", "{ nope");
    let output = sdconform(&["compare", "not.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not.json:1:3: invalid JSON"));
    let output = sdconform(&["compare", "absent.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("absent.json"));
    let output = sdconform(&["compare"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}
