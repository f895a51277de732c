//! The end every command that makes a report shares (`run`, `fuzz`, `recheck`):
//! the summary on stdout, the report files, the exit code of the verdict.
//! Fails closed: text that would still hold a secret is neither printed nor written.

use std::path::Path;

use super::{Printing, fuzz_lines};
use crate::console;
use crate::error::Error;
use crate::exit::Exit;
use crate::report::model::{RunReport, Verdict};
use crate::report::write::Format;
use crate::report::{self, summary};
use crate::secret::Secrets;

/// Prints `report`'s summary (with `-q`, its verdict lines only), once it is
/// known to hold no spelling of `secrets`.
pub(super) fn show(report: &RunReport, secrets: &Secrets, printing: Printing) -> Result<(), Error> {
    let summary_text = summary::render(report);
    let fuzz_text = fuzz_lines(report);
    for text in [&summary_text, &fuzz_text] {
        secrets
            .ensure_absent(text, "console summary")
            .map_err(Error::Secret)?;
    }
    if printing.quiet {
        console::out(&verdict_lines(&summary_text));
    } else {
        console::out("");
        console::out(&summary_text);
        if !fuzz_text.is_empty() {
            console::out(fuzz_text.trim_end());
        }
    }
    Ok(())
}

/// Writes `report` in `formats` to `dir`, says where, and adds the file names to `written`.
pub(super) fn write(
    dir: &Path,
    report: &RunReport,
    formats: &[Format],
    secrets: &Secrets,
    printing: Printing,
    written: &mut Vec<String>,
) -> Result<(), Error> {
    let paths = report::write::write_all(dir, report, formats, secrets)?;
    written.extend(
        paths
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
    );
    for path in paths {
        printing.say(&format!(
            "report: {}",
            secrets.scrub_str(&path.display().to_string())
        ));
    }
    Ok(())
}

/// The exit code of a verdict.
pub(super) fn exit_of(verdict: Verdict) -> Exit {
    match verdict {
        Verdict::Conformant => Exit::Conformant,
        Verdict::NonConformant => Exit::NonConformant,
        Verdict::Error => Exit::Incomplete,
        Verdict::Inconclusive => Exit::Inconclusive,
        Verdict::Interrupted => Exit::Interrupted,
    }
}

/// The summary's verdict and its reasons only (`-q`).
fn verdict_lines(summary: &str) -> String {
    summary
        .lines()
        .filter(|line| line.starts_with("verdict:") || line.starts_with("  because:"))
        .collect::<Vec<_>>()
        .join("\n")
}
