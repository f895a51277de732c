//! The end every command that makes a report shares (`run`, `fuzz`, `recheck`):
//! the summary on stdout, the report files, the exit code of the verdict.
//! Fails closed: text that would still hold a secret is neither printed nor written.

use std::path::Path;

use super::{Printing, fuzz_lines};
use crate::console;
use crate::error::Error;
use crate::report::model::RunReport;
use crate::report::write::Format;
use crate::report::{self, summary};
use crate::secret::Secrets;

/// Prints `report`'s summary (with `-q`, its verdict lines only), once it is
/// known to hold no spelling of `secrets`.
pub(super) fn show(report: &RunReport, secrets: &Secrets, printing: Printing) -> Result<(), Error> {
    let summary_text = summary::render(report);
    let fuzz_text = fuzz_lines(report);
    let identity_text = identity_line(report);
    for text in [&summary_text, &fuzz_text, &identity_text] {
        secrets
            .ensure_absent(text, "console summary")
            .map_err(Error::Secret)?;
    }
    if printing.quiet {
        console::out(&verdict_lines(&summary_text));
    } else {
        console::out("");
        console::out(&summary_text);
        for text in [&fuzz_text, &identity_text] {
            if !text.is_empty() {
                console::out(text.trim_end());
            }
        }
    }
    Ok(())
}

/// The identity service's line after the summary, when the run used a cloud.
fn identity_line(report: &RunReport) -> String {
    report.target.identity.as_ref().map_or_else(String::new, |identity| {
        format!(
            "identity: cloud {:?} ({} method), {} token(s) issued, {} renewal(s), {} 401(s) to the run's token, {} exchange(s) in report.json",
            identity.cloud,
            identity.method,
            identity.tokens_issued,
            identity.renewals,
            identity.rejections,
            identity.exchanges.len()
        )
    })
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

/// The summary's verdict and its reasons only (`-q`).
fn verdict_lines(summary: &str) -> String {
    summary
        .lines()
        .filter(|line| line.starts_with("verdict:") || line.starts_with("  because:"))
        .collect::<Vec<_>>()
        .join("\n")
}
