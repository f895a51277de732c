//! Issue 10 items 2 and 3: a run stopped by SIGINT or SIGTERM still writes every report
//! (verdict `interrupted`, exit 130) and saves the fuzz failures it found, and
//! `fuzz --time-limit` bounds the whole campaign, shrinking included.
//!
//! The slow target is the reference behind a proxy on 127.0.0.1:0 that holds every
//! request for a while before passing it on; the proxy stops by itself after
//! [`LIFETIME`], and dropping it stops its runtime.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::adversary::{Adversary, Behaviour};
use crate::support::{Reference, against, assert_valid_report};
use sdconform::reference::Fault;

/// How long the proxy accepts connections, and a connection lives.
const LIFETIME: Duration = Duration::from_secs(60);

/// The reference target, each request held for `delay` first.
struct Slow {
    runtime: Option<tokio::runtime::Runtime>,
    addr: std::net::SocketAddr,
    requests: Arc<AtomicUsize>,
    _reference: Reference,
}

impl Slow {
    fn start(fault: Option<Fault>, delay: Duration) -> Slow {
        let reference = Reference::start(fault);
        let upstream = reference.url().trim_start_matches("http://").to_owned();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&requests);
        runtime.spawn(async move {
            let _ = tokio::time::timeout(LIFETIME, async move {
                // Bounded: LIFETIME, and at most this many connections.
                for _ in 0..10_000 {
                    let Ok((client, _)) = listener.accept().await else {
                        break;
                    };
                    let upstream = upstream.clone();
                    let counted = Arc::clone(&counted);
                    tokio::spawn(async move {
                        let _ =
                            tokio::time::timeout(LIFETIME, relay(client, upstream, delay, counted))
                                .await;
                    });
                }
            })
            .await;
        });
        Slow {
            runtime: Some(runtime),
            addr,
            requests,
            _reference: reference,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Waits (at most `within`) until `n` requests have come.
    fn await_requests(&self, n: usize, within: Duration) {
        let started = Instant::now();
        while self.requests() < n {
            assert!(
                started.elapsed() < within,
                "only {} of {n} requests came within {within:?}",
                self.requests()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Slow {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Copies `client`'s requests to `upstream`, each one `delay` late, and the answers back.
async fn relay(client: TcpStream, upstream: String, delay: Duration, counted: Arc<AtomicUsize>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        // Bounded by LIFETIME (the caller's timeout) and this count.
        for _ in 0..100_000 {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if buf.starts_with(b"GET ") {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    let down = async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    };
    tokio::join!(up, down);
}

/// The real binary with `args` in `dir`, its output captured.
fn spawn(args: &[&str], dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(args)
        .current_dir(dir)
        .env_remove("SDCONFORM_TOKEN")
        .env_remove("OS_AUTH_TOKEN")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Sends `signal` (`INT`, `TERM`) to `child`.
fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} failed");
}

/// What a stopped child left: exit code, stdout, stderr, and how long it took to end
/// after `since`; fails if it does not end within `within`.
fn ended(mut child: Child, since: Instant, within: Duration) -> (i32, String, String, Duration) {
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let took = since.elapsed();
            let output = child.wait_with_output().expect("output");
            return (
                status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
                took,
            );
        }
        if since.elapsed() > within {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "still running {within:?} after the signal\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is not written: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `COMMAND` against `target`, reporting into `reports`, with `extra` flags.
fn command<'a>(
    name: &'a str,
    target: &'a str,
    reports: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = against(name, target);
    args.extend(["--report-dir", reports]);
    args.extend_from_slice(extra);
    args
}

/// Issue 10 item 2: the run stops sending at `signal`, awaits what is in flight, and
/// writes every report: verdict `interrupted`, the cases that never ran say so, exit 130.
fn a_signal_stops_the_run_and_every_report_is_written(signal_name: &str) {
    let slow = Slow::start(None, Duration::from_millis(700));
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let reports_arg = reports.to_string_lossy().into_owned();
    let url = slow.url();
    let child = spawn(
        &command("run", &url, &reports_arg, &["--test-threads", "2"]),
        dir.path(),
    );
    // Two cases are in flight: then the signal.
    slow.await_requests(2, Duration::from_secs(30));
    let sent = Instant::now();
    signal(&child, signal_name);
    let (code, stdout, stderr, took) = ended(child, sent, Duration::from_secs(20));
    assert_eq!(code, 130, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted (SIG{signal_name})")),
        "{stderr}"
    );
    // Only the requests in flight were awaited (each takes 0.7 s), not the rest.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(stdout.contains("verdict: INTERRUPTED"), "{stdout}");

    let report = read_json(&reports.join("report.json"));
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "interrupted");
    let first_reason = report["verdict_reasons"][0].as_str().unwrap_or_default();
    assert!(
        first_reason.starts_with(&format!("interrupted by SIG{signal_name}")),
        "{first_reason}"
    );
    let cases = report["cases"].as_array().expect("cases");
    let not_run: Vec<&Value> = cases
        .iter()
        .filter(|c| {
            c["notes"]
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n == "interrupted before it ran"))
        })
        .collect();
    assert!(!not_run.is_empty(), "no case says it did not run: {report}");
    for case in &not_run {
        assert_eq!(case["outcome"], "skipped", "{case}");
    }
    // What ran before the signal is reported as it was.
    assert!(
        cases.iter().any(|c| c["outcome"] == "pass"),
        "nothing learned before the signal: {report}"
    );

    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit.xml");
    let doc = roxmltree::Document::parse(&junit).expect("junit.xml is XML");
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("skipped"))
            .any(|n| n
                .attribute("message")
                .is_some_and(|m| m.contains("interrupted before it ran"))),
        "{junit}"
    );
    for name in ["summary.md", "report.html"] {
        let text = std::fs::read_to_string(reports.join(name)).expect(name);
        assert!(text.contains("INTERRUPTED"), "{name}");
    }
    recording_is_finished(dir.path(), &reports, &report, signal_name);
}

/// Issue 12 item 1: an interrupted run still finishes its recording, whose end line
/// names the signal; rechecked, it gives the same verdict and case outcomes.
fn recording_is_finished(dir: &Path, reports: &Path, report: &Value, signal_name: &str) {
    let path = reports.join("exchanges.ndjson");
    let mut reader = sdconform::capture::ExchangeReader::open(&path).expect("recorded");
    assert!(reader.by_ref().all(|line| line.is_ok()));
    let end = reader.end().cloned().expect("an end line");
    assert_eq!(end.end.interrupted, Some(format!("SIG{signal_name}")));
    let output = crate::support::sdconform(&["recheck", "reports", "--report-dir", "again"], dir);
    assert_eq!(output.status.code(), Some(130));
    let again = read_json(&dir.join("again/report.json"));
    assert_eq!(again["verdict"], "interrupted");
    assert_eq!(again["verdict_reasons"][0], report["verdict_reasons"][0]);
    let outcomes = |report: &Value| -> Vec<(Value, Value)> {
        report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["id"] != "fuzz-server-id")
            .map(|c| (c["id"].clone(), c["outcome"].clone()))
            .collect()
    };
    assert_eq!(outcomes(&again), outcomes(report));
}

