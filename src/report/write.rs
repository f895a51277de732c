//! Writing a run's reports: `report.json` always, and the formats `--report`
//! selects, each from the one `RunReport`, each atomically, into one directory.
//!
//! ```text
//! reports/report.json   the model itself (schemas/report.schema.json)
//! reports/junit.xml     CI test tabs
//! reports/summary.md    a GitHub step summary or PR comment
//! reports/report.html   one self-contained page for a person
//! ```

use std::path::{Path, PathBuf};

use super::json::{WriteError, write_atomic};
use super::model::RunReport;
use super::{html, json, junit, markdown};
use crate::secret::Secrets;

/// A report format (`--report json,junit,md,html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// `report.json`, the model itself; always written.
    Json,
    /// `junit.xml`.
    Junit,
    /// `summary.md`.
    Md,
    /// `report.html`.
    Html,
}

impl Format {
    /// Every format, in the order they are written.
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Md, Format::Html];

    /// The file the format is written to inside the report directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => json::FILE_NAME,
            Format::Junit => junit::FILE_NAME,
            Format::Md => markdown::FILE_NAME,
            Format::Html => html::FILE_NAME,
        }
    }

    /// The bytes of `report` in this format.
    pub fn render(self, report: &RunReport) -> Result<String, WriteError> {
        match self {
            Format::Json => json::to_string(report).map_err(WriteError::Serialize),
            Format::Junit => junit::render(report).map_err(WriteError::Junit),
            Format::Md => Ok(markdown::render(report)),
            Format::Html => Ok(html::render(report)),
        }
    }
}

/// Writes `report.json` and every other format in `formats` to `dir`, sorted
/// by case id; returns the paths written, `report.json` first.
///
/// Every file is rendered and searched for `secrets` (every spelling) before
/// any is written: when one would still hold a secret, none is (fails closed).
/// `report` is expected to be redacted already ([`Secrets::redact`]).
pub fn write_all(
    dir: &Path,
    report: &RunReport,
    formats: &[Format],
    secrets: &Secrets,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut report = report.clone();
    report.cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rendered = Vec::new();
    for format in Format::ALL {
        if format == Format::Json || formats.contains(&format) {
            let text = format.render(&report)?;
            secrets
                .ensure_absent(&text, format.file_name())
                .map_err(WriteError::Secret)?;
            rendered.push((format.file_name(), text));
        }
    }
    rendered
        .into_iter()
        .map(|(name, text)| write_atomic(dir, name, text.as_bytes()))
        .collect()
}

/// Writes `text` to `path` atomically (its directory is created); returns the path.
pub fn write_file(path: &Path, text: &str) -> Result<PathBuf, WriteError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| WriteError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
    write_atomic(dir, &name, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::{Format, Secrets, write_all};
    use crate::contract::{Contract, compile};
    use crate::report::fixture::hostile_report;
    use crate::report::read;

    /// Issue 10 item 14: a report whose target strings hold ESC, C1 CSI, BEL,
    /// DEL and CR is written with no raw control character in any file (line
    /// feeds and tabs aside), and `report.json` reads back to the same values.
    #[test]
    fn no_file_holds_a_raw_control_character_and_report_json_reads_back() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let report = hostile_report();
        let paths = write_all(dir.path(), &report, &Format::ALL, &Secrets::new())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths.len(), 4);
        for path in &paths {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
            let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"));
            let raw: Vec<char> = text
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
                .collect();
            assert!(raw.is_empty(), "{}: {raw:?}", path.display());
            let visible = if path.ends_with("report.json") {
                ["\\u001b", "\\u009b", "\\u0007", "\\u007f"]
            } else {
                ["\\u{1b}", "\\u{9b}", "\\u{7}", "\\u{7f}"]
            };
            for shown in visible {
                assert!(text.contains(shown), "{shown} in {}", path.display());
            }
        }

        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let validator = compile("report.schema.json", contract.report_schema())
            .unwrap_or_else(|e| panic!("{e}"));
        let back = read::read(&dir.path().join("report.json"), &validator)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut sorted = report.clone();
        sorted.cases.sort_by(|a, b| a.id.cmp(&b.id));
        let value = |r: &crate::report::RunReport| {
            serde_json::to_value(r).unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(value(&back), value(&sorted));
        assert!(back.cases.iter().any(|c| c.title.contains('\u{9b}')));
    }

    /// Issue 10 item 7: a report that would still show a secret (here in a
    /// number, which scrubbing does not reach) is not written, in any format.
    #[test]
    fn no_file_is_written_when_one_would_hold_a_secret() {
        use crate::secret::Secret;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut report = hostile_report();
        report.duration_ms = 987_654_321;
        let mut secrets = Secrets::new();
        secrets
            .add("the token", &Secret::new("87654"))
            .unwrap_or_else(|e| panic!("{e}"));
        let result = write_all(dir.path(), &report, &Format::ALL, &secrets);
        assert!(
            matches!(result, Err(crate::report::json::WriteError::Secret(_))),
            "{result:?}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
