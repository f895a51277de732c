//! `report.json`: the `RunReport` as pretty JSON, written atomically.
//!
//! Written to a temporary file in the report directory, then renamed over
//! `report.json`, so a reader never sees half a report.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::model::RunReport;

/// File name of the JSON report inside the report directory.
pub const FILE_NAME: &str = "report.json";

/// Errors writing a report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The directory or file could not be written.
    #[error("write {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The report could not be serialized.
    #[error("serialize the report")]
    Serialize(#[source] serde_json::Error),
    /// The JUnit report could not be serialized.
    #[error("serialize the JUnit report")]
    Junit(#[source] quick_junit::SerializeError),
}

/// Writes `report` to `dir/report.json` atomically; returns the path.
pub fn write(dir: &Path, report: &RunReport) -> Result<PathBuf, WriteError> {
    let text = serde_json::to_string_pretty(report).map_err(WriteError::Serialize)?;
    write_atomic(dir, FILE_NAME, text.as_bytes())
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let path = dir.join(name);
    let io = |source| WriteError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_owned(),
        source,
    })?;
    // Reports are meant to be shared: readable by all, like any file `cp` makes
    // (tempfile's default is owner-only).
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut file = builder.tempfile_in(dir).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    file.persist(&path).map_err(|e| io(e.error))?;
    Ok(path)
}