#[test]
fn sigint_stops_the_run_and_every_report_is_written_issue_10_item_2() {
    a_signal_stops_the_run_and_every_report_is_written("INT");
}

#[test]
fn sigterm_is_handled_like_sigint_issue_10_item_2() {
    a_signal_stops_the_run_and_every_report_is_written("TERM");
}

/// Issue 10 item 2: as GitHub Actions cancels: SIGINT, then SIGTERM. Against a target
/// that never answers, the first signal waits for the requests in flight; the second
/// stops waiting, and the reports are still written.
#[test]
fn a_second_signal_stops_waiting_for_requests_in_flight_issue_10_item_2() {
    let silent = Adversary::start(Behaviour::Silent);
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let reports_arg = reports.to_string_lossy().into_owned();
    let url = silent.url();
    let mut child = spawn(
        &command(
            "run",
            &url,
            &reports_arg,
            &[
                "--test-threads",
                "2",
                "--timeout",
                "60",
                "--fuzz-cases",
                "0",
            ],
        ),
        dir.path(),
    );
    let started = Instant::now();
    // The preflight (issue 10 item 10) is the first request, alone: the suite waits for it.
    while silent.heads().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no request came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the first signal did not wait for the requests in flight"
    );
    let sent = Instant::now();
    signal(&child, "TERM");
    // GitHub Actions sends SIGKILL 2.5 s after SIGTERM; generous here, as a debug build.
    let (code, stdout, stderr, _) = ended(child, sent, Duration::from_secs(10));
    assert_eq!(code, 130, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("interrupted again (SIGTERM)"), "{stderr}");
    let report = read_json(&reports.join("report.json"));
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "interrupted");
    let abandoned = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            c["notes"].as_array().is_some_and(|n| {
                n.iter()
                    .any(|n| n.as_str().is_some_and(|n| n.contains("was not awaited")))
            })
        })
        .count();
    assert_eq!(abandoned, 1, "the preflight's answer: {report}");
}

