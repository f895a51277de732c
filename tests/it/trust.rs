//! Issue 10, "verdicts a CI can trust": the real binary against the reference target,
//! for the items about noise, vacuous passes and setup mistakes (9, 10, 11, 12, 19).

use sdconform::reference::Fault;
use serde_json::Value;

use crate::support::{
    PROJECT, Reference, Run, TOKEN, against, assert_valid_report, findings, finish, run_against,
    sdconform,
};

const PROFILES: [&str; 3] = ["strict", "documented", "lenient"];

/// The fault called `name` (by name, so that a fault this build lacks fails the test).
fn fault(name: &str) -> Fault {
    Fault::from_name(name).unwrap_or_else(|| panic!("no fault {name}"))
}

/// `sdconform ARGS` in a fresh directory, reports in its `reports`.
fn command(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_dir_str = report_dir.to_string_lossy().into_owned();
    let mut args = args.to_vec();
    args.extend(["--report-dir", &report_dir_str]);
    finish(sdconform(&args, dir.path()), &report_dir)
}

/// The case `id` of a report.
fn case<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .unwrap_or(&Value::Null)
}

fn context(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

// ------------------------------------------------------------------ item 9

/// Issue 10 item 9: a defect of the unfiltered list is list-all's finding, once; the
/// fuzz case, whose answers show it again (a filtered list holding the broken item,
/// `server_id=` read as no filter), has no finding for that clause.
#[test]
fn a_defect_of_the_unfiltered_list_is_list_alls_not_the_fuzz_inputs() {
    for name in ["updated-before-created", "creation-time-no-offset"] {
        let reference = Reference::start(Some(fault(name)));
        let clause = fault(name).breaks().map(|b| b.clause).unwrap_or_default();
        let run = run_against(&reference.url(), &["--seed", "7"]);
        let report = run.report.as_ref().expect("report");
        assert_valid_report(report);
        let list_all: Vec<_> = findings(report)
            .into_iter()
            .filter(|(case, c, _)| case == "list-all" && c == clause)
            .collect();
        assert!(!list_all.is_empty(), "{name}: {}", context(&run));
        let fuzz = case(report, "fuzz-server-id");
        let fuzz_findings: Vec<&Value> =
            fuzz["findings"].as_array().into_iter().flatten().collect();
        assert_eq!(
            fuzz_findings,
            Vec::<&Value>::new(),
            "{name}: the fuzz case repeats list-all's finding\n{}",
            context(&run)
        );
        let notes = fuzz["notes"].to_string();
        assert!(
            notes.contains("the unfiltered list breaks") && notes.contains("list-all reports it"),
            "{name}: {notes}"
        );
        assert_eq!(run.code, 1, "{name}: {}", context(&run));
        // Without list-all (sdconform fuzz), the fuzz case reports it itself, once.
        let url = reference.url();
        let mut args = against("fuzz", &url);
        args.extend(["--cases", "100", "--seed", "7"]);
        let fuzzed = command(&args);
        let report = fuzzed.report.as_ref().expect("report");
        let own: Vec<&Value> = case(report, "fuzz-server-id")["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        assert!(!own.is_empty(), "{name}: {}", context(&fuzzed));
        assert!(
            own.iter().all(|f| f["clause"] == clause
                && f["fuzz"].is_null()
                && f["message"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("the unfiltered list (fuzzing's baseline): ")),
            "{name}: {own:?}"
        );
        assert_eq!(fuzzed.code, 1, "{name}: {}", context(&fuzzed));
    }
}

// ------------------------------------------------------------------ item 10

/// Issue 10 item 10: setup mistakes stop the run before any case, with one run-wide
/// error and its hint, exit 3, never a finding; the embedded reference is unaffected.
#[test]
fn setup_mistakes_are_one_run_wide_error_with_a_hint_never_a_finding() {
    let reference = Reference::start(None);
    let url = reference.url();
    let suffixed = format!("{url}/v1/{PROJECT}");
    let wrong_project = "0123456789abcdef0123456789abcdef";
    // `COMMAND --target URL --project-id PROJECT [--token TOKEN]`, and a small fuzz budget.
    let args = |command: &'static str, url: &str, project: &str, token: Option<&str>| {
        let mut args: Vec<String> = [command, "--target", url, "--project-id", project]
            .map(str::to_owned)
            .to_vec();
        args.extend(token.map(|t| format!("--token={t}")));
        if command == "fuzz" {
            args.extend(["--cases".to_owned(), "20".to_owned()]);
        }
        args
    };
    let wrong = Some("not-the-token-42");
    // (what, arguments, fragments of the hint)
    let table: Vec<(&str, Vec<String>, &[&str])> = vec![
        (
            "a wrong token",
            args("run", &url, PROJECT, wrong),
            &[
                "refuses our credentials",
                "check the token and where it came from",
            ],
        ),
        (
            "no token",
            args("run", &url, PROJECT, None),
            &["without a token", "--token"],
        ),
        (
            "a wrong project id",
            args("run", &url, wrong_project, Some(TOKEN)),
            &["does not exist", "check --project-id"],
        ),
        (
            "the catalog URL as the base",
            args("run", &suffixed, PROJECT, Some(TOKEN)),
            &["already ends in /v1/", "drop that suffix"],
        ),
        (
            "fuzz with a wrong token",
            args("fuzz", &url, PROJECT, wrong),
            &["refuses our credentials"],
        ),
        (
            "fuzz with a wrong project id",
            args("fuzz", &url, wrong_project, Some(TOKEN)),
            &["check --project-id"],
        ),
    ];
    for (what, args, hint) in table {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = command(&args);
        let context = format!("{what}: {}", context(&run));
        assert_eq!(run.code, 3, "{context}");
        let report = run.report.as_ref().expect("a report says why");
        assert_valid_report(report);
        assert_eq!(findings(report), vec![], "{context}");
        assert_eq!(report["verdict"], "error", "{context}");
        let error = case(report, "preflight")["error"]
            .as_str()
            .unwrap_or_default();
        for fragment in hint {
            assert!(error.contains(fragment), "{context}\nerror: {error}");
        }
        // One run-wide message, not one per case: no case ran.
        assert_eq!(crate::support::case_ids(report), ["preflight"], "{context}");
        let printed = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(printed.matches(hint[0]).count(), 1, "{context}");
        assert!(!run.stdout.contains("running "), "{context}");
    }
    // The embedded reference, and the same target with the right settings, run as ever.
    assert_eq!(command(&["run", "--fuzz-cases", "20"]).code, 0);
    let run = run_against(&url, &["--fuzz-cases", "20"]);
    assert_eq!(run.code, 0, "{}", context(&run));
}

/// Issue 10 item 10: an unreachable target is one clear run-wide message, exit 3.
#[test]
fn an_unreachable_target_is_one_run_wide_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let url = format!("http://127.0.0.1:{port}");
    let run = run_against(&url, &["--connect-timeout", "2"]);
    assert_eq!(run.code, 3, "{}", context(&run));
    let printed = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(
        printed.matches("could not be reached").count(),
        1,
        "{}",
        context(&run)
    );
    let report = run.report.expect("report");
    assert_eq!(crate::support::case_ids(&report), ["preflight"]);
}

// ------------------------------------------------------------------ item 11

/// Issue 10 item 11: nothing tested is not a pass. An empty project is inconclusive
/// (exit 5) in every format, for `run` and `fuzz`; `--allow-empty` makes it
/// conformant; a run narrowed to cases without items is not inconclusive.
#[test]
fn an_empty_project_is_inconclusive_unless_allowed() {
    let reference = Reference::start(Some(fault("empty-list")));
    let url = reference.url();
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_dir_str = report_dir.to_string_lossy().into_owned();
    let mut args = against("run", &url);
    args.extend(["--report-dir", &report_dir_str, "--seed", "3"]);
    let run = finish(sdconform(&args, dir.path()), &report_dir);
    assert_eq!(run.code, 5, "{}", context(&run));
    let report = run.report.as_ref().expect("report");
    assert_valid_report(report);
    assert_eq!(report["verdict"], "inconclusive");
    assert!(
        report["verdict_reasons"][0]
            .as_str()
            .unwrap_or_default()
            .starts_with("no response item was validated"),
        "{}",
        report["verdict_reasons"]
    );
    assert!(
        run.stdout.contains("verdict: INCONCLUSIVE"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("rests on no data"), "{}", run.stdout);
    let file = |name: &str| std::fs::read_to_string(report_dir.join(name)).unwrap_or_default();
    assert!(
        file("summary.md").contains("INCONCLUSIVE"),
        "{}",
        file("summary.md")
    );
    assert!(file("report.html").to_lowercase().contains("inconclusive"));
    assert!(
        file("junit.xml").contains("inconclusive"),
        "{}",
        file("junit.xml")
    );
    assert_eq!(case(report, "fuzz-server-id")["outcome"], "not_exercised");

    let allowed = run_against(&url, &["--allow-empty", "--seed", "3"]);
    assert_eq!(allowed.code, 0, "{}", context(&allowed));
    let report = allowed.report.as_ref().expect("report");
    assert_eq!(report["verdict"], "conformant");
    assert_eq!(report["vacuous"], true);
    assert_eq!(report["gate"]["allow_empty"], true);
    assert!(allowed.stdout.contains("rests on no data"));

    for (extra, code) in [(None, 5), (Some("--allow-empty"), 0)] {
        let mut args = against("fuzz", &url);
        args.extend(["--cases", "100", "--seed", "3"]);
        args.extend(extra);
        let fuzzed = command(&args);
        assert_eq!(fuzzed.code, code, "{extra:?}: {}", context(&fuzzed));
    }

    // Narrowed to cases that never look at an item: not inconclusive.
    let auth = run_against(&url, &["auth-"]);
    assert_eq!(auth.code, 0, "{}", context(&auth));
    assert_eq!(auth.report.expect("report")["verdict"], "conformant");
    // The clean reference, items and all, is conformant as ever.
    let clean = Reference::start(None);
    assert_eq!(run_against(&clean.url(), &["--fuzz-cases", "50"]).code, 0);
}

// ------------------------------------------------------------------ item 12

/// Issue 10 item 12 (SD-URI-2): another project's path (a fresh random project id)
/// never lists the target project's deployments; 403 for it is MUST under strict,
/// SHOULD under documented, accepted with a note under lenient.
#[test]
fn another_projects_path_never_lists_ours() {
    let clean = Reference::start(None);
    let leaky = Reference::start(Some(fault("other-project-own-deployments")));
    let forbidden = Reference::start(Some(fault("other-project-path-forbidden")));
    let mut sent = Vec::new();
    for profile in PROFILES {
        let args = ["--profile", profile, "--fuzz-cases", "0"];
        let run = run_against(&clean.url(), &args);
        let report = run.report.as_ref().expect("report");
        let other = case(report, "other-project");
        assert_eq!(other["outcome"], "pass", "{profile}: {other}");
        assert_eq!(other["response"]["status"], 404);
        let url = other["request"]["url"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!url.contains(PROJECT), "{url}");
        sent.push(url);
        assert_eq!(run.code, 0, "{profile}: {}", context(&run));

        let run = run_against(&leaky.url(), &args);
        let report = run.report.as_ref().expect("report");
        let found = findings(report);
        assert!(!found.is_empty(), "{profile}: {}", context(&run));
        assert!(
            found
                .iter()
                .all(|(case, clause, severity)| case == "other-project"
                    && clause == "SD-URI-2"
                    && severity == "MUST"),
            "{profile}: {found:?}"
        );
        assert_eq!(run.code, 1, "{profile}");

        let run = run_against(&forbidden.url(), &args);
        let report = run.report.as_ref().expect("report");
        let found = findings(report);
        let other = case(report, "other-project");
        match profile {
            "strict" | "documented" => {
                let want = if profile == "strict" {
                    "MUST"
                } else {
                    "SHOULD"
                };
                assert_eq!(
                    found,
                    vec![(
                        "other-project".to_owned(),
                        "SD-CODE-SET".to_owned(),
                        want.to_owned()
                    )],
                    "{profile}"
                );
                assert_eq!(
                    other["findings"][0]["accepted_by"],
                    serde_json::json!(["lenient"])
                );
                assert_eq!(run.code, i32::from(profile == "strict"), "{profile}");
            }
            _ => {
                assert_eq!(found, vec![], "{profile}");
                assert!(
                    other["notes"]
                        .to_string()
                        .contains("the lenient profile accepts it"),
                    "{other}"
                );
                assert_eq!(other["outcome"], "pass");
                assert_eq!(run.code, 0);
            }
        }
    }
    // A fresh project id per run.
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), PROFILES.len(), "{sent:?}");
}

