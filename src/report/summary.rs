//! The short human summary printed at the end of `run`: verdict, counts,
//! failing clauses with one line of evidence each.
//!
//! ```text
//! verdict: NON-CONFORMANT (profile documented)
//! cases: 8 total, 7 pass, 1 fail, 0 error, 0 not exercised, 0 skipped
//! findings: 1 MUST, 0 SHOULD
//! failing clauses:
//!   SD-RESP-9 MUST  list-all /software_deployments/0/status: expected one of [...], got "DONE"
//! ```
//!
//! Target-provided text is shown with control characters escaped, so a
//! hostile target cannot drive the terminal.

use std::fmt::Write;

use super::model::{ClauseOutcome, RunReport, Verdict};

/// Renders the summary (no trailing newline).
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let target = if report.target.embedded {
        format!("{} (embedded reference target)", report.target.url)
    } else {
        report.target.url.clone()
    };
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
    };
    let _ = writeln!(out, "verdict: {verdict} (profile {})", report.profile.name);
    let c = &report.summary.cases;
    let _ = writeln!(
        out,
        "cases: {} total, {} pass, {} fail, {} error, {} not exercised, {} skipped",
        c.total, c.pass, c.fail, c.error, c.not_exercised, c.skipped
    );
    let _ = writeln!(
        out,
        "findings: {} MUST, {} SHOULD",
        report.summary.must_findings, report.summary.should_findings
    );
    let failing: Vec<_> = report
        .clauses
        .iter()
        .filter(|c| c.outcome == ClauseOutcome::Fail)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "failing clauses:");
        for clause in failing {
            let evidence = report
                .cases
                .iter()
                .flat_map(|case| case.findings.iter().map(move |f| (case, f)))
                .find(|(_, f)| f.clause == clause.id);
            let severity = clause.severity.map_or("", |s| s.as_str());
            match evidence {
                Some((case, f)) => {
                    let _ = writeln!(
                        out,
                        "  {} {severity:<6} {} {}: expected {}, got {}",
                        clause.id,
                        case.id,
                        if f.pointer.is_empty() {
                            "(response)"
                        } else {
                            &f.pointer
                        },
                        inert(&f.expected),
                        inert(&f.actual)
                    );
                }
                None => {
                    let _ = writeln!(out, "  {} {severity}", clause.id);
                }
            }
        }
    }
    for case in report.cases.iter().filter(|c| c.error.is_some()) {
        let _ = writeln!(
            out,
            "error in {}: {}",
            case.id,
            inert(case.error.as_deref().unwrap_or(""))
        );
    }
    if !report.summary.not_exercised_clauses.is_empty() {
        let _ = writeln!(
            out,
            "not exercised (the verdict rests on no data for these clauses): {}",
            report.summary.not_exercised_clauses.join(", ")
        );
    }
    out.trim_end().to_owned()
}

/// Escapes control characters (terminal escapes included) for display.
pub fn inert(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(inert("ok\u{1b}[31mred\n"), "ok\\u{1b}[31mred\\n");
        assert_eq!(inert("é ✓"), "é ✓");
    }
}
