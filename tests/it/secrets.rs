//! Issue 10 items 6, 7 and 8: credentials never leave, whatever their value, their
//! place (token, `user:password@` of the target) or the target's echo of them; a secret
//! that cannot be redacted is refused before any request; an empty token variable hides
//! nothing, and reproduction commands name where the token came from.
//!
//! The real binary, against adversaries that echo what they get and count requests,
//! and the reference target with faults that fuzzing finds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use sdconform::reference::Fault;
use serde_json::Value;

use crate::adversary::{Adversary, Behaviour, CONFORMANT_BODY, Head, json_200, response};
use crate::support::{AMBIENT, PROJECT, Reference, TOKEN, finish};

/// Runs the binary in `cwd` with `env` and no other token or proxy variable.
fn sdconform_with(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdconform"));
    command.args(args).current_dir(cwd).env("NO_COLOR", "1");
    for name in AMBIENT {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("the binary runs")
}

/// `run --target URL --project-id P --token TOKEN --report-dir DIR`.
fn run_args<'a>(url: &'a str, token: &'a str, report_dir: &'a str) -> Vec<&'a str> {
    vec![
        "run",
        "--target",
        url,
        "--project-id",
        PROJECT,
        "--token",
        token,
        "--report-dir",
        report_dir,
    ]
}

