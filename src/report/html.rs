//! `report.html`: the `RunReport` as one self-contained page (inline CSS and a
//! little inline JS, no external asset) for a person: the verdict and the run's
//! configuration at the top, the clause coverage table (gaps shown as gaps),
//! failures grouped by clause with the evidence folded in `<details>` (the
//! request sent, the response excerpt), every case, the waivers.
//!
//! Written with `maud`, which escapes every interpolated string: nothing the
//! target sent can become markup. The only unescaped text is this module's own
//! CSS and JS. The outcome filter is a set of checkboxes the script reveals
//! and drives; without JS the page shows everything and no dead control.
//!
//! ```html
//! <tr data-outcome="fail"><td><b>SD-RESP-9</b>…</td><td><span class="badge o-fail">fail</span></td>…</tr>
//! <details data-outcome="fail"><summary>list-all at /software_deployments/0/status …</summary>…</details>
//! ```

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::model::{
    CaseResult, ClauseOutcome, ClauseResult, RequestRecord, ResponseRecord, RunReport, Verdict,
    WaiverReport,
};
use super::summary::inert_lines;
use crate::check::{CheckOutcome, Finding};

/// File name of the HTML report inside the report directory.
pub const FILE_NAME: &str = "report.html";

/// The page's style sheet (ours, inlined as is).
const CSS: &str = include_str!("assets/report.css");
/// The page's script (ours, inlined as is): the outcome filter and "expand all".
const JS: &str = include_str!("assets/report.js");

/// Outcomes the filter offers, in display order.
const FILTERS: &[(&str, &str)] = &[
    ("pass", "pass"),
    ("fail", "fail"),
    ("waived", "waived"),
    ("not_exercised", "not exercised"),
    ("not_covered", "not covered (gap)"),
    ("error", "error"),
    ("skipped", "skipped"),
];

/// Renders the report as one HTML page.
pub fn render(report: &RunReport) -> String {
    let verdict = verdict_label(report.verdict);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "sdconform report: " (verdict) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 {
                        "sdconform report"
                        span class={ "badge verdict o-" (report.verdict.as_str()) } { (verdict) }
                    }
                    @if !report.verdict_reasons.is_empty() {
                        ul.reasons {
                            @for reason in &report.verdict_reasons { li { (reason) } }
                        }
                    }
                    (configuration(report))
                    (counts(report))
                }
                fieldset #filter .filter hidden {
                    legend { "Show outcomes" }
                    @for (value, label) in FILTERS {
                        label { input type="checkbox" value=(value) checked; " " (label) }
                    }
                    button #expand type="button" aria-pressed="false" { "expand all evidence" }
                }
                (coverage(&report.clauses))
                (failures(report))
                (cases(report))
                @if let Some(waivers) = &report.waivers { (waiver_table(waivers)) }
                footer.muted {
                    p { "Written by " (report.tool.name) " " (report.tool.version)
                        ", report format " (report.schema_version) "." }
                }
                script { (PreEscaped(JS)) }
            }
        }
    };
    // Control characters from the target (ESC, C1 CSI, ...) as visible escapes,
    // so `cat report.html` cannot drive a terminal (issue 10 item 14).
    inert_lines(&page.into_string()).into_owned()
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Conformant => "CONFORMANT",
        Verdict::NonConformant => "NON-CONFORMANT",
        Verdict::Error => "ERROR",
        Verdict::Inconclusive => "INCONCLUSIVE",
        Verdict::Interrupted => "INTERRUPTED",
    }
}

fn configuration(report: &RunReport) -> Markup {
    html! {
        dl.config {
            dt { "target" }
            dd.mono {
                (report.target.url)
                @if report.target.embedded { span.muted { " (embedded reference target)" } }
            }
            dt { "project" } dd.mono { (report.target.project_id) }
            dt { "profile" } dd { b { (report.profile.name) } " — " (report.profile.description) }
            dt { "fails on" } dd { (report.gate.fail_on.as_str().to_uppercase()) " findings"
                @if report.gate.strict_waivers { ", and stale waivers (--strict-waivers)" } }
            dt { "started" } dd.mono { (report.started_at) }
            dt { "finished" } dd.mono { (report.finished_at) }
            dt { "duration" } dd { (report.duration_ms) " ms" }
            dt { "tool" } dd { (report.tool.name) " " (report.tool.version) }
            dt { "contract" } dd.mono { (report.contract_source) }
            dt { "cases" } dd.mono { (report.cases_source) }
            @if let Some(waivers) = &report.waivers {
                dt { "waivers" } dd.mono { (waivers.source) }
            }
        }
    }
}