// ------------------------------------------------------------------ item 19

/// Issue 10 item 19: SHOULD findings under a CONFORMANT verdict are warnings, not
/// failing clauses; a pointer is printed once, an empty one never as `at ""`.
#[test]
fn warnings_are_not_failing_clauses_and_pointers_print_once() {
    let skew = Reference::start(Some(fault("updated-before-created-within-skew")));
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("reports");
    let report_dir_str = report_dir.to_string_lossy().into_owned();
    let url = skew.url();
    let mut args = against("run", &url);
    args.extend(["--report-dir", &report_dir_str, "--fuzz-cases", "0"]);
    let run = finish(sdconform(&args, dir.path()), &report_dir);
    assert_eq!(run.code, 0, "{}", context(&run));
    assert!(run.stdout.contains("verdict: CONFORMANT"), "{}", run.stdout);
    assert!(!run.stdout.contains("failing clauses"), "{}", run.stdout);
    assert!(run.stdout.contains("warnings ("), "{}", run.stdout);
    let md = std::fs::read_to_string(report_dir.join("summary.md")).unwrap_or_default();
    assert!(!md.contains("### Failing clauses"), "{md}");
    assert!(md.contains("### Warnings"), "{md}");

    // --fail-on should: the same findings fail the run, and are listed as failing.
    let gated = run_against(&url, &["--fuzz-cases", "0", "--fail-on", "should"]);
    assert_eq!(gated.code, 1);
    assert!(
        gated.stdout.contains("failing clauses:"),
        "{}",
        gated.stdout
    );

    // A pointer once; the whole response (an empty pointer) never as `at ""`.
    for (name, pointer) in [
        (
            "status-outside-enum",
            Some("/software_deployments/0/status"),
        ),
        ("unknown-path-ok", None),
    ] {
        let broken = Reference::start(Some(fault(name)));
        let run = run_against(&broken.url(), &["--fuzz-cases", "0"]);
        assert_eq!(run.code, 1, "{name}: {}", context(&run));
        assert!(!run.stdout.contains("at \"\""), "{name}: {}", run.stdout);
        if let Some(pointer) = pointer {
            let line = run
                .stdout
                .lines()
                .find(|l| l.starts_with("SD-RESP-9 MUST"))
                .unwrap_or_default();
            assert_eq!(line.matches(pointer).count(), 1, "{name}: {line:?}");
        }
    }
}
