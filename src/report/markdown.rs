//! `summary.md`: the `RunReport` for a GitHub step summary or a PR comment:
//! verdict, configuration, counts, the clause coverage table (gaps shown as
//! gaps), failing clauses with one line of evidence each, waivers.
//!
//! Every string that did not come from this program (the target's answers,
//! URLs, ids, waiver reasons) goes through [`escape`], so a body holding
//! `<script>` or `| x |` renders as that text and cannot add markup, links or
//! table cells. An excerpt:
//!
//! ```markdown
//! ## sdconform: ❌ NON-CONFORMANT
//!
//! | clause | outcome | cases | checks |
//! |---|---|---|---|
//! | SD-RESP-9 | ❌ fail (MUST) | list-all | schema, status_enum |
//! | SD-CODE-400 | ⬜ gap: not covered | | |
//! ```

use std::fmt::Write;

use super::model::{ClauseOutcome, ClauseResult, RunReport, Verdict, WaiverStatus};
use super::summary::{inert, inert_lines};
use crate::check::Finding;

/// File name of the Markdown summary inside the report directory.
pub const FILE_NAME: &str = "summary.md";

/// Renders the report as GitHub-flavoured Markdown.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## sdconform: {}\n", verdict_label(report.verdict));
    for reason in &report.verdict_reasons {
        let _ = writeln!(out, "- {}", escape(reason));
    }
    if !report.verdict_reasons.is_empty() {
        out.push('\n');
    }
    out.push_str("| | |\n|---|---|\n");
    let target = if report.target.embedded {
        format!("{} (embedded reference target)", escape(&report.target.url))
    } else {
        escape(&report.target.url)
    };
    let rows = [
        ("target", target),
        ("project", escape(&report.target.project_id)),
        ("profile", escape(&report.profile.name)),
        ("fails on", report.gate.fail_on.as_str().to_uppercase()),
        (
            "time",
            format!(
                "{} to {} ({} ms)",
                escape(&report.started_at),
                escape(&report.finished_at),
                report.duration_ms
            ),
        ),
        (
            "tool",
            format!(
                "{} {}",
                escape(&report.tool.name),
                escape(&report.tool.version)
            ),
        ),
    ];
    for (key, value) in rows {
        let _ = writeln!(out, "| {key} | {value} |");
    }
    let c = &report.summary.cases;
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n**Cases:** {} total, {} pass, {} fail, {} error, {} not exercised, {} waived, {} skipped  ",
        c.total, c.pass, c.fail, c.error, c.not_exercised, c.waived, c.skipped
    );
    let _ = writeln!(
        out,
        "**Findings:** {} MUST, {} SHOULD, {} waived",
        s.must_findings, s.should_findings, s.waived_findings
    );
    if report.vacuous {
        let _ = writeln!(
            out,
            "\n> [!WARNING]\n> Not exercised (the verdict rests on no data for these clauses): {}",
            escape(&s.not_exercised_clauses.join(", "))
        );
    }

    failing_clauses(&mut out, report);
    fuzz_failures(&mut out, report);
    observations(&mut out, report);
    errors(&mut out, report);
    coverage(&mut out, &report.clauses);
    waivers(&mut out, report);
    // Control characters from the target as visible escapes, so `cat
    // summary.md` cannot drive a terminal (issue 10 item 14).
    inert_lines(&out).into_owned()
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conformant => "✅ CONFORMANT",
        Verdict::NonConformant => "❌ NON-CONFORMANT",
        Verdict::Error => "⚠️ ERROR (the run could not complete)",
        Verdict::Inconclusive => "⚪ INCONCLUSIVE (no response item was validated)",
        Verdict::Interrupted => "⏹️ INTERRUPTED (stopped before every case ran)",
    }
}

/// The first finding citing `clause`, unwaived first, with its case id.
fn evidence_for<'r>(report: &'r RunReport, clause: &str) -> Option<(&'r str, &'r Finding)> {
    let all = || {
        report
            .cases
            .iter()
            .flat_map(|case| case.findings.iter().map(move |f| (case.id.as_str(), f)))
            .filter(move |(_, f)| f.clause == clause)
    };
    all()
        .find(|(_, f)| f.waived.is_none())
        .or_else(|| all().next())
}

