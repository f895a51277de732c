//! Issue 10 item 1 and part of item 19: what the console does for a user who pipes
//! stdout into `head`, sends it to a full disk, asks for colour or quiet, passes
//! `--insecure` to a plain-http target, or starts `serve` on a port that is taken.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{assert_valid_report, sdconform};

/// Where the binary's stdout (and stderr) go.
#[derive(Debug, Clone, Copy)]
enum Sink {
    /// A pipe whose reader is gone before anything is written (`| head -0`).
    Closed,
    /// `/dev/full`: every write fails with ENOSPC.
    Full,
    /// A pipe that is read.
    Read,
}

fn stdio(sink: Sink) -> Stdio {
    match sink {
        Sink::Closed | Sink::Read => Stdio::piped(),
        Sink::Full => std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens")
            .into(),
    }
}

/// Runs the real binary with stdout and stderr sent to `out` and `err`.
fn run_into(args: &[&str], cwd: &Path, out: Sink, err: Sink) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SDCONFORM_TOKEN")
        .env_remove("OS_AUTH_TOKEN")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdio(out))
        .stderr(stdio(err))
        .spawn()
        .expect("the binary starts");
    if matches!(out, Sink::Closed) {
        drop(child.stdout.take());
    }
    if matches!(err, Sink::Closed) {
        drop(child.stderr.take());
    }
    child.wait_with_output().expect("the binary ends")
}

/// Issue 10 item 1: `run | head -1`, `run > /dev/full` (and a closed or full stderr too):
/// no panic, the verdict's exit code, every report written; the same for `fuzz`,
/// `compare` and `serve --list-faults`.
#[test]
fn a_closed_or_full_stdout_never_stops_a_command_issue_10_item_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reports = Vec::new();
    for (n, (out, err)) in [
        (Sink::Closed, Sink::Read),
        (Sink::Full, Sink::Read),
        (Sink::Closed, Sink::Full),
        (Sink::Full, Sink::Closed),
    ]
    .into_iter()
    .enumerate()
    {
        let report_dir = dir.path().join(format!("run-{n}"));
        let report_arg = report_dir.to_string_lossy().into_owned();
        // --insecure makes the run write to stderr too (its note on plain http).
        let output = run_into(
            &["run", "--insecure", "--report-dir", &report_arg],
            dir.path(),
            out,
            err,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{out:?} {err:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{out:?} {err:?}: {stderr}");
        for name in ["report.json", "junit.xml", "summary.md", "report.html"] {
            assert!(report_dir.join(name).is_file(), "{out:?} {err:?}: {name}");
        }
        let path = report_dir.join("report.json");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("report.json"))
                .expect("JSON");
        assert_valid_report(&report);
        assert_eq!(report["verdict"], "conformant");
        reports.push(path.to_string_lossy().into_owned());
    }
    let fuzz_dir = dir.path().join("fuzz");
    let fuzz_arg = fuzz_dir.to_string_lossy().into_owned();
    let others: [(&str, Vec<&str>); 3] = [
        (
            "fuzz",
            vec!["fuzz", "--cases", "20", "--report-dir", &fuzz_arg],
        ),
        ("compare", vec!["compare", &reports[0], &reports[1]]),
        ("serve --list-faults", vec!["serve", "--list-faults"]),
    ];
    for (name, args) in others {
        for out in [Sink::Closed, Sink::Full] {
            let output = run_into(&args, dir.path(), out, Sink::Read);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{name} {out:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{name} {out:?}: {stderr}");
        }
    }
    assert!(fuzz_dir.join("report.json").is_file());
}

/// `sdconform run FLAGS --fuzz-cases 0 --report-dir REPORTS` against the embedded target.
fn run_embedded(flags: &[&str], reports: &Path) -> Output {
    let reports_arg = reports.to_string_lossy().into_owned();
    let mut args = vec!["run"];
    args.extend_from_slice(flags);
    args.extend(["--fuzz-cases", "0", "--report-dir", &reports_arg]);
    sdconform(&args, reports.parent().unwrap_or(reports))
}

/// Issue 10 item 19: `--color always` colours libtest's lines even into a pipe;
/// `never`, and `auto` into a pipe, do not.
#[test]
fn color_is_chosen_by_the_flag_issue_10_item_19() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (color, coloured) in [("always", true), ("never", false), ("auto", false)] {
        let output = run_embedded(&["--color", color], &dir.path().join(color));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        assert!(stdout.contains("list-all"), "{stdout}");
        assert_eq!(
            stdout.contains('\u{1b}'),
            coloured,
            "--color {color}: {stdout}"
        );
    }
}

/// Issue 10 item 19: `-q` prints one character per case and, of the summary, the
/// verdict only; the reports are as complete as ever.
#[test]
fn quiet_prints_the_verdict_only_issue_10_item_19() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let output = run_embedded(&["-q"], &reports);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("verdict: CONFORMANT"), "{stdout}");
    for noise in ["test list-all", "cases:", "findings:", "report:", "target:"] {
        assert!(!stdout.contains(noise), "-q printed {noise:?}: {stdout}");
    }
    assert!(reports.join("report.html").is_file());
    // The flag is global: before the command too, and on `fuzz`.
    let output = sdconform(
        &[
            "-q",
            "fuzz",
            "--cases",
            "10",
            "--report-dir",
            &reports.to_string_lossy(),
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.trim(),
        "verdict: CONFORMANT (profile documented, fails on MUST)"
    );
}

/// Issue 10 item 19: `--insecure` has nothing to do on plain http: no warning that
/// certificates are not verified, a note that it has no effect, and the report does not
/// mark the run insecure.
#[test]
fn insecure_on_plain_http_says_it_has_no_effect_issue_10_item_19() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let output = run_embedded(&["--insecure"], &reports);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("warning: --insecure"), "{stderr}");
    assert!(stderr.contains("--insecure has no effect"), "{stderr}");
    assert!(!stdout.contains("TLS NOT VERIFIED"), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(report["target"]["insecure"], false);
}

/// Issue 10 item 19: `serve --port` on a port in use names the address and says what
/// to do.
#[test]
fn serve_names_a_busy_port_issue_10_item_19() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["serve", "--port", &port], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
}