/// `fuzz` against `target`, with its reports and regressions file in `dir`.
fn fuzz_args<'a>(target: &'a str, dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = command("fuzz", target, dir, &["--regressions", "regressions.json"]);
    args.extend_from_slice(extra);
    args
}

/// Issue 10 item 2: a campaign interrupted while it shrinks saves the failures found so
/// far, each as small as shrinking got it, and says shrinking was interrupted.
#[test]
fn a_fuzz_campaign_interrupted_while_shrinking_saves_its_failures_issue_10_item_2() {
    let slow = Slow::start(
        Some(Fault::ServerErrorOnSpecialCharacters),
        Duration::from_millis(150),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let url = slow.url();
    let cases = 48;
    let child = spawn(
        &fuzz_args(
            &url,
            &dir_arg,
            &["--cases", "48", "--concurrency", "48", "--seed", "20240503"],
        ),
        dir.path(),
    );
    // The unfiltered list, then each case twice: anything after that is shrinking.
    slow.await_requests(1 + 2 * cases + 3, Duration::from_secs(30));
    let sent = Instant::now();
    signal(&child, "INT");
    let (code, stdout, stderr, _) = ended(child, sent, Duration::from_secs(20));
    assert_eq!(code, 130, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let report = read_json(&dir.path().join("report.json"));
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "interrupted");
    let fuzz = &report["cases"][0];
    let findings = fuzz["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "{fuzz}");
    assert!(
        findings.iter().any(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("shrinking was interrupted"))),
        "{fuzz}"
    );
    assert!(
        fuzz["notes"].as_array().is_some_and(|n| n.iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.starts_with("interrupted after")))),
        "{fuzz}"
    );
    let saved = read_json(&dir.path().join("regressions.json"));
    let entries = saved
        .as_array()
        .or_else(|| saved["regressions"].as_array())
        .expect("a list of regressions");
    assert_eq!(entries.len(), findings.len(), "{saved}");
    assert!(
        entries
            .iter()
            .all(|e| e["clause"] == "SD-CODE-200" && e["wire_query"].is_string()),
        "{saved}"
    );
}

/// Issue 10 item 3: against a target that takes a second per request, `--time-limit 5`
/// ends the whole campaign, shrinking included, within twice the limit; what it found is
/// reported, cut short as it was.
#[test]
fn fuzz_time_limit_bounds_the_whole_campaign_issue_10_item_3() {
    let slow = Slow::start(
        Some(Fault::ServerErrorOnSpecialCharacters),
        Duration::from_secs(1),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let url = slow.url();
    let started = Instant::now();
    let child = spawn(
        &fuzz_args(&url, &dir_arg, &["--time-limit", "5", "--seed", "20240503"]),
        dir.path(),
    );
    let (code, stdout, stderr, took) = ended(child, started, Duration::from_secs(30));
    assert!(took < Duration::from_secs(10), "took {took:?}\n{stdout}");
    assert!(matches!(code, 0 | 1), "{code}\n{stdout}\n{stderr}");
    let report = read_json(&dir.path().join("report.json"));
    assert_valid_report(&report);
    assert_eq!(report["cases"][0]["fuzz"]["stopped_by_time_limit"], true);
}

/// Issue 10 item 3: `fuzz --run-timeout` bounds the whole command like `run`'s: what is
/// unfinished then is a harness error (exit 3), within twice the deadline.
#[test]
fn fuzz_run_timeout_bounds_the_command_issue_10_item_3() {
    let slow = Slow::start(None, Duration::from_secs(1));
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let url = slow.url();
    let started = Instant::now();
    let child = spawn(
        &fuzz_args(&url, &dir_arg, &["--run-timeout", "4"]),
        dir.path(),
    );
    let (code, stdout, stderr, took) = ended(child, started, Duration::from_secs(30));
    assert!(took < Duration::from_secs(8), "took {took:?}\n{stdout}");
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(report["verdict"], "error");
}