/// The failing (and waived) clauses, then the warnings: clauses whose findings
/// do not fail the run (SHOULD, without `--fail-on should`), never listed as
/// failing under a CONFORMANT verdict (issue 10 item 19).
fn failing_clauses(out: &mut String, report: &RunReport) {
    let gates = |c: &ClauseResult| {
        c.severity
            .is_some_and(|severity| report.gate.fail_on.gates(severity))
    };
    let (failing, warnings): (Vec<&ClauseResult>, Vec<&ClauseResult>) = report
        .clauses
        .iter()
        .filter(|c| matches!(c.outcome, ClauseOutcome::Fail | ClauseOutcome::Waived))
        .partition(|c| c.outcome == ClauseOutcome::Waived || gates(c));
    clause_table(out, report, "Failing clauses", &failing);
    clause_table(
        out,
        report,
        "Warnings (SHOULD findings; they do not fail the run)",
        &warnings,
    );
}

/// One table of `clauses` under `title`, each with its first finding as evidence.
fn clause_table(out: &mut String, report: &RunReport, title: &str, failing: &[&ClauseResult]) {
    if failing.is_empty() {
        return;
    }
    let _ = write!(out, "\n### {title}\n\n");
    out.push_str("| clause | severity | outcome | case | pointer | expected | actual |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for clause in failing.iter().copied() {
        let severity = clause.severity.map_or("", |s| s.as_str());
        let outcome = clause_label(clause.outcome);
        match evidence_for(report, &clause.id) {
            Some((case, f)) => {
                let pointer = if f.pointer.is_empty() {
                    "(response)".to_owned()
                } else {
                    escape(&f.pointer)
                };
                let _ = writeln!(
                    out,
                    "| {} | {severity} | {outcome} | {} | {pointer} | {} | {} |",
                    clause.id,
                    escape(case),
                    escape(&f.expected),
                    escape(&f.actual)
                );
            }
            None => {
                let _ = writeln!(out, "| {} | {severity} | {outcome} | | | | |", clause.id);
            }
        }
    }
}

/// Each fuzz finding: its seed, its minimal input and its repro line, in a
/// code block to copy (fenced with more backticks than the line holds).
fn fuzz_failures(out: &mut String, report: &RunReport) {
    let fuzzed: Vec<(&Finding, &crate::fuzz::FuzzEvidence)> = report
        .cases
        .iter()
        .flat_map(|case| case.findings.iter())
        .filter_map(|f| f.fuzz.as_deref().map(|fuzz| (f, fuzz)))
        .collect();
    if fuzzed.is_empty() {
        return;
    }
    out.push_str("\n### Fuzz failures\n\n");
    for (finding, fuzz) in fuzzed {
        let _ = writeln!(
            out,
            "- **{}** {}{}: property {}, seed {} (`--seed {}` sends the same requests again); \
             minimal input {} (sent as {}; strategy {}, {}, {} shrink steps)",
            escape(&finding.clause),
            finding.severity.as_str(),
            if finding.waived.is_some() {
                " (waived)"
            } else {
                ""
            },
            escape(&fuzz.property),
            fuzz.seed,
            fuzz.seed,
            escape(&format!("server_id={:?}", fuzz.minimal_input)),
            escape(&fuzz.wire_query),
            escape(&fuzz.strategy),
            escape(&fuzz.origin),
            fuzz.shrink_steps
        );
        // One line, whatever it holds, inside a fence it cannot close.
        let repro = inert(&fuzz.repro);
        let longest = repro.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = writeln!(out, "\n  {fence}sh\n  {repro}\n  {fence}\n");
    }
}

fn errors(out: &mut String, report: &RunReport) {
    let errored: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.outcome.error().is_some())
        .collect();
    if errored.is_empty() {
        return;
    }
    out.push_str("\n### Harness errors\n\n");
    for case in errored {
        let _ = writeln!(
            out,
            "- {}: {}",
            escape(&case.id),
            escape(case.outcome.error().unwrap_or_default())
        );
    }
}

