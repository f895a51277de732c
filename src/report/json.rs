//! `report.json`: the `RunReport` as pretty JSON, written atomically.
//!
//! Written to a temporary file in the report directory, then renamed over
//! `report.json`, so a reader never sees half a report.
//!
//! No control character is written raw: serde_json escapes C0 (`\u001b`), and
//! [`InertFormatter`] escapes DEL and C1 too (`"\u009b31m"`), which JSON allows
//! raw but a terminal obeys (issue 10 item 14). Every JSON reader reads the
//! same string back.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::ser::Formatter;

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
    Junit(#[source] std::io::Error),
    /// The text would still hold a secret: it is not written (fails closed).
    #[error("keep the secrets out of the files written")]
    Secret(#[source] crate::secret::RedactError),
}

/// Writes `report` to `dir/report.json` atomically; returns the path.
pub fn write(dir: &Path, report: &RunReport) -> Result<PathBuf, WriteError> {
    let text = to_string(report).map_err(WriteError::Serialize)?;
    write_atomic(dir, FILE_NAME, text.as_bytes())
}

/// `value` as pretty JSON (two-space indent) with every control character
/// escaped, DEL and C1 included.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut out,
        InertFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut serializer)?;
    // serde_json writes UTF-8 only; a failure here would be a serde_json bug.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// serde_json's pretty formatter, but `U+007F..=U+009F` inside strings (values
/// and member names) is written as `\u007f`..`\u009f` instead of raw.
pub struct InertFormatter<F>(pub F);

/// Whether serde_json would write `c` raw although it is a control character.
fn raw_control(c: char) -> bool {
    ('\u{7f}'..='\u{9f}').contains(&c)
}

impl<F: Formatter> Formatter for InertFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(raw_control) {
            let (before, after) = rest.split_at(at);
            self.0.write_string_fragment(writer, before)?;
            let mut chars = after.chars();
            if let Some(c) = chars.next() {
                write!(writer, "\\u{:04x}", u32::from(c))?;
            }
            rest = chars.as_str();
        }
        self.0.write_string_fragment(writer, rest)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
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

#[cfg(test)]
mod tests {
    use super::to_string;

    /// Issue 10 item 14: C1 controls and DEL are escaped in values and member
    /// names, and the text reads back to the same value.
    #[test]
    fn every_control_character_is_escaped_and_reads_back() {
        let every: String = (0u32..=0xa0).filter_map(char::from_u32).collect();
        let value = serde_json::json!({
            "plain": "é ✓ \"quoted\" back\\slash",
            "controls": every,
            format!("key\u{9b}31m\u{1b}[0m\u{7f}"): ["\u{85}", "\u{9f}\u{a0}"],
        });
        let text = to_string(&value).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        for escaped in ["\\u001b", "\\u009b", "\\u007f", "\\u0085", "\\u0007"] {
            assert!(text.contains(escaped), "{escaped} in {text}");
        }
        assert!(text.contains("\u{a0}"), "U+00A0 is not a control");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, value);
        // The layout is serde_json's own pretty form.
        let plain = serde_json::json!({"a": [1, {"b": null}], "c": {}});
        assert_eq!(
            to_string(&plain).ok(),
            serde_json::to_string_pretty(&plain).ok()
        );
    }
}