fn counts(report: &RunReport) -> Markup {
    let c = &report.summary.cases;
    let s = &report.summary;
    html! {
        div.counts {
            span { b { (c.total) } " cases" }
            span { b { (c.pass) } " pass" }
            span { b { (c.fail) } " fail" }
            span { b { (c.error) } " error" }
            span { b { (c.not_exercised) } " not exercised" }
            span { b { (c.waived) } " waived" }
            span { b { (c.skipped) } " skipped" }
            span { b { (s.must_findings) } " MUST findings" }
            span { b { (s.should_findings) } " SHOULD findings" }
            span { b { (s.waived_findings) } " waived findings" }
        }
        @if report.vacuous {
            p { strong { "Not exercised: " } "the verdict rests on no data for "
                (s.not_exercised_clauses.join(", ")) "." }
        }
    }
}

fn clause_badge(outcome: ClauseOutcome) -> Markup {
    let label = match outcome {
        ClauseOutcome::NotCovered => "gap: not covered",
        ClauseOutcome::NotExercised => "not exercised",
        other => other.as_str(),
    };
    html! { span class={ "badge o-" (outcome.as_str()) } { (label) } }
}

fn coverage(clauses: &[ClauseResult]) -> Markup {
    html! {
        section #coverage {
            h2 { "Clause coverage" }
            table {
                thead { tr { th { "clause" } th { "outcome" } th { "severity" } th { "cases" } th { "checks" } } }
                tbody {
                    @for clause in clauses {
                        tr .gap[clause.outcome == ClauseOutcome::NotCovered] data-outcome=(clause.outcome.as_str()) {
                            td { b { (clause.id) } br; span.muted { (clause.text) } }
                            td { (clause_badge(clause.outcome)) }
                            td { @if let Some(s) = clause.severity { (s.as_str()) } }
                            td.mono { @for (i, case) in clause.cases.iter().enumerate() {
                                @if i > 0 { ", " } (case) } }
                            td.mono { (clause.checks.join(", ")) }
                        }
                    }
                }
            }
        }
    }
}

fn failures(report: &RunReport) -> Markup {
    let with_findings: Vec<&ClauseResult> = report
        .clauses
        .iter()
        .filter(|c| matches!(c.outcome, ClauseOutcome::Fail | ClauseOutcome::Waived))
        .collect();
    html! {
        section #failures {
            h2 { "Failures by clause" }
            @if with_findings.is_empty() { p.muted { "No finding." } }
            @for clause in with_findings {
                section data-outcome=(clause.outcome.as_str()) {
                    h3 { (clause.id) " " (clause_badge(clause.outcome))
                        @if let Some(s) = clause.severity { " " span.muted { (s.as_str()) } } }
                    p.muted { (clause.text) }
                    @for case in &report.cases {
                        @for finding in case.findings.iter().filter(|f| f.clause == clause.id) {
                            (finding_details(case, finding))
                        }
                    }
                }
            }
        }
    }
}

fn finding_details(case: &CaseResult, finding: &Finding) -> Markup {
    let outcome = if finding.waived.is_some() {
        "waived"
    } else {
        "fail"
    };
    let pointer = if finding.pointer.is_empty() {
        "(response)"
    } else {
        finding.pointer.as_str()
    };
    html! {
        details data-outcome=(outcome) {
            summary {
                b { (case.id) } " at " code { (pointer) } " — " (finding.message)
                @if finding.waived.is_some() { " " span class="badge o-waived" { "waived" } }
            }
            table.evidence {
                tr { th { "severity" } td { (finding.severity.as_str()) } }
                tr { th { "check" } td.mono { (finding.check) } }
                tr { th { "expected" } td { (finding.expected) } }
                tr { th { "actual" } td { pre { (finding.actual) } } }
                @if !finding.accepted_by.is_empty() {
                    tr { th { "accepted by" } td { (finding.accepted_by.join(", ")) } }
                }
                @if let Some(waived) = &finding.waived {
                    tr { th { "waived" } td { "until " (waived.expires) ": " (waived.reason) } }
                }
                @if let Some(fuzz) = &finding.fuzz {
                    tr { th { "fuzz" } td { "seed " (fuzz.seed) ", property " (fuzz.property)
                        ", strategy " (fuzz.strategy) ", " (fuzz.origin) ", "
                        (fuzz.shrink_steps) " shrink steps" } }
                    tr { th { "minimal input" } td.mono { "server_id=" (format!("{:?}", fuzz.minimal_input))
                        " (sent as " (fuzz.wire_query) ")" } }
                    tr { th { "repro" } td { pre { (fuzz.repro) } } }
                }
            }
            (exchange(case.request.as_ref(), case.response.as_ref()))
        }
    }
}

