//! `sdconform compare`: several runs side by side, as a clause × run
//! compatibility matrix, and for two runs of one target, what changed.
//!
//! Pure: the reports come in already read (`report::read`) and the matrix goes
//! out as Markdown or one self-contained HTML page. Columns are labelled by
//! target URL, profile and file name, made unique (the path, then a number,
//! when two labels collide). An excerpt:
//!
//! ```markdown
//! | clause | http://a:8004 (documented) old.json | http://a:8004 (documented) new.json |
//! |---|---|---|
//! | SD-RESP-9 | ❌ fail (MUST) | ✅ pass |
//!
//! ### Changes
//! - fixed (fail → pass): SD-RESP-9
//! - regressed (pass → fail): SD-RESP-4
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::markdown::escape;
use super::model::{ClauseOutcome, RunReport};
use crate::check::Severity;

/// The output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CompareFormat {
    /// GitHub-flavoured Markdown (the default).
    #[default]
    Md,
    /// One self-contained HTML page.
    Html,
}

/// One clause in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// The clause's outcome in that run.
    pub outcome: ClauseOutcome,
    /// Its highest severity among findings, if any.
    pub severity: Option<Severity>,
    /// Observations that cite it (a report before 1.2 has none).
    pub observations: usize,
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Clause id.
    pub clause: String,
    /// One cell per column; `None` when that report has no such clause.
    pub cells: Vec<Option<Cell>>,
}

/// What changed between two runs of one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Clauses that failed before and pass now.
    pub fixed: Vec<String>,
    /// Clauses that passed before and fail now.
    pub regressed: Vec<String>,
    /// Clauses not exercised now that were before (passed, failed, ...).
    pub newly_not_exercised: Vec<String>,
    /// Every other change: (clause, before, after).
    pub other: Vec<(String, ClauseOutcome, ClauseOutcome)>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Column labels, unique.
    pub columns: Vec<String>,
    /// Each run's verdict (`conformant`, `non-conformant`, ...), by column.
    pub verdicts: Vec<String>,
    /// When each run finished (RFC 3339), by column.
    pub finished: Vec<String>,
    /// Rows in the first report's clause order, then any clause only later reports have.
    pub rows: Vec<Row>,
    /// For exactly two reports: the changes, or why there are none to compute.
    pub changes: Option<Result<Changes, String>>,
}

/// Builds the matrix from `(path as given, report)` pairs; a file given twice,
/// under any spelling (`r.json`, `./r.json`, `q/../r.json`, a link), counts once.
pub fn matrix(inputs: &[(String, RunReport)]) -> Matrix {
    let mut seen = std::collections::BTreeSet::new();
    let inputs: Vec<&(String, RunReport)> = inputs
        .iter()
        .filter(|(path, _)| seen.insert(identity(path)))
        .collect();
    let columns = labels(&inputs);
    let mut order: Vec<String> = Vec::new();
    for (_, report) in &inputs {
        for clause in &report.clauses {
            if !order.contains(&clause.id) {
                order.push(clause.id.clone());
            }
        }
    }
    let rows = order
        .into_iter()
        .map(|clause| Row {
            cells: inputs
                .iter()
                .map(|(_, report)| {
                    report
                        .clauses
                        .iter()
                        .find(|c| c.id == clause)
                        .map(|c| Cell {
                            outcome: c.outcome,
                            severity: c.severity,
                            observations: report
                                .cases
                                .iter()
                                .flat_map(|case| &case.observations)
                                .filter(|o| o.clause == c.id)
                                .count(),
                        })
                })
                .collect(),
            clause,
        })
        .collect::<Vec<_>>();
    let changes = match inputs.as_slice() {
        [(_, a), (_, b)] => Some(
            if a.target.url == b.target.url && a.target.project_id == b.target.project_id {
                Ok(changes(&rows))
            } else {
                Err("the two reports test different targets".to_owned())
            },
        ),
        _ => None,
    };
    Matrix {
        columns,
        verdicts: inputs
            .iter()
            .map(|(_, r)| r.verdict.as_str().to_owned())
            .collect(),
        finished: inputs.iter().map(|(_, r)| r.finished_at.clone()).collect(),
        rows,
        changes,
    }
}

