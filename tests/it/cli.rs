//! The real binary: exit codes 0 to 4, key output, no token anywhere.

use std::net::TcpListener;

use sdconform::reference::Fault;

use crate::support::{
    PROJECT, Reference, TOKEN, against, assert_valid_report, case_ids, finish, run_against,
    sdconform,
};

#[test]
fn exit_0_the_main_job_runs_from_any_directory_against_the_embedded_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["run"], dir.path());
    let run = finish(output, &dir.path().join("reports"));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("verdict: CONFORMANT"), "{}", run.stdout);
    assert!(
        run.stdout.contains("report: reports/report.json"),
        "{}",
        run.stdout
    );
    let report = run
        .report
        .expect("reports/report.json written in the working directory");
    assert_valid_report(&report);
    assert_eq!(report["target"]["embedded"], true);
    assert_eq!(report["cases_source"], "embedded");
}

#[test]
fn exit_1_on_a_must_failure() {
    let reference = Reference::start(Some(Fault::StatusOutsideEnum));
    let run = run_against(&reference.url(), &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("verdict: NON-CONFORMANT"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("SD-RESP-9"), "{}", run.stdout);
}

#[test]
fn exit_2_on_usage_and_load_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_flag = sdconform(&["run", "--no-such-flag"], dir.path());
    assert_eq!(bad_flag.status.code(), Some(2));
    let no_project = sdconform(&["run", "--target", "http://127.0.0.1:9"], dir.path());
    assert_eq!(no_project.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_project.stderr).contains("--project-id"));
    let bad_profile = sdconform(&["run", "--profile", "loose"], dir.path());
    assert_eq!(bad_profile.status.code(), Some(2));

    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::write(
        cases.join("broken.json"),
        "{\n  \"cases\": [\n    { \"id\": \"x\", \"title\": \"t\", \"requets\": {} }\n  ]\n}\n",
    )
    .expect("write");
    let output = sdconform(&["run", "--cases", "cases"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("broken.json:3:"),
        "names file and line: {stderr}"
    );
    assert!(stderr.contains("requets"), "names what is wrong: {stderr}");
    assert!(
        !dir.path().join("reports").exists(),
        "no report for a load error"
    );

    let schemas = dir.path().join("schemas");
    std::fs::create_dir(&schemas).expect("mkdir");
    let output = sdconform(&["run", "--schemas", "schemas"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing"));
}

#[test]
fn exit_3_when_the_target_is_unreachable_or_the_report_unwritable() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let url = format!("http://127.0.0.1:{port}");
    let run = run_against(&url, &["--connect-timeout", "2", "--timeout", "5"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("a report even when the target is down");
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "error");
    // One run-wide error (issue 10 item 10), not one per case.
    assert!(run.stdout.contains("error in preflight"), "{}", run.stdout);

    let reference = Reference::start(None);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let file_str = file.to_string_lossy().into_owned();
    let url = reference.url();
    let mut args = against("run", &url);
    args.extend(["--report-dir", &file_str]);
    let output = sdconform(&args, dir.path());
    assert_eq!(output.status.code(), Some(3));
    // Issue 10 item 5: found before the suite starts, not after it.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("verdict:"), "nothing ran: {stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("failed to use the report directory")
            && stderr.contains("not a writable directory"),
        "{stderr}"
    );
}

#[test]
fn exit_4_when_the_filter_selects_no_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["run", "no-case-is-called-this"], dir.path());
    assert_eq!(output.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no case matches"));
    let output = sdconform(&["run", "--exact", "list"], dir.path());
    assert_eq!(output.status.code(), Some(4));
}

#[test]
fn filter_skip_exact_and_list_select_cases_like_libtest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["run", "--list"], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout.contains("list-all: test") && stdout.contains("auth-missing-token: test"),
        "{stdout}"
    );
    assert!(
        !dir.path().join("reports").exists(),
        "--list writes no report"
    );

    // A filtered case still gets its captures: list-all runs as a prerequisite.
    let output = sdconform(&["run", "--exact", "filter-existing-server"], dir.path());
    let run = finish(output, &dir.path().join("reports"));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.report.expect("report");
    let ids = case_ids(&report);
    assert_eq!(ids, vec!["filter-existing-server"]);
    assert_eq!(report["cases"][0]["outcome"], "pass");

    let output = sdconform(
        &["run", "filter", "--skip", "prefix", "--test-threads", "1"],
        dir.path(),
    );
    let run = finish(output, &dir.path().join("reports"));
    let report = run.report.expect("report");
    let ids = case_ids(&report);
    assert_eq!(
        ids,
        vec![
            "filter-case-flipped-server",
            "filter-existing-server",
            "filter-unknown-server"
        ]
    );
}

