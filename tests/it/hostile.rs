//! Issue 5, "Hostile and broken targets": the real binary against an
//! adversarial server (`adversary`) that controls every byte. Every behaviour
//! ends in a clear finding or harness error, within its deadline, with bounded
//! memory, never a panic; the token is in no output; nothing a target sends
//! reaches the terminal raw.
//!
//! Time bounds are generous (`--timeout 2` must end well under 15 s): they
//! bound, they do not benchmark. Scenarios run concurrently.

use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::adversary::{Adversary, Behaviour, CONFORMANT_BODY, Pki, arg, json_200, response};
use crate::support::{PROJECT, assert_valid_report};

/// A token with characters a URL percent-encodes, to catch both spellings.
const TOKEN: &str = "hostile+tok/en=5ecret-DO-NOT-LEAK";

/// Every run ends within this (its own deadlines are a few seconds).
const BOUND: Duration = Duration::from_secs(15);

/// The options of a quick run: small deadlines, one case.
const QUICK: &[&str] = &[
    "--timeout",
    "2",
    "--connect-timeout",
    "2",
    "--run-timeout",
    "20",
    "--exact",
    "list-all",
];

/// What one run produced.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    report: Option<Value>,
    /// Every file under the report directory.
    files: Vec<(PathBuf, Vec<u8>)>,
    elapsed: Duration,
    /// The child's peak resident set (VmHWM), in KiB, if /proc shows it.
    peak_kib: Option<u64>,
}