fn clause_label(outcome: ClauseOutcome) -> &'static str {
    match outcome {
        ClauseOutcome::Pass => "✅ pass",
        ClauseOutcome::Fail => "❌ fail",
        ClauseOutcome::Waived => "🟡 waived",
        ClauseOutcome::NotExercised => "⚪ not exercised",
        ClauseOutcome::NotCovered => "⬜ gap: not covered",
    }
}

fn coverage(out: &mut String, clauses: &[ClauseResult]) {
    out.push_str("\n### Clause coverage\n\n");
    out.push_str("| clause | outcome | cases | checks |\n|---|---|---|---|\n");
    for clause in clauses {
        let outcome = match clause.severity {
            Some(severity) if clause.outcome == ClauseOutcome::Fail => {
                format!("{} ({})", clause_label(clause.outcome), severity.as_str())
            }
            _ => clause_label(clause.outcome).to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {outcome} | {} | {} |",
            escape(&clause.id),
            escape(&clause.cases.join(", ")),
            escape(&clause.checks.join(", "))
        );
    }
    let gaps: Vec<&str> = clauses
        .iter()
        .filter(|c| c.outcome == ClauseOutcome::NotCovered)
        .map(|c| c.id.as_str())
        .collect();
    if !gaps.is_empty() {
        let _ = writeln!(
            out,
            "\nGaps (no check of this run covers them): {}",
            escape(&gaps.join(", "))
        );
    }
}

fn waivers(out: &mut String, report: &RunReport) {
    let Some(waivers) = &report.waivers else {
        return;
    };
    let _ = writeln!(out, "\n### Waivers ({})\n", escape(&waivers.source));
    if waivers.entries.is_empty() {
        out.push_str("The file holds no waiver.\n");
        return;
    }
    out.push_str("| clause | case | expires | status | findings | reason |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for entry in &waivers.entries {
        let status = match entry.status {
            WaiverStatus::Applied => "🟡 applied",
            WaiverStatus::Stale => "⚪ stale (matches no finding)",
            WaiverStatus::Expired => "❌ expired",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {status} | {} | {} |",
            escape(&entry.clause),
            escape(entry.case.as_deref().unwrap_or("every case")),
            escape(&entry.expires),
            entry.findings,
            escape(&entry.reason)
        );
    }
}

/// What the profile accepted but a stricter one would not; nothing when there is none.
fn observations(out: &mut String, report: &RunReport) {
    let all: Vec<_> = report
        .cases
        .iter()
        .flat_map(|case| case.observations.iter().map(move |o| (case, o)))
        .collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n### Observations\n\nAccepted by the {} profile, not findings (stricter profiles would report them).\n",
        escape(&report.profile.name)
    );
    let total = all.len();
    for (case, o) in all.into_iter().take(SHOWN_OBSERVATIONS) {
        let _ = writeln!(
            out,
            "- {} {} {}: {}",
            o.clause,
            escape(&case.id),
            if o.pointer.is_empty() {
                "(response)".to_owned()
            } else {
                escape(&o.pointer)
            },
            escape(&o.message)
        );
    }
    if total > SHOWN_OBSERVATIONS {
        let _ = writeln!(
            out,
            "- ... {} more in report.json",
            total - SHOWN_OBSERVATIONS
        );
    }
}

/// Observations listed in the summary; the rest are counted.
const SHOWN_OBSERVATIONS: usize = 5;

/// Escapes `text` so that Markdown (GitHub-flavoured, HTML allowed) shows it
/// as plain text, safe inside a table cell: HTML-significant characters,
/// backticks, brackets and `|` become entities, emphasis characters are
/// backslash-escaped, line breaks become `<br>` (so they cannot end a row), and
/// control characters are shown escaped. (A bare URL may still be autolinked.)
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            // Emphasis and escapes; `#`, `-`, `+`, `=` matter only at the start of a
            // line, where target text never is.
            '\\' | '*' | '_' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_neutralises_markup_tables_links_and_line_breaks() {
        let table = [
            ("plain text 123", "plain text 123"),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("| x |", "&#124; x &#124;"),
            ("`code`", "&#96;code&#96;"),
            ("[a](http://e)", "&#91;a&#93;(http://e)"),
            ("**b** _i_ ~s~", "\\*\\*b\\*\\* \\_i\\_ \\~s\\~"),
            ("a\nb\r\nc\rd", "a<br>b<br>c<br>d"),
            ("a&amp;b", "a&amp;amp;b"),
            ("esc\u{1b}[0m", "esc\\u{1b}&#91;0m"),
            ("![img](x)", "!&#91;img&#93;(x)"),
            ("2026-01-31 #1 a+b=c", "2026-01-31 #1 a+b=c"),
        ];
        for (input, want) in table {
            assert_eq!(escape(input), want, "{input:?}");
        }
    }

    #[test]
    fn escaped_text_has_no_raw_markup_characters() {
        let hostile = "<img src=x onerror=alert(1)> | `x` [l](j:a) \n # h";
        let escaped = escape(hostile);
        for raw in ['<', '>', '|', '`', '[', ']', '\n'] {
            // `<br>` is ours: strip it before looking.
            assert!(
                !escaped.replace("<br>", "").contains(raw),
                "{raw:?} in {escaped}"
            );
        }
    }
}