/// `run` against `url` with `token`, a few fuzz cases with `seed`, into `report_dir` (in
/// its parent); it must end non-conformant. The output and its stdout.
fn run_failing(url: &str, token: &str, seed: &str, report_dir: &Path) -> (Output, String) {
    let report_arg = report_dir.display().to_string();
    let mut args = run_args(url, token, &report_arg);
    args.extend(["--fuzz-cases", "8", "--seed", seed, "--timeout", "5"]);
    let cwd = report_dir.parent().unwrap_or(report_dir);
    let output = sdconform_with(&args, cwd, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    (output, stdout)
}

/// Every output of a run: stdout, stderr and every file under `dirs`.
fn outputs(output: &Output, dirs: &[&Path]) -> Vec<(String, String)> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path: PathBuf = entry.path();
            if path.is_dir() && depth < 4 {
                walk(&path, depth + 1, out);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    let mut all = vec![
        (
            "stdout".to_owned(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr".to_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    for dir in dirs {
        walk(dir, 0, &mut all);
    }
    all
}

/// Where any of `forms` (compared ignoring ASCII case) shows in `outputs`.
fn leaks(outputs: &[(String, String)], forms: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (what, text) in outputs {
        let lower = text.to_ascii_lowercase();
        for form in forms {
            if lower.contains(&form.to_ascii_lowercase()) {
                found.push(format!("{form:?} in {what}"));
            }
        }
    }
    found
}

/// `text` percent-encoded as a query component.
fn percent(text: &str) -> String {
    sdconform::http::encode(text)
}

/// `text` as the inside of a JSON string.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("a string serializes");
    quoted
        .get(1..quoted.len() - 1)
        .unwrap_or_default()
        .to_owned()
}

/// Every spelling a secret can take in text: raw, percent-encoded, JSON-escaped, base64.
fn forms(secret: &str) -> Vec<String> {
    vec![
        secret.to_owned(),
        percent(secret),
        json_escaped(secret),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ]
}

/// A target that answers the unfiltered list with the contract's example and any
/// filtered request with 500; `echo` makes what it puts in every answer from the request.
fn echoing(echo: impl Fn(&Head) -> Echo + Send + Sync + 'static) -> Adversary {
    Adversary::start(Behaviour::Respond(Arc::new(move |head| {
        let Echo { text, header } = echo(head);
        let escaped = json_escaped(&text);
        if head.target.contains("server_id") {
            // An error message holding the secret, in a value and in a key.
            let body = format!(
                r#"{{"error": {{"message": "rejected {escaped}", "{escaped}": "{}"}}}}"#,
                STANDARD.encode(&text)
            );
            let header = format!("X-Echo: {header}");
            return response(
                "500 Internal Server Error",
                &["Content-Type: application/json", &header],
                body.as_bytes(),
            );
        }
        let body = CONFORMANT_BODY
            .replace("Outputs received", &format!("you sent {escaped}"))
            .replace(
                r#""deploy_stdout": "ok""#,
                &format!(
                    r#""{escaped}": "{}", "{}": "{}", "b64": "{}""#,
                    percent(&text),
                    STANDARD.encode(&text),
                    URL_SAFE_NO_PAD.encode(&text),
                    STANDARD_NO_PAD.encode(&text)
                ),
            );
        let mut bytes = json_200(body.as_bytes());
        // A header holding it too, before the blank line.
        let extra = format!(
            "X-Echo: {header}\r\nX-Echo-B64: {}\r\n",
            STANDARD.encode(&text)
        );
        if let Some(at) = bytes.windows(2).position(|w| w == b"\r\n") {
            let at = at + 2;
            bytes.splice(at..at, extra.into_bytes());
        }
        bytes
    })))
}

/// What an echoing target sends back: `text` in bodies and keys, `header` in a header.
struct Echo {
    text: String,
    header: String,
}

/// Issue 10 item 6: the `user:password@` of `--target` is a credential: it is sent (as
/// `Authorization: Basic`), and shown nowhere, in no spelling, even when the target echoes
/// the header back; the report's URL and the repro command go without it.
#[test]
fn credentials_in_the_target_url_never_leave_issue_10_item_6() {
    let target = echoing(|head| {
        let basic = head.header("authorization").unwrap_or("none").to_owned();
        Echo {
            text: basic.clone(),
            header: basic,
        }
    });
    let address = target.url().replacen("http://", "", 1);
    let url = format!("http://sd-admin:hunter2%40pw@{address}");
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let (output, stdout) = run_failing(&url, TOKEN, "1", &report_dir);
    // It was sent.
    let basic = format!("Basic {}", STANDARD.encode("sd-admin:hunter2@pw"));
    assert!(
        target
            .heads()
            .iter()
            .all(|h| h.header("authorization") == Some(basic.as_str())),
        "{:?}",
        target.heads()
    );
    let mut secrets = vec!["sd-admin".to_owned(), "hunter2".to_owned()];
    secrets.extend(forms("sd-admin:hunter2@pw"));
    secrets.extend(forms(TOKEN));
    let all = outputs(&output, &[dir.path()]);
    let found = leaks(&all, &secrets);
    assert!(found.is_empty(), "{found:#?}\n{stdout}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(report["target"]["url"], target.url());
    assert!(
        stdout.contains(&format!("target: {}", target.url())),
        "{stdout}"
    );
    assert!(stdout.contains("-u \"$TARGET_USERINFO\""), "{stdout}");
    assert!(
        report.to_string().contains("<redacted>"),
        "the echo is scrubbed"
    );
}

/// Issue 10 item 7: a secret that cannot be redacted without destroying the reports (a
/// word they use, a clause id, fewer than 4 bytes) is refused with exit 2 before any
/// request is sent, and nothing is written; it used to run, with a report that failed open.
#[test]
fn secrets_that_cannot_be_redacted_are_refused_before_any_request_issue_10_item_7() {
    let target = echoing(|_| Echo {
        text: String::new(),
        header: String::new(),
    });
    let address = target.url().replacen("http://", "", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_arg = report_dir.display().to_string();
    let refused = |url: &str, token: &str, what: &str| {
        let output = sdconform_with(&run_args(url, token, &report_arg), dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{token:?}: {stderr}");
        assert!(stderr.contains(what), "{token:?}: {stderr}");
        assert!(stderr.contains("so the run is refused"), "{stderr}");
        assert!(target.heads().is_empty(), "{token:?}: a request was sent");
        assert!(!report_dir.exists(), "{token:?}: something was written");
    };
    for token in ["pass", "MUST", "documented", "SD-RESP-4", "abc"] {
        refused(&target.url(), token, "the token given with --token");
    }
    refused(
        &format!("http://admin:MUST@{address}"),
        TOKEN,
        "the password in --target",
    );
    // The embedded target too, and a token from the environment, named by its variable.
    let output = sdconform_with(
        &["run", "--report-dir", &report_arg],
        dir.path(),
        &[("OS_AUTH_TOKEN", "documented")],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the token in $OS_AUTH_TOKEN"), "{stderr}");
}

/// Issue 10 item 7: a target that echoes the token in a body value, a JSON key of its body,
/// a header and an error message, raw, percent-encoded, JSON-escaped and in base64: no
/// output (stdout, stderr, the four reports, the regressions file) holds any of them.
#[test]
fn a_target_that_echoes_the_token_everywhere_leaks_it_nowhere_issue_10_item_7() {
    // Characters that make every spelling different from the others.
    const ECHOED: &str = "ech0+tok/en=\"5ecret\"-DO-NOT-LEAK";
    let target = echoing(|head| {
        let token = head.header("x-auth-token").unwrap_or("none").to_owned();
        Echo {
            text: format!("{token} {} {}", percent(&token), STANDARD.encode(&token)),
            header: token,
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let (output, stdout) = run_failing(&target.url(), ECHOED, "2", &report_dir);
    assert!(
        target
            .heads()
            .iter()
            .any(|h| h.header("x-auth-token") == Some(ECHOED)),
        "the target got the token, so the echo was real"
    );
    let all = outputs(&output, &[dir.path()]);
    assert!(
        all.iter()
            .any(|(what, _)| what.ends_with(sdconform::fuzz::regression::DEFAULT_FILE)),
        "the regressions file was written: {stdout}"
    );
    // Issue 12 item 1: the recording is among the outputs searched.
    assert!(
        all.iter()
            .any(|(what, _)| what.ends_with("exchanges.ndjson")),
        "the exchanges were recorded: {stdout}"
    );
    let found = leaks(&all, &forms(ECHOED));
    assert!(found.is_empty(), "{found:#?}\n{stdout}");
    let report = std::fs::read_to_string(report_dir.join("report.json")).expect("report.json");
    assert!(
        report.contains("<redacted>"),
        "the echo is scrubbed, not dropped"
    );
}

/// Issue 10 item 8: an empty `SDCONFORM_TOKEN` (a CI masked variable that is not
/// available) hides nothing: `OS_AUTH_TOKEN` is used, and the repro commands name
/// `$OS_AUTH_TOKEN` and show the status code; with the token in `SDCONFORM_TOKEN` they
/// name that.
#[test]
fn an_empty_token_variable_hides_nothing_and_repro_lines_name_the_source_issue_10_item_8() {
    let clean = Reference::start(None);
    let faulty = Reference::start(Some(Fault::ServerErrorOnSpecialCharacters));
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_arg = report_dir.display().to_string();
    let run = |command: &str, url: &str, extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            command,
            "--target",
            url,
            "--project-id",
            PROJECT,
            "--report-dir",
            &report_arg,
        ];
        args.extend_from_slice(extra);
        finish(sdconform_with(&args, dir.path(), env), &report_dir)
    };
    let masked = [("SDCONFORM_TOKEN", ""), ("OS_AUTH_TOKEN", TOKEN)];
    let suite = run("run", &clean.url(), &["--fuzz-cases", "0"], &masked);
    assert_eq!(suite.code, 0, "{}\n{}", suite.stdout, suite.stderr);
    assert!(!suite.stderr.contains("no token"), "{}", suite.stderr);

    for (env, variable) in [
        (masked, "$OS_AUTH_TOKEN"),
        (
            [("SDCONFORM_TOKEN", TOKEN), ("OS_AUTH_TOKEN", "")],
            "$SDCONFORM_TOKEN",
        ),
    ] {
        let fuzzed = run(
            "fuzz",
            &faulty.url(),
            &["--cases", "300", "--seed", "3"],
            &env,
        );
        assert_eq!(fuzzed.code, 1, "{}\n{}", fuzzed.stdout, fuzzed.stderr);
        let report = fuzzed.report.expect("report.json");
        let repros: Vec<String> = report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["findings"].as_array().into_iter().flatten())
            .filter_map(|f| f["fuzz"]["repro"].as_str().map(str::to_owned))
            .collect();
        assert!(!repros.is_empty(), "{}", fuzzed.stdout);
        let header = format!("-H \"X-Auth-Token: {variable}\" ");
        for repro in &repros {
            assert!(
                repro.contains(&header) && repro.contains("%{http_code}") && !repro.contains('#'),
                "{repro}"
            );
            assert!(fuzzed.stdout.contains(repro.as_str()), "{}", fuzzed.stdout);
        }
        let summary = std::fs::read_to_string(report_dir.join("summary.md")).expect("summary.md");
        assert!(summary.contains(variable), "{summary}");
        assert!(!fuzzed.stdout.contains(TOKEN) && !summary.contains(TOKEN));
    }
}
