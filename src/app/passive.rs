//! `sdconform check --har FILE` or `--ndjson FILE`: captured traffic checked
//! against the contract, end to end, with no target and no request sent:
//!
//! ```text
//! report directory locked (exit 3) → the capture streamed into passive::Checker
//!   (unreadable: exit 2) → the capture's credentials become the secrets → waivers
//!   → report::build → inconclusive when no deployment was validated → redact
//!   → capture line and summary on stdout → report files → stale ones removed → Exit
//! ```

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use super::{Printing, rfc3339};
use crate::cli::CheckArgs;
use crate::console;
use crate::contract::Contract;
use crate::error::Error;
use crate::exit::Exit;
use crate::passive::{Capture, Checked, Checker, Counts, Settings};
use crate::report::lock::DirLock;
use crate::report::model::{ClauseOutcome, Gate, RunReport, TargetInfo, Verdict};
use crate::report::write::Format;
use crate::report::{self, build, summary};
use crate::secret::Secrets;

/// Runs `sdconform check`.
pub(super) fn check(args: &CheckArgs, printing: Printing) -> Result<Exit, Error> {
    let capture = match (&args.har, &args.ndjson) {
        (Some(path), None) => Capture::Har(path.clone()),
        (None, Some(path)) => Capture::Ndjson(path.clone()),
        _ => {
            return Err(Error::Usage(
                "give exactly one capture: --har FILE or --ndjson FILE".to_owned(),
            ));
        }
    };
    let contract = Arc::new(match &args.schemas {
        Some(dir) => Contract::from_dir(dir)?,
        None => Contract::embedded()?,
    });
    // The report directory is this check's before the capture is read.
    let lock = DirLock::acquire(&args.report_dir).map_err(Error::ReportDir)?;
    let mut written = Vec::new();
    let outcome = conduct(args, contract, &capture, printing, &mut written);
    let written: Vec<&str> = written.iter().map(String::as_str).collect();
    lock.remove_stale(&Format::ALL.map(Format::file_name), &written);
    outcome
}

/// [`check`] once the report directory is held; the report files written go to `written`.
fn conduct(
    args: &CheckArgs,
    contract: Arc<Contract>,
    capture: &Capture,
    printing: Printing,
    written: &mut Vec<String>,
) -> Result<Exit, Error> {
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let mut checker = Checker::new(Settings {
        contract: Arc::clone(&contract),
        profile: args.profile,
        clock_skew: args.clock_skew,
        capture: capture.path().display().to_string(),
        format: capture.format(),
    });
    let about = capture.read_into(&mut checker).map_err(Error::Capture)?;
    let checked = checker.finish();
    let secrets = secrets_of(&checked);
    let what = format!("capture {} ({about})", capture.path().display());
    let capture_line = format!("{what}:\n  {}", checked.counts);
    let report = report_of(args, &contract, &what, checked, started_at, clock)?;
    let report = secrets.redact(report, "report").map_err(Error::Secret)?;
    let summary_text = summary::render(&report);
    for text in [&summary_text, &capture_line] {
        secrets
            .ensure_absent(text, "console summary")
            .map_err(Error::Secret)?;
    }
    if printing.quiet {
        let lines: Vec<&str> = summary_text
            .lines()
            .filter(|l| l.starts_with("verdict:") || l.starts_with("  because:"))
            .collect();
        console::out(&lines.join("\n"));
    } else {
        for line in capture_line.lines() {
            console::out(&summary::inert(line));
        }
        console::out(&summary_text);
    }
    let paths = report::write::write_all(&args.report_dir, &report, &args.report, &secrets)?;
    for path in paths {
        written.extend(path.file_name().map(|n| n.to_string_lossy().into_owned()));
        printing.say(&format!(
            "report: {}",
            secrets.scrub_str(&path.display().to_string())
        ));
    }
    Ok(super::exit_of(report.verdict))
}

/// The capture's credentials as the check's secrets. Those that cannot be
/// scrubbed without shredding the reports (shorter than 4 bytes, or a word they
/// use, such as a cookie `lang=en`) are named by count on stderr: the headers
/// that held them are redacted all the same.
fn secrets_of(checked: &Checked) -> Secrets {
    let mut secrets = Secrets::new();
    let refused = checked
        .credentials
        .iter()
        .filter(|secret| secrets.add("a credential in the capture", secret).is_err())
        .count();
    if refused > 0 {
        console::err(&format!(
            "warning: {refused} credential value(s) in the capture are shorter than 4 bytes or words the reports use: their headers are redacted, but they cannot be scrubbed from the rest of the reports"
        ));
    }
    secrets
}

/// The report of `checked`: waivers (a waiver's case is a result id), the
/// verdict, and `inconclusive` when no deployment was validated.
fn report_of(
    args: &CheckArgs,
    contract: &Contract,
    what: &str,
    checked: Checked,
    started_at: SystemTime,
    clock: Instant,
) -> Result<RunReport, Error> {
    let waivers = match &args.waivers {
        Some(path) => {
            let ids = checked.results.iter().map(|r| r.id.clone()).collect();
            Some(crate::waiver::load(path, &contract.clause_ids(), &ids)?)
        }
        None => None,
    };
    let (url, project_id) = checked.target;
    let report = build::build(
        build::Context {
            contract,
            profile: args.profile,
            target: TargetInfo {
                url,
                project_id,
                embedded: false,
                insecure: false,
                identity: None,
            },
            cases_source: format!("{what}: {}", checked.counts),
            started_at: rfc3339(started_at),
            finished_at: rfc3339(SystemTime::now()),
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            gate: Gate {
                fail_on: args.fail_on,
                strict_waivers: args.strict_waivers,
                allow_empty: false,
            },
            waivers: waivers.as_ref(),
        },
        checked.results,
    );
    Ok(inconclusive(report, contract, &checked.counts))
}

/// A conformant verdict on a capture in which no response item was validated
/// (no listing, or only refusals and empty lists) says nothing: `inconclusive`
/// (exit 5), with the capture's counts as the reason.
fn inconclusive(mut report: RunReport, contract: &Contract, counts: &Counts) -> RunReport {
    let items = contract.item_clauses();
    let validated = report.clauses.iter().any(|c| {
        items.contains(&c.id)
            && matches!(
                c.outcome,
                ClauseOutcome::Pass | ClauseOutcome::Fail | ClauseOutcome::Waived
            )
    });
    if report.verdict == Verdict::Conformant && !validated {
        report.verdict = Verdict::Inconclusive;
        report.verdict_reasons.push(format!(
            "no deployment in the capture was validated ({counts})"
        ));
    }
    report
}
