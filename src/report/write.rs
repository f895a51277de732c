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
            Format::Json => serde_json::to_string_pretty(report).map_err(WriteError::Serialize),
            Format::Junit => junit::render(report).map_err(WriteError::Junit),
            Format::Md => Ok(markdown::render(report)),
            Format::Html => Ok(html::render(report)),
        }
    }
}

/// Writes `report.json` and every other format in `formats` to `dir`, sorted
/// by case id; returns the paths written, `report.json` first.
pub fn write_all(
    dir: &Path,
    report: &RunReport,
    formats: &[Format],
) -> Result<Vec<PathBuf>, WriteError> {
    let mut report = report.clone();
    report.cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut paths = Vec::new();
    for format in Format::ALL {
        if format == Format::Json || formats.contains(&format) {
            let text = format.render(&report)?;
            paths.push(write_atomic(dir, format.file_name(), text.as_bytes())?);
        }
    }
    Ok(paths)
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
