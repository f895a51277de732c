//! Issue 10 items 4 and 5, where a run's state goes: the report directory belongs to
//! one run at a time and holds only its reports; the fuzz regressions file lives in it
//! (not in the working tree), and two runs that share one lose none of its entries.
//!
//! The real binary, against the reference target (with faults fuzzing finds) and an
//! adversary that counts the requests it gets.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sdconform::fuzz;
use sdconform::reference::Fault;
use sdconform::report::lock::DirLock;
use serde_json::Value;

use crate::adversary::{Adversary, Behaviour, CONFORMANT_BODY, json_200};
use crate::support::{Reference, against, finish, sdconform};

/// The report files of every format.
const FORMATS: [&str; 4] = ["report.json", "junit.xml", "summary.md", "report.html"];

/// A target that answers every request with the contract's own example, and counts them.
fn conformant_adversary() -> Adversary {
    Adversary::start(Behaviour::Respond(Arc::new(|_| {
        json_200(CONFORMANT_BODY.as_bytes())
    })))
}

/// `args` (owned) as the `&str`s `sdconform` takes.
fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `COMMAND --target URL ... --report-dir DIR EXTRA...`, owned.
fn command(command: &str, url: &str, report_dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = against(command, url)
        .into_iter()
        .map(str::to_owned)
        .collect();
    args.extend(["--report-dir".to_owned(), report_dir.display().to_string()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// The (property, wire query) of each fuzz finding a report shows that this run generated.
fn generated(report: &Value) -> BTreeSet<(String, String)> {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|case| case["findings"].as_array().into_iter().flatten())
        .filter(|f| f["fuzz"]["origin"] == "generated")
        .map(|f| {
            (
                f["fuzz"]["property"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["fuzz"]["wire_query"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

/// Issue 10 item 4: two `fuzz` runs that share one regressions file (each with its own
/// report directory) both add entries, at the same time; the file keeps every one. Each
/// used to write back what it had read at its start plus its own finds (entries were lost
/// 10 times out of 10).
#[test]
fn two_concurrent_fuzz_runs_on_one_regressions_file_lose_no_entry_issue_10_item_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("shared-regressions.json");
    let shared_arg = shared.display().to_string();
    // Two faults that fuzzing finds, with different properties: the two runs' entries
    // cannot be the same entry.
    let faults = [
        (Fault::ServerErrorOnSpecialCharacters, "3"),
        (Fault::TeapotOnWhitespace, "4"),
    ];
    let references: Vec<Reference> = faults
        .iter()
        .map(|(fault, _)| Reference::start(Some(*fault)))
        .collect();
    let runs: Vec<(i32, String, Option<Value>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = references
            .iter()
            .zip(faults)
            .enumerate()
            .map(|(n, (reference, (_, seed)))| {
                let report_dir = dir.path().join(format!("reports-{n}"));
                let args = command(
                    "fuzz",
                    &reference.url(),
                    &report_dir,
                    &[
                        "--cases",
                        "300",
                        "--seed",
                        seed,
                        "--regressions",
                        &shared_arg,
                    ],
                );
                let cwd = dir.path();
                scope.spawn(move || {
                    let run = finish(sdconform(&refs(&args), cwd), &report_dir);
                    (run.code, run.stdout, run.report)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the run ends"))
            .collect()
    });
    let text = std::fs::read_to_string(&shared).expect("the shared file is written");
    let entries = fuzz::regression::parse("shared", &text).expect("it parses");
    let kept: BTreeSet<(String, String)> = entries
        .iter()
        .map(|e| (e.property.clone(), e.wire_query.clone()))
        .collect();
    for (code, stdout, report) in runs {
        assert_eq!(code, 1, "{stdout}");
        let found = generated(&report.expect("report.json"));
        assert!(!found.is_empty(), "the run found something: {stdout}");
        let lost: Vec<_> = found.difference(&kept).collect();
        assert!(lost.is_empty(), "lost {lost:?}; the file holds {kept:?}");
    }
}

/// Issue 10 item 4: a run whose report directory another run holds fails at once, with a
/// message naming the directory (exit 3), sends nothing and writes nothing there.
#[test]
fn a_second_run_on_a_locked_report_directory_fails_at_once_issue_10_item_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("shared-reports");
    let target = conformant_adversary();
    let held = DirLock::acquire(&report_dir).expect("the test holds the directory");
    let args = command("run", &target.url(), &report_dir, &[]);
    let run = finish(sdconform(&refs(&args), dir.path()), &report_dir);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&report_dir.display().to_string())
            && run.stderr.contains("in use by another sdconform run"),
        "{}",
        run.stderr
    );
    assert!(target.heads().is_empty(), "{:?}", target.heads());
    assert!(run.report.is_none());
    drop(held);

    // Two real runs: the second, on the directory the first is using, fails at once
    // while the first goes on to write its own reports.
    let silent = Adversary::start(Behaviour::Silent);
    let first_args = command(
        "run",
        &silent.url(),
        &report_dir,
        &[
            "--exact",
            "list-all",
            "--fuzz-cases",
            "0",
            "--timeout",
            "3",
            "--run-timeout",
            "20",
        ],
    );
    std::thread::scope(|scope| {
        let first = scope.spawn(|| finish(sdconform(&refs(&first_args), dir.path()), &report_dir));
        // The first run holds the directory once its request is in flight.
        let waited = std::time::Instant::now();
        while silent.heads().is_empty() && waited.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!silent.heads().is_empty(), "the first run sent its request");
        let second = finish(sdconform(&refs(&args), dir.path()), &report_dir);
        assert_eq!(second.code, 3, "{}", second.stderr);
        assert!(second.stderr.contains("in use by another sdconform run"));
        assert!(target.heads().is_empty(), "the second run sent nothing");
        let first = first.join().expect("the first run ends");
        assert_eq!(first.code, 3, "its request timed out: {}", first.stdout);
        let report = first.report.expect("the first run wrote its report");
        assert_eq!(report["target"]["url"], silent.url());
    });
}

/// Issue 10 item 5: the regressions file defaults to the report directory; the working
/// directory stays clean (it used to get `fuzz-regressions.json`).
#[test]
fn the_regressions_file_goes_in_the_report_directory_issue_10_item_5() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("out");
    let faulty = Reference::start(Some(Fault::ServerErrorOnSpecialCharacters));
    let args = command("run", &faulty.url(), &report_dir, &["--seed", "9"]);
    let first = finish(sdconform(&refs(&args), dir.path()), &report_dir);
    assert_eq!(first.code, 1, "{}", first.stdout);
    let regressions = report_dir.join(fuzz::regression::DEFAULT_FILE);
    let saved = std::fs::read_to_string(&regressions).expect("saved in the report directory");
    assert!(
        !fuzz::regression::parse("saved", &saved)
            .expect("it parses")
            .is_empty()
    );
    assert!(
        !dir.path().join(fuzz::regression::DEFAULT_FILE).exists(),
        "nothing in the working directory"
    );
    assert!(
        first
            .stdout
            .contains(&format!("added to {}", regressions.display())),
        "{}",
        first.stdout
    );
    // The next run into that directory replays them.
    let args = command("run", &faulty.url(), &report_dir, &["--seed", "10"]);
    let second = finish(sdconform(&refs(&args), dir.path()), &report_dir);
    let report = second.report.expect("report.json");
    let replayed = report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == fuzz::CASE_ID)
        .map(|c| c["fuzz"]["regressions"]["replayed"].clone());
    assert!(
        replayed.and_then(|n| n.as_u64()).is_some_and(|n| n > 0),
        "{}",
        second.stdout
    );
}

/// Issue 10 item 4: a run that writes fewer formats removes the earlier run's other report
/// files (they would be read as this run's), never the regressions file or other files.
#[test]
fn stale_report_formats_are_removed_and_nothing_else_issue_10_item_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_dir = dir.path().join("out");
    let clean = Reference::start(None);
    let args = command("run", &clean.url(), &report_dir, &["--fuzz-cases", "0"]);
    let first = finish(sdconform(&refs(&args), dir.path()), &report_dir);
    assert_eq!(first.code, 0, "{}", first.stdout);
    for name in FORMATS {
        assert!(report_dir.join(name).is_file(), "{name}");
    }
    let regressions = report_dir.join(fuzz::regression::DEFAULT_FILE);
    let kept = "{\"schema_version\": \"1.0\", \"regressions\": []}\n";
    std::fs::write(&regressions, kept).expect("write");
    std::fs::write(report_dir.join("notes.txt"), "mine").expect("write");
    std::fs::create_dir_all(report_dir.join("evidence")).expect("mkdir");
    std::fs::write(report_dir.join("evidence").join("e.json"), "{}").expect("write");

    let other = Reference::start(None);
    let args = command(
        "run",
        &other.url(),
        &report_dir,
        &["--report", "json", "--fuzz-cases", "0"],
    );
    let second = finish(sdconform(&refs(&args), dir.path()), &report_dir);
    assert_eq!(second.code, 0, "{}", second.stdout);
    let report = second.report.expect("report.json");
    assert_eq!(report["target"]["url"], other.url(), "this run's report");
    for name in ["junit.xml", "summary.md", "report.html"] {
        assert!(
            !report_dir.join(name).exists(),
            "{name} of the earlier run is still there"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&regressions).ok().as_deref(),
        Some(kept),
        "the regressions file stays"
    );
    assert!(report_dir.join("notes.txt").is_file());
    assert!(report_dir.join("evidence").join("e.json").is_file());
}

/// Issue 10 item 5: a report directory that cannot be written ends the run before its
/// first request (exit 3), naming the directory; it used to be found only after the run.
#[test]
fn an_unwritable_report_directory_stops_the_run_before_any_request_issue_10_item_5() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a directory").expect("write");
    let report_dir = file.join("reports");
    let target = conformant_adversary();
    for subcommand in ["run", "fuzz"] {
        let args = command(subcommand, &target.url(), &report_dir, &[]);
        let run = finish(sdconform(&refs(&args), dir.path()), &report_dir);
        assert_eq!(run.code, 3, "{subcommand}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&report_dir.display().to_string())
                && run.stderr.contains("not a writable directory"),
            "{subcommand}: {}",
            run.stderr
        );
        assert!(
            target.heads().is_empty(),
            "{subcommand}: a request was sent"
        );
    }
}
