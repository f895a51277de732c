//! The short human summary printed at the end of `run`: verdict, counts,
//! failing clauses with one line of evidence each.
//!
//! ```text
//! verdict: NON-CONFORMANT (profile documented, fails on MUST)
//!   because: 1 MUST finding (SD-RESP-9)
//! cases: 8 total, 7 pass, 1 fail, 0 error, 0 not exercised, 0 skipped, 0 waived
//! findings: 1 MUST, 0 SHOULD, 0 waived
//! failing clauses:
//!   SD-RESP-9 MUST  list-all /software_deployments/0/status: expected one of [...], got "DONE"
//! ```
//!
//! SHOULD findings that do not fail the run are listed under `warnings`, not
//! under `failing clauses`.
//!
//! Target-provided text is shown with control characters escaped, so a
//! hostile target cannot drive the terminal.

pub use crate::model::text::{inert, inert_lines};
use std::fmt::Write;

use super::model::{ClauseOutcome, RunReport, Verdict, WaiverStatus};
use crate::model::Finding;

/// Observations listed; the rest are counted.
const SHOWN_OBSERVATIONS: usize = 3;

/// Where a finding or observation is, for a line of text: its pointer (member
/// names come from the target, so made inert), or `(response)` for the whole
/// response, never an empty string.
pub fn place(pointer: &str) -> String {
    if pointer.is_empty() {
        "(response)".to_owned()
    } else {
        inert(pointer)
    }
}

/// Renders the summary (no trailing newline).
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    header(&mut out, report);
    counts(&mut out, report);
    observations(&mut out, report);
    clauses(&mut out, report);
    for case in report.cases.iter() {
        if let Some(error) = case.outcome.error() {
            let _ = writeln!(out, "error in {}: {}", case.id, inert(error));
        }
    }
    waivers(&mut out, report);
    if !report.summary.not_exercised_clauses.is_empty() {
        let _ = writeln!(
            out,
            "not exercised (the verdict rests on no data for these clauses): {}",
            report.summary.not_exercised_clauses.join(", ")
        );
    }
    out.trim_end().to_owned()
}

/// The target, the verdict and its reasons.
fn header(out: &mut String, report: &RunReport) {
    let mut target = if report.target.embedded {
        format!("{} (embedded reference target)", report.target.url)
    } else {
        report.target.url.clone()
    };
    if report.target.insecure {
        target.push_str(" (TLS NOT VERIFIED: --insecure)");
    }
    let _ = writeln!(
        out,
        "target: {}  project: {}",
        inert(&target),
        inert(&report.target.project_id)
    );
    let verdict = match report.verdict {
        Verdict::Conformant => "CONFORMANT",
        Verdict::NonConformant => "NON-CONFORMANT",
        Verdict::Error => "ERROR (the run could not complete)",
        Verdict::Inconclusive => "INCONCLUSIVE (no response item was validated)",
        Verdict::Interrupted => "INTERRUPTED (stopped by a signal before every case ran)",
    };
    let _ = writeln!(
        out,
        "verdict: {verdict} (profile {}, fails on {})",
        report.profile.name,
        report.gate.fail_on.as_str().to_uppercase()
    );
    for reason in &report.verdict_reasons {
        let _ = writeln!(out, "  because: {}", inert(reason));
    }
}

/// The case and finding counts.
fn counts(out: &mut String, report: &RunReport) {
    let c = &report.summary.cases;
    let _ = writeln!(
        out,
        "cases: {} total, {} pass, {} fail, {} error, {} not exercised, {} skipped, {} waived",
        c.total, c.pass, c.fail, c.error, c.not_exercised, c.skipped, c.waived
    );
    let _ = writeln!(
        out,
        "findings: {} MUST, {} SHOULD, {} waived",
        report.summary.must_findings,
        report.summary.should_findings,
        report.summary.waived_findings
    );
}