/// The file `path` names: resolved by the file system when it exists, else
/// with `.` and `dir/..` removed from the spelling.
fn identity(path: &str) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let mut out = PathBuf::new();
    for part in Path::new(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn labels(inputs: &[&(String, RunReport)]) -> Vec<String> {
    let label = |(path, report): &(String, RunReport), long: bool| {
        let name = if long {
            path.clone()
        } else {
            Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned())
        };
        format!("{} ({}) {name}", report.target.url, report.profile.name)
    };
    let short: Vec<String> = inputs.iter().map(|i| label(i, false)).collect();
    let mut labels: Vec<String> = inputs
        .iter()
        .zip(&short)
        .map(|(input, s)| {
            if short.iter().filter(|other| *other == s).count() > 1 {
                label(input, true)
            } else {
                s.clone()
            }
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for label in &labels {
        *counts.entry(label.clone()).or_default() += 1;
    }
    let mut numbered: BTreeMap<String, usize> = BTreeMap::new();
    for label in &mut labels {
        if counts.get(label).copied().unwrap_or(0) > 1 {
            let n = numbered.entry(label.clone()).or_default();
            *n += 1;
            *label = format!("{label} #{n}");
        }
    }
    labels
}

fn changes(rows: &[Row]) -> Changes {
    let mut changes = Changes::default();
    for row in rows {
        let (Some(Some(before)), Some(Some(after))) = (row.cells.first(), row.cells.get(1)) else {
            continue;
        };
        let (b, a) = (before.outcome, after.outcome);
        if b == a {
            continue;
        }
        let clause = row.clause.clone();
        match (b, a) {
            (ClauseOutcome::Fail, ClauseOutcome::Pass) => changes.fixed.push(clause),
            (ClauseOutcome::Pass, ClauseOutcome::Fail) => changes.regressed.push(clause),
            (_, ClauseOutcome::NotExercised) => changes.newly_not_exercised.push(clause),
            _ => changes.other.push((clause, b, a)),
        }
    }
    changes
}

fn cell_text(cell: Option<Cell>) -> String {
    let Some(cell) = cell else {
        return "(absent)".to_owned();
    };
    let label = match cell.outcome {
        ClauseOutcome::Pass => "✅ pass",
        ClauseOutcome::Fail => "❌ fail",
        ClauseOutcome::Waived => "🟡 waived",
        ClauseOutcome::NotExercised => "⚪ not exercised",
        ClauseOutcome::NotCovered => "⬜ gap",
    };
    let label = match cell.severity {
        Some(s) if cell.outcome == ClauseOutcome::Fail => format!("{label} ({})", s.as_str()),
        _ => label.to_owned(),
    };
    match cell.observations {
        0 => label,
        n => format!("{label}, {n} observation(s)"),
    }
}

/// Renders the matrix as Markdown.
pub fn render_md(matrix: &Matrix) -> String {
    let mut out = String::from("## sdconform compare\n\n| clause |");
    for column in &matrix.columns {
        let _ = write!(out, " {} |", escape(column));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(matrix.columns.len()));
    out.push('\n');
    for (name, values) in [
        ("verdict", &matrix.verdicts),
        ("finished", &matrix.finished),
    ] {
        let _ = write!(out, "| *{name}* |");
        for value in values {
            let _ = write!(out, " {} |", escape(value));
        }
        out.push('\n');
    }
    for row in &matrix.rows {
        let _ = write!(out, "| {} |", escape(&row.clause));
        for cell in &row.cells {
            let _ = write!(out, " {} |", cell_text(*cell));
        }
        out.push('\n');
    }
    match &matrix.changes {
        None => {}
        Some(Err(why)) => {
            let _ = writeln!(out, "\n### Changes\n\nNot computed: {}.", escape(why));
        }
        Some(Ok(changes)) => {
            out.push_str("\n### Changes\n\n");
            let list = |items: &[String]| {
                if items.is_empty() {
                    "none".to_owned()
                } else {
                    escape(&items.join(", "))
                }
            };
            let _ = writeln!(out, "- fixed (fail → pass): {}", list(&changes.fixed));
            let _ = writeln!(
                out,
                "- regressed (pass → fail): {}",
                list(&changes.regressed)
            );
            let _ = writeln!(
                out,
                "- newly not exercised: {}",
                list(&changes.newly_not_exercised)
            );
            for (clause, before, after) in &changes.other {
                let _ = writeln!(
                    out,
                    "- {}: {} → {}",
                    escape(clause),
                    before.as_str(),
                    after.as_str()
                );
            }
        }
    }
    out
}

/// Renders the matrix as one self-contained HTML page.
pub fn render_html(matrix: &Matrix) -> String {
    let cell = |cell: Option<Cell>| -> Markup {
        match cell {
            None => html! { span.muted { "(absent)" } },
            Some(c) => html! {
                span class={ "badge o-" (c.outcome.as_str()) } { (c.outcome.as_str()) }
                @if let (ClauseOutcome::Fail, Some(s)) = (c.outcome, c.severity) { " " (s.as_str()) }
                @if c.observations > 0 { ", " (c.observations) " observation(s)" }
            },
        }
    };
    let list = |title: &str, items: &[String]| -> Markup {
        html! { li { b { (title) } ": " @if items.is_empty() { "none" } @else { (items.join(", ")) } } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "sdconform compare" }
                style { (PreEscaped(include_str!("assets/report.css"))) }
            }
            body {
                h1 { "sdconform compare" }
                table {
                    thead { tr { th { "clause" } @for c in &matrix.columns { th.mono { (c) } } } }
                    tbody {
                        tr { td { i { "verdict" } } @for v in &matrix.verdicts { td { span class={ "badge v-" (v) } { (v) } } } }
                        tr { td { i { "finished" } } @for f in &matrix.finished { td.mono { (f) } } }
                        @for row in &matrix.rows {
                            tr { td { b { (row.clause) } } @for c in &row.cells { td { (cell(*c)) } } }
                        }
                    }
                }
                @match &matrix.changes {
                    None => {},
                    Some(Err(why)) => { h2 { "Changes" } p { "Not computed: " (why) "." } },
                    Some(Ok(changes)) => {
                        h2 { "Changes" }
                        ul {
                            (list("fixed (fail → pass)", &changes.fixed))
                            (list("regressed (pass → fail)", &changes.regressed))
                            (list("newly not exercised", &changes.newly_not_exercised))
                            @for (clause, before, after) in &changes.other {
                                li { (clause) ": " (before.as_str()) " → " (after.as_str()) }
                            }
                        }
                    },
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{ClauseResult, Counts, Gate, ProfileInfo, Summary, Tool, Verdict};

    fn report(url: &str, outcomes: &[(&str, ClauseOutcome)]) -> RunReport {
        RunReport {
            schema_version: "1.1".to_owned(),
            tool: Tool {
                name: "sdconform".to_owned(),
                version: "0".to_owned(),
            },
            target: crate::report::fixture::target(url, "p"),
            profile: ProfileInfo {
                name: "documented".to_owned(),
                description: String::new(),
            },
            contract_source: "embedded".to_owned(),
            cases_source: "embedded".to_owned(),
            started_at: "2026-01-01T00:00:00Z".to_owned(),
            finished_at: "2026-01-01T00:00:00Z".to_owned(),
            duration_ms: 0,
            verdict: Verdict::Conformant,
            verdict_reasons: Vec::new(),
            gate: Gate::default(),
            waivers: None,
            fixtures: None,
            vacuous: false,
            summary: Summary {
                cases: Counts::default(),
                ..Summary::default()
            },
            clauses: outcomes
                .iter()
                .map(|(id, outcome)| ClauseResult {
                    id: (*id).to_owned(),
                    text: String::new(),
                    outcome: *outcome,
                    severity: (*outcome == ClauseOutcome::Fail).then_some(Severity::Must),
                    cases: Vec::new(),
                    checks: Vec::new(),
                })
                .collect(),
            cases: Vec::new(),
        }
    }

    use ClauseOutcome::{Fail, NotCovered, NotExercised, Pass, Waived};

    #[test]
    fn two_runs_of_one_target_show_fixed_regressed_and_newly_not_exercised() {
        let before = report(
            "http://a",
            &[
                ("A", Fail),
                ("B", Pass),
                ("C", Pass),
                ("D", Fail),
                ("E", NotCovered),
            ],
        );
        let after = report(
            "http://a",
            &[
                ("A", Pass),
                ("B", Fail),
                ("C", NotExercised),
                ("D", Waived),
                ("E", NotCovered),
            ],
        );
        let m = matrix(&[
            ("old/report.json".to_owned(), before),
            ("new/report.json".to_owned(), after),
        ]);
        // Same file name: the labels fall back to the paths.
        assert_eq!(
            m.columns,
            [
                "http://a (documented) old/report.json",
                "http://a (documented) new/report.json"
            ]
        );
        let changes = m.changes.clone().and_then(Result::ok).unwrap_or_default();
        assert_eq!(changes.fixed, ["A"]);
        assert_eq!(changes.regressed, ["B"]);
        assert_eq!(changes.newly_not_exercised, ["C"]);
        assert_eq!(changes.other, [("D".to_owned(), Fail, Waived)]);
        let md = render_md(&m);
        assert!(md.contains("| A | ❌ fail (MUST) | ✅ pass |"), "{md}");
        assert!(md.contains("- fixed (fail → pass): A"), "{md}");
        assert!(md.contains("- regressed (pass → fail): B"), "{md}");
        assert!(md.contains("| E | ⬜ gap | ⬜ gap |"), "{md}");
    }

    #[test]
    fn labels_are_unique_and_changes_need_one_target() {
        let a = report("http://a", &[("A", Pass)]);
        let b = report("http://b", &[("A", Fail), ("Z", Pass)]);
        let m = matrix(&[
            ("x/r.json".to_owned(), a.clone()),
            ("x/r.json".to_owned(), a.clone()),
            ("y/r.json".to_owned(), b),
        ]);
        assert_eq!(
            m.columns,
            [
                "http://a (documented) r.json",
                "http://b (documented) r.json"
            ]
        );
        assert_eq!(
            m.changes,
            Some(Err("the two reports test different targets".to_owned()))
        );
        assert_eq!(m.rows.len(), 2);
        assert_eq!(m.rows[1].cells[0], None);
        // Issue 10 item 19: one file under three spellings is one column.
        let m = matrix(&[
            ("r.json".to_owned(), a.clone()),
            ("./r.json".to_owned(), a.clone()),
            ("q/../r.json".to_owned(), a.clone()),
        ]);
        assert_eq!(m.columns, ["http://a (documented) r.json"]);
        assert_eq!(m.changes, None);
        // Two files of one name: labelled by their paths.
        let m = matrix(&[
            ("q/r.json".to_owned(), a.clone()),
            ("./p/r.json".to_owned(), a),
        ]);
        assert_eq!(
            m.columns,
            [
                "http://a (documented) q/r.json",
                "http://a (documented) ./p/r.json"
            ]
        );
    }

    /// Issue 10 item 19: the matrix says each run's verdict and when it ran.
    #[test]
    fn verdict_and_date_rows_head_the_matrix() {
        let a = report("http://a", &[("A", Pass)]);
        let mut b = report("http://a", &[("A", Fail)]);
        b.verdict = crate::report::model::Verdict::NonConformant;
        b.finished_at = "2026-02-02T10:00:00Z".to_owned();
        let m = matrix(&[("a.json".to_owned(), a), ("b.json".to_owned(), b)]);
        let md = render_md(&m);
        assert!(
            md.contains("| *verdict* | conformant | non-conformant |\n| *finished* | 2026-01-01T00:00:00Z | 2026-02-02T10:00:00Z |\n| A |"),
            "{md}"
        );
        let page = render_html(&m);
        assert!(
            page.contains(">non-conformant<") && page.contains("2026-02-02T10:00:00Z"),
            "{page}"
        );
    }

    #[test]
    fn html_escapes_labels() {
        let a = report("http://a/<script>x</script>", &[("A", Pass)]);
        let page = render_html(&matrix(&[("r.json".to_owned(), a)]));
        assert!(!page.contains("<script>x"), "{page}");
        assert!(page.contains("&lt;script&gt;x"));
    }
}