fn exchange(request: Option<&RequestRecord>, response: Option<&ResponseRecord>) -> Markup {
    html! {
        @if let Some(request) = request {
            h4 { "Request sent" }
            pre { (request.method) " " (request.url) "\n"
                @for (name, value) in &request.headers { (name) ": " (value) "\n" } }
        }
        @if let Some(response) = response {
            h4 { "Response" }
            p {
                "status " b { (response.status) }
                @if let Some(ct) = &response.content_type { ", " code { (ct) } }
                ", " (response.body_bytes) " bytes, " (response.elapsed_ms) " ms"
            }
            pre { (response.body_excerpt) }
        }
    }
}

fn cases(report: &RunReport) -> Markup {
    html! {
        section #cases {
            h2 { "Cases" }
            @for case in &report.cases {
                details data-outcome=(case.outcome.as_str()) {
                    summary {
                        span class={ "badge o-" (case.outcome.as_str()) } { (case.outcome.as_str()) }
                        " " b { (case.id) } " — " (case.title)
                        span.muted { " (" (case.findings.len()) " findings, " (case.duration_ms) " ms)" }
                    }
                    p.muted { "defined at " code { (case.source) } }
                    @if let Some(error) = case.outcome.error() { p { strong { "harness error: " } (error) } }
                    @if !case.notes.is_empty() {
                        ul { @for note in &case.notes { li { (note) } } }
                    }
                    table {
                        thead { tr { th { "check" } th { "clause" } th { "outcome" } th { "note" } } }
                        tbody {
                            @for record in &case.checks {
                                tr { td.mono { (record.check) } td { (record.clause) }
                                    td { (check_outcome(record.outcome)) }
                                    td { @if let Some(note) = &record.note { (note) } } }
                            }
                        }
                    }
                    (exchange(case.request.as_ref(), case.response.as_ref()))
                }
            }
        }
    }
}

fn check_outcome(outcome: CheckOutcome) -> &'static str {
    match outcome {
        CheckOutcome::Pass => "pass",
        CheckOutcome::Fail => "fail",
        CheckOutcome::NotExercised => "not exercised",
        CheckOutcome::NotApplicable => "not applicable",
    }
}

fn waiver_table(waivers: &WaiverReport) -> Markup {
    html! {
        section #waivers {
            h2 { "Waivers" }
            p.muted { "from " code { (waivers.source) } }
            table {
                thead { tr { th { "clause" } th { "case" } th { "expires" } th { "status" }
                    th { "findings" } th { "reason" } th { "defined at" } } }
                tbody {
                    @for entry in &waivers.entries {
                        tr {
                            td { (entry.clause) }
                            td.mono { (entry.case.as_deref().unwrap_or("every case")) }
                            td.mono { (entry.expires) }
                            td { span class={ "badge o-" (entry.status.as_str()) } { (entry.status.as_str()) } }
                            td { (entry.findings) }
                            td { (entry.reason) }
                            td.mono { (entry.source) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{HOSTILE, hostile_report};

    #[test]
    fn every_target_string_is_escaped() {
        let page = render(&hostile_report());
        assert_eq!(page.matches("<script").count(), 1, "only our own script");
        assert!(!page.contains("</textarea"));
        assert!(!page.contains("alert(1)</script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;"));
        // Each place a target string lands (title, URL, headers, body, notes, error, waiver…).
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;| x |`y`[z](w)";
        assert!(
            page.matches(escaped).count() >= 15,
            "{}",
            page.matches(escaped).count()
        );
        assert!(HOSTILE.contains("</textarea>"));
    }

    /// Issue 10 item 14: no control character but line feed reaches the page.
    #[test]
    fn control_characters_are_visible_escapes() {
        let page = render(&hostile_report());
        let raw: Vec<char> = page
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{raw:?}");
        for shown in ["\\u{1b}[31m", "\\u{9b}31m", "\\u{7}", "\\u{7f}", "\\r"] {
            assert!(page.contains(shown), "{shown}");
        }
    }

    /// Issue 10 item 17: a fuzz finding shows its seed, minimal input and repro line.
    #[test]
    fn a_fuzz_finding_shows_seed_minimal_input_and_repro() {
        let page = render(&hostile_report());
        assert!(
            page.contains("seed 4242, property no-server-error"),
            "{page}"
        );
        assert!(page.contains("server_id=&quot;'&lt;script&gt;"), "{page}");
        assert!(
            page.contains("<pre>curl -sS -g -H &quot;X-Auth-Token: $SDCONFORM_TOKEN&quot;"),
            "{page}"
        );
    }

    #[test]
    fn gaps_waived_and_errors_are_shown() {
        let page = render(&hostile_report());
        assert!(page.contains("<tr class=\"gap\" data-outcome=\"not_covered\">"));
        assert!(page.contains("badge o-waived"));
        assert!(page.contains("harness error: "));
        // The filter is hidden until the script reveals it.
        assert!(page.contains("<fieldset class=\"filter\" id=\"filter\" hidden>"));
        for external in ["http://cdn", "https://", "<link", "src=\""] {
            assert!(!page.contains(external), "{external}");
        }
    }
}