#[test]
fn the_token_never_leaves_even_when_the_target_echoes_it() {
    let reference = Reference::start(Some(Fault::AcceptMissingToken));
    let run = run_against(&reference.url(), &[]);
    let report_text = run
        .report
        .as_ref()
        .map(|r| r.to_string())
        .unwrap_or_default();
    assert!(!report_text.is_empty());
    for (what, text) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("report", &report_text),
    ] {
        assert!(!text.contains(TOKEN), "token leaked in {what}");
    }
    assert!(
        report_text.contains("<redacted>"),
        "the request record shows the header as redacted"
    );

    // The token from the environment is used (the run passes) and is not leaked.
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = Reference::start(None);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(["run", "--target", &clean.url(), "--project-id", PROJECT])
        .current_dir(dir.path())
        .env_remove("SDCONFORM_TOKEN")
        .env("OS_AUTH_TOKEN", TOKEN)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = std::fs::read_to_string(dir.path().join("reports/report.json")).expect("report");
    assert!(!report.contains(TOKEN));
    assert!(!String::from_utf8_lossy(&output.stdout).contains(TOKEN));
}

#[test]
fn serve_lists_faults_and_rejects_unknown_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = sdconform(&["serve", "--list-faults"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for fault in Fault::ALL {
        assert!(stdout.contains(fault.name()), "{}", fault.name());
    }
    let output = sdconform(
        &["serve", "--fault", "no-such-fault", "--port", "0"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown fault"));
}

#[test]
fn serve_prints_its_url_project_and_token_and_answers() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(["serve", "--port", "0", "--token", "serve-token-1234"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut url = None;
    for _ in 0..6 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("url: ") {
            url = Some(rest.to_owned());
        }
        if line.starts_with("fault:") {
            break;
        }
    }
    let url = url.expect("serve prints url:");
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("r");
    let output = sdconform(
        &[
            "run",
            "--target",
            &url,
            "--project-id",
            PROJECT,
            "--token",
            "serve-token-1234",
            "--report-dir",
            &report_dir.to_string_lossy(),
        ],
        dir.path(),
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn fuzz_takes_the_same_tls_options_as_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    for command in ["run", "fuzz"] {
        let output = sdconform(&[command, "--cacert", "no-such-ca.pem"], dir.path());
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("no-such-ca.pem"),
            "{command}"
        );
    }
}

#[test]
fn cases_and_schemas_directories_replace_the_shipped_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A copy of the shipped schemas, and a cases directory holding only the auth cases.
    let schemas = dir.path().join("my-schemas");
    std::fs::create_dir_all(schemas.join("profiles")).expect("mkdir");
    for entry in std::fs::read_dir(repo.join("schemas"))
        .expect("schemas")
        .flatten()
    {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), schemas.join(entry.file_name())).expect("copy");
        }
    }
    for entry in std::fs::read_dir(repo.join("schemas/profiles"))
        .expect("profiles")
        .flatten()
    {
        std::fs::copy(
            entry.path(),
            schemas.join("profiles").join(entry.file_name()),
        )
        .expect("copy");
    }
    let cases = dir.path().join("my-cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::copy(repo.join("cases/auth.json"), cases.join("auth.json")).expect("copy");
    let output = sdconform(
        &[
            "run",
            "--cases",
            "my-cases",
            "--schemas",
            "my-schemas",
            "--fuzz-cases",
            "0",
        ],
        dir.path(),
    );
    let run = finish(output, &dir.path().join("reports"));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.expect("report");
    assert_eq!(
        case_ids(&report),
        vec!["auth-invalid-token", "auth-missing-token"]
    );
    assert!(
        report["cases_source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("my-cases")
    );
    assert!(
        report["contract_source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("my-schemas")
    );

    // A replaced schema is the one used: make `status` an open string and a
    // status outside the enum passes.
    let schema_path = schemas.join("software-deployments.schema.json");
    let text = std::fs::read_to_string(&schema_path).expect("read");
    let open = text.replace(
        r#""enum": ["COMPLETE", "IN_PROGRESS", "FAILED"]"#,
        r#""minLength": 1"#,
    );
    assert_ne!(open, text, "the enum is in the shipped schema");
    std::fs::write(&schema_path, open).expect("write");
    std::fs::copy(repo.join("cases/list.json"), cases.join("list.json")).expect("copy");
    let reference = Reference::start(Some(Fault::StatusOutsideEnum));
    let run = run_against(
        &reference.url(),
        &[
            "--cases",
            &cases.to_string_lossy(),
            "--schemas",
            &schemas.to_string_lossy(),
            "--fuzz-cases",
            "0",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let shipped = run_against(&reference.url(), &["--fuzz-cases", "0"]);
    assert_eq!(shipped.code, 1, "the shipped schema still rejects it");
}