/// The observations' count and the first [`SHOWN_OBSERVATIONS`] of them.
fn observations(out: &mut String, report: &RunReport) {
    if report.summary.observations == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "observations: {} (the {} profile accepts them; stricter profiles report them as findings)",
        report.summary.observations, report.profile.name
    );
    for (case, o) in report
        .cases
        .iter()
        .flat_map(|case| case.observations.iter().map(move |o| (case, o)))
        .take(SHOWN_OBSERVATIONS)
    {
        let _ = writeln!(
            out,
            "  {} {} {}: {}",
            o.clause,
            case.id,
            place(&o.pointer),
            inert(&o.message)
        );
    }
    if report.summary.observations > SHOWN_OBSERVATIONS {
        let _ = writeln!(
            out,
            "  ... {} more in report.json",
            report.summary.observations - SHOWN_OBSERVATIONS
        );
    }
}

/// The failing, then the waived clauses, each with its first finding as evidence.
fn clauses(out: &mut String, report: &RunReport) {
    // A SHOULD finding that does not fail the run is a warning, never listed as
    // failing under a CONFORMANT verdict (issue 10 item 19).
    let gates = |c: &&super::model::ClauseResult| {
        c.severity
            .is_some_and(|severity| report.gate.fail_on.gates(severity))
    };
    for (title, outcome, gating) in [
        ("failing clauses", ClauseOutcome::Fail, Some(true)),
        (
            "warnings (SHOULD findings; they do not fail the run)",
            ClauseOutcome::Fail,
            Some(false),
        ),
        ("waived clauses", ClauseOutcome::Waived, None),
    ] {
        let listed: Vec<_> = report
            .clauses
            .iter()
            .filter(|c| c.outcome == outcome && gating.is_none_or(|g| gates(c) == g))
            .collect();
        if listed.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for clause in listed {
            let evidence = report
                .cases
                .iter()
                .flat_map(|case| case.findings.iter().map(move |f| (case, f)))
                .find(|(_, f)| {
                    f.clause == clause.id
                        && f.waived.is_some() == (outcome == ClauseOutcome::Waived)
                });
            let severity = clause.severity.map_or("", |s| s.as_str());
            match evidence {
                Some((case, f)) => evidence_line(out, &clause.id, severity, &case.id, f),
                None => {
                    let _ = writeln!(out, "  {} {severity}", clause.id);
                }
            }
        }
    }
}

/// One clause's line with the finding that shows it, and its waiver if any.
fn evidence_line(out: &mut String, clause: &str, severity: &str, case: &str, f: &Finding) {
    let _ = writeln!(
        out,
        "  {clause} {severity:<6} {case} {}: expected {}, got {}",
        // Member names come from the target.
        place(&f.pointer),
        inert(&f.expected),
        inert(&f.actual)
    );
    if let Some(waived) = &f.waived {
        let _ = writeln!(
            out,
            "    waived until {}: {}",
            waived.expires,
            inert(&waived.reason)
        );
    }
}

/// The waivers file: how many applied, and every waiver that did not.
fn waivers(out: &mut String, report: &RunReport) {
    let Some(waivers) = &report.waivers else {
        return;
    };
    let count = |status| {
        waivers
            .entries
            .iter()
            .filter(|e| e.status == status)
            .count()
    };
    let _ = writeln!(
        out,
        "waivers ({}): {} applied, {} stale, {} expired",
        inert(&waivers.source),
        count(WaiverStatus::Applied),
        count(WaiverStatus::Stale),
        count(WaiverStatus::Expired)
    );
    for entry in waivers
        .entries
        .iter()
        .filter(|e| e.status != WaiverStatus::Applied)
    {
        let _ = writeln!(
            out,
            "  {} waiver {} {}{} (expires {}): {}",
            entry.status.as_str(),
            entry.source,
            entry.clause,
            entry
                .case
                .as_deref()
                .map(|c| format!(" in {c}"))
                .unwrap_or_default(),
            entry.expires,
            inert(&entry.reason)
        );
    }
}