impl Outcome {
    /// The case `id` of the report.
    fn case(&self, id: &str) -> Value {
        self.report
            .as_ref()
            .and_then(|r| r["cases"].as_array())
            .and_then(|cases| cases.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// The case `id`, or the preflight's when a run-wide error stopped the run
    /// before any case (issue 10 item 10).
    fn case_or_preflight(&self, id: &str) -> Value {
        match self.case(id) {
            Value::Null => self.case("preflight"),
            case => case,
        }
    }

    fn context(&self) -> String {
        format!(
            "exit {} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// Runs `sdconform run` against `url` with the hostile token and `extra`
/// options, without proxies or token variables from the environment, and
/// samples its peak memory while it runs.
fn run(url: &str, extra: &[&str]) -> Outcome {
    run_with_env(url, extra, &[])
}

fn run_with_env(url: &str, extra: &[&str], env: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdconform"));
    command
        .args([
            "run",
            "--target",
            url,
            "--project-id",
            PROJECT,
            "--token",
            TOKEN,
        ])
        .arg("--report-dir")
        .arg(&report_dir)
        .args(extra)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in crate::support::AMBIENT {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("the binary starts");
    let pipe = |mut from: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = from.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = pipe(Box::new(child.stdout.take().expect("stdout")));
    let stderr = pipe(Box::new(child.stderr.take().expect("stderr")));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|text| vm_hwm(&text))
        {
            peak_kib = Some(peak_kib.map_or(kib, |p: u64| p.max(kib)));
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sdconform still runs after 120 s against {url} {extra:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let mut files = Vec::new();
    collect(&report_dir, &mut files);
    let report = files
        .iter()
        .find(|(path, _)| path.ends_with("report.json"))
        .map(|(_, bytes)| serde_json::from_slice(bytes).expect("report.json is JSON"));
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        report,
        files,
        elapsed,
        peak_kib,
    }
}

fn vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Every file under `dir`, recursively (bounded depth).
fn collect(dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    fn walk(dir: &Path, depth: usize, files: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && depth < 4 {
                walk(&path, depth + 1, files);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push((path, bytes));
            }
        }
    }
    walk(dir, 0, files);
}

/// Problems common to every run: a panic, a leaked token (any spelling, any
/// case: a flipped token is still the token), raw control characters on the
/// terminal, an invalid report.
fn common_problems(outcome: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    if outcome.code == 101 || outcome.stderr.contains("panicked") {
        problems.push("the binary panicked".to_owned());
    }
    let spellings = [
        TOKEN.to_ascii_lowercase(),
        "hostile%2btok%2fen%3d5ecret-do-not-leak".to_owned(),
    ];
    let mut outputs: Vec<(String, Vec<u8>)> = vec![
        ("stdout".to_owned(), outcome.stdout.clone().into_bytes()),
        ("stderr".to_owned(), outcome.stderr.clone().into_bytes()),
    ];
    outputs.extend(
        outcome
            .files
            .iter()
            .map(|(path, bytes)| (path.display().to_string(), bytes.clone())),
    );
    for (what, bytes) in &outputs {
        let lower = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        for spelling in &spellings {
            if lower.contains(spelling.as_str()) {
                problems.push(format!("the token leaked into {what}"));
            }
        }
    }
    for (what, text) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        {
            problems.push(format!("{what} holds the raw control character {c:?}"));
        }
    }
    if let Some(report) = &outcome.report {
        assert_valid_report(report);
    }
    problems
}

/// What a scenario must end in.
#[derive(Debug, Clone)]
enum Expect {
    /// Case `list-all` is `error`, its message holding every fragment.
    Error(&'static [&'static str]),
    /// Case `list-all` has a `json` finding for SD-RESP-1 of this severity,
    /// whose message holds the fragment.
    Json(&'static str, &'static str),
    /// Case `list-all` passes with no finding.
    Pass,
}

struct Scenario {
    name: &'static str,
    behaviour: Behaviour,
    extra: Vec<&'static str>,
    expect: Expect,
    /// Largest body the report may show.
    max_body: Option<u64>,
}

fn scenario(name: &'static str, behaviour: Behaviour, expect: Expect) -> Scenario {
    Scenario {
        name,
        behaviour,
        extra: Vec::new(),
        expect,
        max_body: None,
    }
}

/// Checks one scenario's outcome; the problems found.
fn judge(scenario: &Scenario, outcome: &Outcome) -> Vec<String> {
    let mut problems = common_problems(outcome);
    if outcome.elapsed > BOUND {
        problems.push(format!("took {:?} (bound {BOUND:?})", outcome.elapsed));
    }
    let case = outcome.case_or_preflight("list-all");
    if case.is_null() {
        problems.push("no report, or no list-all case in it".to_owned());
        return problems;
    }
    let findings: Vec<&Value> = case["findings"].as_array().into_iter().flatten().collect();
    match &scenario.expect {
        Expect::Error(fragments) => {
            let error = case["error"].as_str().unwrap_or_default();
            if case["outcome"] != "error" {
                problems.push(format!("outcome {} instead of error", case["outcome"]));
            }
            for fragment in *fragments {
                if !error.contains(fragment) {
                    problems.push(format!("error {error:?} lacks {fragment:?}"));
                }
            }
            if outcome.code != 3 {
                problems.push(format!("exit {} instead of 3", outcome.code));
            }
        }
        Expect::Json(severity, fragment) => {
            let found = findings.iter().any(|f| {
                f["clause"] == "SD-RESP-1"
                    && f["check"] == "json"
                    && f["severity"] == *severity
                    && f["message"].as_str().unwrap_or_default().contains(fragment)
            });
            if !found {
                problems.push(format!(
                    "no SD-RESP-1 {severity} json finding with {fragment:?}: {findings:?}"
                ));
            }
            // A SHOULD finding on a body nothing else could read: no item was
            // validated, so the run is inconclusive (issue 10 item 11).
            let want_code = if *severity == "MUST" { 1 } else { 5 };
            if outcome.code != want_code {
                problems.push(format!("exit {} instead of {want_code}", outcome.code));
            }
        }
        Expect::Pass => {
            if case["outcome"] != "pass" || !findings.is_empty() || outcome.code != 0 {
                problems.push(format!(
                    "not a clean pass: {} {findings:?}",
                    case["outcome"]
                ));
            }
        }
    }
    if let Some(max) = scenario.max_body {
        let bytes = case["response"]["body_bytes"].as_u64().unwrap_or(u64::MAX);
        if bytes > max {
            problems.push(format!(
                "report shows {bytes} body bytes, more than the cap {max}"
            ));
        }
    }
    problems
}

/// Runs every scenario concurrently; fails with every problem of every scenario.
fn run_all(scenarios: Vec<Scenario>) {
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .iter()
            .map(|scenario| {
                scope.spawn(move || {
                    let adversary = Adversary::start(scenario.behaviour.clone());
                    let mut extra: Vec<&str> = QUICK.to_vec();
                    extra.extend(scenario.extra.iter().copied());
                    let outcome = run(&adversary.url(), &extra);
                    judge(scenario, &outcome)
                        .into_iter()
                        .map(|p| format!("[{}] {p}\n{}", scenario.name, outcome.context()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec!["a scenario thread panicked".to_owned()])
            })
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A 200 JSON body: the conformant one with `value` at `output_values.x`.
fn with_output(value: &str) -> Vec<u8> {
    CONFORMANT_BODY
        .replacen(
            r#""output_values": {"#,
            &format!(r#""output_values": {{"x": {value}, "#),
            1,
        )
        .into_bytes()
}

/// `len` bytes of zeros, compressed with `encoding`.
fn bomb(encoding: &str, len: usize) -> Vec<u8> {
    let zeros = vec![0u8; 64 * 1024];
    let mut written = 0;
    let mut feed = |w: &mut dyn std::io::Write| {
        while written < len {
            w.write_all(&zeros).expect("compress");
            written += zeros.len();
        }
    };
    match encoding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            feed(&mut e);
            e.finish().expect("gzip")
        }
        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            feed(&mut e);
            e.finish().expect("zlib")
        }
        _ => {
            let mut out = Vec::new();
            {
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                feed(&mut e);
                e.flush().expect("brotli");
            }
            out
        }
    }
}

fn bomb_response(encoding: &str) -> Vec<u8> {
    let body = bomb(encoding, 10 * 1024 * 1024);
    assert!(
        body.len() < 64 * 1024,
        "{encoding} bomb is {} bytes",
        body.len()
    );
    let header = format!("Content-Encoding: {encoding}");
    response(
        "200 OK",
        &["Content-Type: application/json", header.as_str()],
        &body,
    )
}

#[test]
fn every_hostile_behaviour_ends_in_a_finding_or_an_error_within_the_deadline_issue_5() {
    let nested = format!(
        r#"{{"software_deployments": [], "deep": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let huge_number = with_output(&format!("1{}", "0".repeat(10_000)));
    let long_fraction = with_output(&format!("0.{}1", "0".repeat(10_000)));
    let duplicate = format!(
        r#"{{"software_deployments": [{{"id": "not-a-uuid"}}], {}"#,
        CONFORMANT_BODY.trim_start_matches('{')
    );
    let many_headers: Vec<String> = (0..10_000).map(|i| format!("X-Hostile-{i}: {i}")).collect();
    let many_header_refs: Vec<&str> = many_headers.iter().map(String::as_str).collect();
    let big_header = format!("X-Hostile: {}", "a".repeat(1024 * 1024));
    let chunked_head =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    let mut chunk = b"2000\r\n".to_vec();
    chunk.extend_from_slice(&[b' '; 0x2000]);
    chunk.extend_from_slice(b"\r\n");
    let mut scenarios = vec![
        scenario(
            "no response",
            Behaviour::Silent,
            Expect::Error(&["within 2s (--timeout)", "no response yet"]),
        ),
        scenario(
            "connection reset",
            Behaviour::Reset,
            Expect::Error(&["reach the target"]),
        ),
        scenario(
            "closed mid-body",
            Behaviour::bytes(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"software_d".to_vec(),
            ),
            Expect::Error(&["read the body (status 200 received, then"]),
        ),
        Scenario {
            max_body: Some(65_536),
            extra: vec!["--max-body-bytes", "65536"],
            ..scenario(
                "a body that never ends",
                Behaviour::Stream {
                    head: chunked_head,
                    chunk,
                    interval: Duration::ZERO,
                },
                Expect::Json("MUST", "exceeds the 65536-byte limit"),
            )
        },
        scenario(
            "one byte per second",
            Behaviour::Stream {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n".to_vec(),
                chunk: b" ".to_vec(),
                interval: Duration::from_secs(1),
            },
            Expect::Error(&["within 2s (--timeout)", "status 200 received, then"]),
        ),
        Scenario {
            max_body: Some(1_048_576),
            extra: vec!["--max-body-bytes", "1048576"],
            ..scenario(
                "a 5 GiB body",
                Behaviour::Stream {
                    head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5368709120\r\n\r\n".to_vec(),
                    chunk: vec![b' '; 64 * 1024],
                    interval: Duration::ZERO,
                },
                Expect::Json("MUST", "exceeds the 1048576-byte limit"),
            )
        },
        scenario(
            "invalid UTF-8",
            Behaviour::bytes(json_200(b"{\"software_deployments\": [], \"x\": \"\xff\xfe\xc0\"}")),
            Expect::Json("MUST", "not JSON"),
        ),
        scenario(
            "a UTF-8 byte order mark",
            Behaviour::bytes(json_200(
                &[b"\xEF\xBB\xBF".as_slice(), CONFORMANT_BODY.as_bytes()].concat(),
            )),
            Expect::Json("MUST", "byte order mark"),
        ),
        scenario(
            "JSON nested 100,000 levels deep",
            Behaviour::bytes(json_200(nested.as_bytes())),
            Expect::Json("SHOULD", "recursion limit"),
        ),
        scenario(
            "a 10,000-digit number",
            Behaviour::bytes(json_200(&huge_number)),
            Expect::Json("SHOULD", "number out of range"),
        ),
        scenario(
            "a 10,000-digit fraction (a float, within range)",
            Behaviour::bytes(json_200(&long_fraction)),
            Expect::Pass,
        ),
        scenario(
            "duplicate keys: the last value wins",
            Behaviour::bytes(json_200(duplicate.as_bytes())),
            Expect::Pass,
        ),
        scenario(
            "NaN",
            Behaviour::bytes(json_200(&with_output("NaN"))),
            Expect::Json("MUST", "not JSON"),
        ),
        scenario(
            "Infinity",
            Behaviour::bytes(json_200(&with_output("-Infinity"))),
            Expect::Json("MUST", "not JSON"),
        ),
        scenario(
            "valid JSON followed by garbage",
            Behaviour::bytes(json_200(
                format!("{CONFORMANT_BODY}\n<html>oops</html>").as_bytes(),
            )),
            Expect::Json("MUST", "trailing characters"),
        ),
        scenario(
            "10,000 response headers",
            Behaviour::bytes(response("200 OK", &many_header_refs, CONFORMANT_BODY.as_bytes())),
            Expect::Error(&["reach the target", "message head is too large", "100 headers"]),
        ),
        scenario(
            "a 1 MiB header",
            Behaviour::bytes(response(
                "200 OK",
                &[big_header.as_str()],
                CONFORMANT_BODY.as_bytes(),
            )),
            Expect::Error(&["reach the target", "message head is too large"]),
        ),
        scenario(
            "HTTP/1.0 without Content-Length: the body ends at close",
            Behaviour::bytes(
                [
                    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n".as_slice(),
                    CONFORMANT_BODY.as_bytes(),
                ]
                .concat(),
            ),
            Expect::Pass,
        ),
        scenario(
            "Content-Length larger than the body, connection idle",
            Behaviour::RespondThenIdle(Arc::new(|_| {
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"software_deployments\": []}".to_vec()
            })),
            Expect::Error(&["within 2s (--timeout)", "status 200 received, then"]),
        ),
        scenario(
            "a compressed conformant body is decoded",
            Behaviour::bytes({
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(CONFORMANT_BODY.as_bytes()).expect("gzip");
                let body = e.finish().expect("gzip");
                response(
                    "200 OK",
                    &["Content-Type: application/json", "Content-Encoding: gzip"],
                    &body,
                )
            }),
            Expect::Pass,
        ),
    ];
    for encoding in ["gzip", "deflate", "br"] {
        scenarios.push(Scenario {
            max_body: Some(65_536),
            extra: vec!["--max-body-bytes", "65536"],
            ..scenario(
                match encoding {
                    "gzip" => "gzip bomb: 10 MiB of zeros in under 64 KiB",
                    "deflate" => "deflate bomb",
                    _ => "brotli bomb",
                },
                Behaviour::bytes(bomb_response(encoding)),
                Expect::Json("MUST", "exceeds the 65536-byte limit"),
            )
        });
    }
    run_all(scenarios);
}

/// Over the body cap the rest of a body is never read, whatever its size or
/// compression: the child's peak memory stays small.
#[test]
fn memory_stays_bounded_for_a_multi_gigabyte_body_and_a_bomb_issue_5() {
    let cases: Vec<(&str, Behaviour, &str)> = vec![
        (
            "5 GiB body",
            Behaviour::Stream {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5368709120\r\n\r\n".to_vec(),
                chunk: vec![0u8; 64 * 1024],
                interval: Duration::ZERO,
            },
            "8388608",
        ),
        ("gzip bomb", Behaviour::bytes(bomb_response("gzip")), "4096"),
    ];
    std::thread::scope(|scope| {
        for (name, behaviour, cap) in &cases {
            scope.spawn(move || {
                let adversary = Adversary::start(behaviour.clone());
                let outcome = run(
                    &adversary.url(),
                    &[
                        "--timeout",
                        "10",
                        "--max-body-bytes",
                        cap,
                        "--exact",
                        "list-all",
                    ],
                );
                let problems = common_problems(&outcome);
                assert!(
                    problems.is_empty(),
                    "{name}: {problems:?}\n{}",
                    outcome.context()
                );
                let case = outcome.case("list-all");
                let cap: u64 = cap.parse().unwrap_or(0);
                assert!(
                    case["response"]["body_bytes"]
                        .as_u64()
                        .is_some_and(|n| n <= cap),
                    "{name}: {case}"
                );
                assert_eq!(outcome.code, 1, "{name}: {}", outcome.context());
                if Path::new("/proc/self/status").exists() {
                    let peak = outcome.peak_kib.unwrap_or(u64::MAX);
                    eprintln!("{name}: peak RSS {peak} KiB");
                    assert!(peak < 200 * 1024, "{name}: peak RSS {peak} KiB");
                }
            });
        }
    });
}

#[test]
fn the_run_deadline_ends_unfinished_cases_and_the_report_is_still_written_issue_5() {
    // The preflight is answered; every later request waits for nothing (a target that
    // is silent from the start stops at the preflight, issue 10 item 10).
    let answered = std::sync::atomic::AtomicBool::new(false);
    let adversary = Adversary::start(Behaviour::RespondThenIdle(Arc::new(move |_| {
        if answered.swap(true, std::sync::atomic::Ordering::SeqCst) {
            Vec::new()
        } else {
            json_200(CONFORMANT_BODY.as_bytes())
        }
    })));
    let outcome = run(
        &adversary.url(),
        &[
            "--timeout",
            "30",
            "--run-timeout",
            "2",
            "--test-threads",
            "2",
        ],
    );
    let problems = common_problems(&outcome);
    assert!(problems.is_empty(), "{problems:?}\n{}", outcome.context());
    assert!(outcome.elapsed < BOUND, "{}", outcome.context());
    assert_eq!(outcome.code, 3, "{}", outcome.context());
    let report = outcome.report.as_ref().expect("the report is written");
    assert_eq!(report["verdict"], "error");
    let all = report["cases"].as_array().expect("cases");
    // The shipped cases and the fuzz trial; those that need fixtures (issue 11) are
    // skipped before anything is sent.
    assert_eq!(all.len(), 19, "every selected case is reported");
    let cases: Vec<&Value> = all.iter().filter(|c| c["outcome"] != "skipped").collect();
    assert_eq!(
        cases.len(),
        10,
        "the nine cases that need no fixtures and the fuzz trial"
    );
    for case in cases {
        assert_eq!(case["outcome"], "error", "{case}");
        assert!(
            case["error"]
                .as_str()
                .is_some_and(|e| e.contains("run deadline exceeded")),
            "{case}"
        );
    }
    assert!(
        outcome.stdout.contains("run deadline exceeded"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn redirects_are_answers_and_the_token_never_reaches_another_origin_issue_5() {
    let elsewhere = Adversary::start(Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes())));
    let location = format!(
        "Location: {}/v1/{PROJECT}/software_deployments?stolen={TOKEN}",
        elsewhere.url()
    );
    let away = Adversary::start(Behaviour::bytes(response("302 Found", &[&location], b"")));
    let outcome = run(&away.url(), QUICK);
    let problems = common_problems(&outcome);
    assert!(problems.is_empty(), "{problems:?}\n{}", outcome.context());
    assert_eq!(outcome.code, 1, "{}", outcome.context());
    let case = outcome.case("list-all");
    assert_eq!(case["response"]["status"], 302);
    assert_eq!(case["findings"][0]["clause"], "SD-CODE-SET", "{case}");
    assert!(
        elsewhere.heads().is_empty(),
        "the other origin was contacted"
    );
    // The preflight's request and list-all's.
    assert_eq!(away.heads().len(), 2);

    // A redirect loop is one request and one answer.
    let looping = Adversary::start(Behaviour::Respond(Arc::new(|head| {
        response(
            "301 Moved Permanently",
            &[&format!("Location: {}", head.target)],
            b"",
        )
    })));
    let outcome = run(&looping.url(), QUICK);
    assert!(
        common_problems(&outcome).is_empty(),
        "{}",
        outcome.context()
    );
    assert_eq!(outcome.code, 1, "{}", outcome.context());
    assert_eq!(
        outcome.case("list-all")["findings"][0]["clause"],
        "SD-CODE-SET"
    );
    assert_eq!(
        looping.heads().len(),
        2,
        "no redirect was followed (the preflight's request and list-all's)"
    );
}

/// The token echoed back everywhere a target can put it: the body, a header,
/// the Content-Type, a Location, and a value other cases capture (which
/// would otherwise be sent back, recorded, case-flipped and halved).
#[test]
fn the_token_never_leaves_when_the_target_echoes_it_everywhere_issue_5() {
    let echo = Adversary::start(Behaviour::Respond(Arc::new(|head| {
        let token = head.header("x-auth-token").unwrap_or("none").to_owned();
        let body = CONFORMANT_BODY
            .replace("ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5", &token)
            .replace("Outputs received", &format!("your token is {token}"))
            .replace(
                r#""deploy_stdout": "ok""#,
                &format!(r#""{token}": "{token}""#),
            );
        let content_type = format!("Content-Type: application/json; echo=\"{token}\"");
        let header = format!("X-Echo: {token}");
        let location = format!("Location: http://127.0.0.1:9/{token}");
        response(
            "200 OK",
            &[&content_type, &header, &location],
            body.as_bytes(),
        )
    })));
    let outcome = run(&echo.url(), &["--timeout", "5", "--run-timeout", "30"]);
    let problems = common_problems(&outcome);
    assert!(problems.is_empty(), "{problems:?}\n{}", outcome.context());
    assert!(!outcome.files.is_empty());
    // The target did get the token (so the echo was real) ...
    assert!(
        echo.heads()
            .iter()
            .any(|h| h.header("x-auth-token") == Some(TOKEN))
    );
    // ... and no request carried it anywhere but in X-Auth-Token.
    for head in echo.heads() {
        assert!(
            !head.target.to_ascii_lowercase().contains("5ecret")
                && !head.target.to_ascii_lowercase().contains("hostile"),
            "sent back: {}",
            head.target
        );
    }
    let filtered = outcome.case("filter-existing-server");
    assert_eq!(filtered["outcome"], "not_exercised", "{filtered}");
    let report = outcome
        .report
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    assert!(
        report.contains("<redacted>"),
        "the echo is scrubbed, not dropped"
    );
}

/// Terminal escapes and C1 controls in every string, key, header and error a
/// target can send are escaped wherever they are printed (summary, libtest's
/// failure messages, notes), and kept verbatim in report.json.
#[test]
fn terminal_escapes_from_a_target_never_reach_the_terminal_raw_issue_5() {
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{1b}[31m";
    let body = serde_json::json!({
        "software_deployments": [{
            "status": evil, "server_id": evil, "config_id": evil, "action": evil,
            "status_reason": evil, "id": evil, "creation_time": evil, "updated_time": 7,
            "input_values": evil, "output_values": { evil: evil },
        }, {
            "id": evil, evil: evil,
        }],
        evil: [evil],
    })
    .to_string();
    let evil_adversary = Adversary::start(Behaviour::Respond(Arc::new(move |head| {
        if head.target.contains("unknown") {
            // Not JSON, with raw escapes.
            return json_200(format!("{evil}{evil}").as_bytes());
        }
        // A Content-Type with a C1 CSI (U+009B as UTF-8 is obs-text, legal in a header).
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/x\xc2\x9b31m\r\n".to_vec();
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        out
    })));
    let outcome = run(
        &evil_adversary.url(),
        &[
            "--timeout",
            "5",
            "--run-timeout",
            "30",
            "--profile",
            "strict",
        ],
    );
    let problems = common_problems(&outcome);
    assert!(problems.is_empty(), "{problems:?}\n{}", outcome.context());
    assert_eq!(outcome.code, 1, "{}", outcome.context());
    assert!(
        outcome.stdout.contains("\\u{9b}") || outcome.stdout.contains("\\u{1b}"),
        "escaped, visible: {}",
        outcome.stdout
    );
    let report = outcome
        .files
        .iter()
        .find(|(p, _)| p.ends_with("report.json"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("report.json");
    assert!(
        report.contains("\\u001b"),
        "report.json keeps the evidence, JSON-escaped"
    );
}

/// Issue 10 item 19: a self-signed certificate marked as a CA, trusted with
/// `--cacert`, is refused by webpki as an end entity; the error says exactly why.
#[test]
fn a_self_signed_ca_certificate_is_refused_with_the_reason_issue_10() {
    let pki = Pki::new();
    let server = Adversary::start_tls(
        Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes())),
        pki.self_signed_ca_config(),
    );
    let ca = arg(&pki.self_signed_ca_pem);
    let outcome = run(&server.url(), &[QUICK, &["--cacert", &ca]].concat());
    let case = outcome.case_or_preflight("list-all");
    assert_eq!(case["outcome"], "error", "{}", outcome.context());
    let error = case["error"].as_str().unwrap_or_default();
    assert!(error.contains("CaUsedAsEndEntity"), "{error}");
    assert!(
        error.contains("is itself a CA certificate") && error.contains("leaf certificate"),
        "{error}"
    );
}

#[test]
fn tls_names_an_untrusted_certificate_and_cacert_insecure_and_client_certificates_work_issue_5() {
    let pki = Pki::new();
    let conformant = || Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes()));
    let server = Adversary::start_tls(conformant(), pki.server_config(false));
    let mutual = Adversary::start_tls(conformant(), pki.server_config(true));
    let ca = arg(&pki.ca_pem);
    let cert = arg(&pki.client_cert);
    let key = arg(&pki.client_key);
    let with = |extra: &[&str]| -> Vec<String> {
        QUICK.iter().chain(extra).map(|s| (*s).to_owned()).collect()
    };
    // (name, url, extra args, expected list-all outcome, error fragment)
    let table: Vec<(&str, String, Vec<String>, &str, &str)> = vec![
        (
            "untrusted",
            server.url(),
            with(&[]),
            "error",
            "invalid peer certificate: UnknownIssuer (the target's TLS certificate is not trusted: pass its CA with --cacert FILE",
        ),
        (
            "--cacert",
            server.url(),
            with(&["--cacert", &ca]),
            "pass",
            "",
        ),
        (
            "--insecure",
            server.url(),
            with(&["--insecure"]),
            "pass",
            "",
        ),
        (
            "mTLS without a client certificate",
            mutual.url(),
            with(&["--cacert", &ca]),
            "error",
            "reach the target",
        ),
        (
            "mTLS with --client-cert and --client-key",
            mutual.url(),
            with(&[
                "--cacert",
                &ca,
                "--client-cert",
                &cert,
                "--client-key",
                &key,
            ]),
            "pass",
            "",
        ),
    ];
    let outcomes: Vec<(String, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = table
            .iter()
            .map(|(name, url, extra, _, _)| {
                scope.spawn(move || {
                    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
                    ((*name).to_owned(), run(url, &extra))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for ((name, _, _, want, fragment), (_, outcome)) in table.iter().zip(&outcomes) {
        let problems = common_problems(outcome);
        assert!(
            problems.is_empty(),
            "{name}: {problems:?}\n{}",
            outcome.context()
        );
        assert!(outcome.elapsed < BOUND, "{name}: {}", outcome.context());
        let case = outcome.case_or_preflight("list-all");
        assert_eq!(
            case["outcome"],
            *want,
            "{name}: {case}\n{}",
            outcome.context()
        );
        assert!(
            case["error"]
                .as_str()
                .unwrap_or_default()
                .contains(fragment),
            "{name}: {case}"
        );
        let insecure = *name == "--insecure";
        let report = outcome.report.as_ref().expect("report");
        assert_eq!(report["target"]["insecure"], insecure, "{name}");
        assert_eq!(
            outcome.stderr.contains("warning: --insecure"),
            insecure,
            "{name}: {}",
            outcome.stderr
        );
        assert_eq!(
            outcome.stdout.contains("TLS NOT VERIFIED"),
            insecure,
            "{name}"
        );
    }
}

/// `HTTP_PROXY` and `NO_PROXY` are honoured without reqwest's `system-proxy`
/// feature: the request goes to the proxy (absolute-form target), or not.
#[test]
fn proxies_come_from_the_environment_issue_5() {
    let proxy = Adversary::start(Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes())));
    // Nothing listens at the target: only the proxy can answer.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let target = format!("http://127.0.0.1:{port}");
    let outcome = run_with_env(&target, QUICK, &[("HTTP_PROXY", &proxy.url())]);
    assert!(
        common_problems(&outcome).is_empty(),
        "{}",
        outcome.context()
    );
    assert_eq!(outcome.code, 0, "{}", outcome.context());
    let heads = proxy.heads();
    // The preflight's request and list-all's.
    assert_eq!(heads.len(), 2);
    assert!(
        heads[0]
            .target
            .starts_with(&format!("{target}/v1/{PROJECT}/")),
        "absolute-form request to the proxy: {}",
        heads[0].target
    );

    let outcome = run_with_env(
        &target,
        QUICK,
        &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(
        outcome.code,
        3,
        "NO_PROXY bypasses the proxy: {}",
        outcome.context()
    );
    assert_eq!(proxy.heads().len(), 2);
}

/// Issue 10 item 8: an empty variable is unset, `HTTP_PROXY` as much as the token's: an
/// empty `HTTP_PROXY` (a masked CI variable) no longer hides a good `http_proxy`.
#[test]
fn an_empty_proxy_variable_hides_nothing_issue_10() {
    let proxy = Adversary::start(Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes())));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let target = format!("http://127.0.0.1:{port}");
    let outcome = run_with_env(
        &target,
        QUICK,
        &[
            ("HTTP_PROXY", ""),
            ("http_proxy", &proxy.url()),
            ("NO_PROXY", ""),
        ],
    );
    assert!(
        !proxy.heads().is_empty(),
        "the lower-case proxy is used: {}",
        outcome.context()
    );
    assert!(
        proxy
            .heads()
            .iter()
            .all(|h| h.target.starts_with(&format!("{target}/v1/"))),
        "absolute-form requests to the proxy"
    );
}

/// A target that throttles (429) is not blamed for it: the request is retried
/// after `Retry-After`, and a target that never lets up is a harness error
/// (exit 3), never an SD-CODE-SET finding.
#[test]
fn throttling_is_retried_and_never_a_finding() {
    let always = Adversary::start(Behaviour::bytes(response(
        "429 Too Many Requests",
        &["Retry-After: 0", "Content-Type: application/json"],
        b"{}",
    )));
    let out = run(&always.url(), QUICK);
    assert_eq!(out.code, 3, "{}", out.context());
    // One run-wide error: the preflight's.
    let case = out.case_or_preflight("list-all");
    assert_eq!(case["outcome"], "error", "{}", out.context());
    assert!(
        case["error"]
            .as_str()
            .unwrap_or_default()
            .contains("throttled"),
        "{case}"
    );
    assert_eq!(case["findings"], serde_json::json!([]));
    assert_eq!(always.heads().len(), 4, "one request and three retries");

    // Throttled once, then served: the case passes.
    let served = std::sync::atomic::AtomicUsize::new(0);
    let once = Adversary::start(Behaviour::Respond(Arc::new(move |_| {
        if served.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            response("429 Too Many Requests", &["Retry-After: 1"], b"")
        } else {
            json_200(CONFORMANT_BODY.as_bytes())
        }
    })));
    let out = run(&once.url(), QUICK);
    assert_eq!(out.case("list-all")["outcome"], "pass", "{}", out.context());
    assert_eq!(out.code, 0, "{}", out.context());
}