#[cfg(test)]
mod report_tests {
    use super::render;
    use crate::report::fixture::hostile_report;

    /// The Markdown outside fenced code blocks (inside them, GitHub shows text as is).
    fn outside_code_blocks(md: &str) -> String {
        let mut fence: Option<String> = None;
        let mut out = String::new();
        for line in md.lines() {
            let trimmed = line.trim_start();
            let ticks: String = trimmed.chars().take_while(|c| *c == '`').collect();
            match &fence {
                Some(open) if trimmed == open.as_str() => fence = None,
                Some(_) => {}
                None if ticks.len() >= 3 => fence = Some(ticks),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        assert!(fence.is_none(), "a code block is left open:\n{md}");
        out
    }

    #[test]
    fn a_hostile_report_adds_no_markup_and_no_table_cell() {
        let md = render(&hostile_report());
        let without_ours = outside_code_blocks(&md).replace("<br>", "");
        for raw in ["<script", "</textarea", "| x |", "`y`", "[z]"] {
            assert!(!without_ours.contains(raw), "{raw:?} in\n{md}");
        }
        // Every table row has its table's number of cells.
        for line in md.lines().filter(|l| l.starts_with("| SD-")) {
            assert!([5, 7, 8].contains(&line.matches('|').count()), "{line}");
        }
        assert!(md.contains("| SD-CODE-400 | ⬜ gap: not covered |"), "{md}");
        assert!(md.contains("| SD-RESP-4 | 🟡 waived |"), "{md}");
        assert!(md.contains("### Harness errors"), "{md}");
        assert!(md.contains("### Observations"), "{md}");
    }

    /// Issue 10 item 14: no control character but line feed reaches the file.
    #[test]
    fn control_characters_are_visible_escapes() {
        let md = render(&hostile_report());
        let raw: Vec<char> = md
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{raw:?}");
        for shown in ["\\u{1b}", "\\u{9b}31m", "\\u{7}", "\\u{7f}"] {
            assert!(md.contains(shown), "{shown}");
        }
    }

    /// Issue 10 item 17: a fuzz failure carries its seed, minimal input and
    /// repro line, the line in a code block nothing in it can close.
    #[test]
    fn a_fuzz_failure_carries_seed_minimal_input_and_repro() {
        let md = render(&hostile_report());
        assert!(md.contains("### Fuzz failures"), "{md}");
        assert!(
            md.contains(
                "- **SD-CODE-200** MUST: property no-server-error, seed 4242 (`--seed 4242`"
            ),
            "{md}"
        );
        assert!(
            md.contains("minimal input server\\_id=&quot;'&lt;script&gt;"),
            "{md}"
        );
        assert!(
            md.contains(
                "\n  ```sh\n  curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://t/<script>"
            ),
            "{md}"
        );
        let mut report = hostile_report();
        for case in &mut report.cases {
            for finding in &mut case.findings {
                if let Some(fuzz) = &mut finding.fuzz {
                    fuzz.repro = "curl 'http://t/```\n# hi\n`````x'".to_owned();
                }
            }
        }
        let md = render(&report);
        assert!(
            md.contains("\n  ``````sh\n  curl 'http://t/```\\n# hi\\n`````x'\n  ``````\n"),
            "{md}"
        );
        let _ = outside_code_blocks(&md);
    }
}
