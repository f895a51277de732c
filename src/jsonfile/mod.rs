//! One JSON file the user gave us (waivers, reports to compare): the errors
//! every such read shares, each naming `file:line:col`.
//!
//! Sits beside `case::locate`, which maps a JSON pointer back to its text
//! position. A message reads, after "failed to load the waivers: ":
//!
//! ```text
//! waivers.json:4:17: /waivers/0/expires: "2026-13-01" does not match "^[0-9]{4}-..."
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

pub mod locate;

use locate::{Locator, syntax_error};

/// Why a JSON file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("could not read {}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Syntax {
        /// The file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The file is JSON but not what it should be.
    #[error("{file}:{line}:{column}: {pointer}: {message}")]
    Invalid {
        /// The file as given.
        file: String,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// JSON pointer to it ("(the file)" for the whole document).
        pointer: String,
        /// What is wrong.
        message: String,
    },
}

/// The text of `path`.
pub fn read(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|source| FileError::Io {
        path: path.to_owned(),
        source,
    })
}

/// `text` parsed as JSON; `file` names it in messages.
pub fn parse(file: &str, text: &str) -> Result<Value, FileError> {
    serde_json::from_str(text).map_err(|error| {
        let (line, column, message) = syntax_error(text, &error);
        FileError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// Positions in one file's text, for [`FileError::Invalid`].
pub struct Positions<'a> {
    file: &'a str,
    locator: Option<Locator<'a>>,
}

impl<'a> Positions<'a> {
    /// Positions in `text`, the content of `file`.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Positions {
            file,
            locator: Locator::new(text),
        }
    }

    /// The `line:col` of the value `pointer` names, or `1:1` when it cannot be found.
    pub fn at(&self, pointer: &str) -> (usize, usize) {
        self.locator
            .as_ref()
            .and_then(|l| l.value(pointer))
            .unwrap_or((1, 1))
    }

    /// `value` (parsed from this text) as a `T`; an error points at the
    /// offending value.
    pub fn typed<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T, FileError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let pointer = path_pointer(e.path());
            self.invalid(&pointer, e.inner().to_string(), false)
        })
    }

    /// An `Invalid` error at the value `pointer` names (or, with `key`, at its
    /// member name), or at 1:1 when it cannot be found.
    pub fn invalid(&self, pointer: &str, message: String, key: bool) -> FileError {
        let position = self.locator.as_ref().and_then(|l| {
            if key {
                l.key(pointer)
            } else {
                l.value(pointer)
            }
        });
        let (line, column) = position.unwrap_or((1, 1));
        FileError::Invalid {
            file: self.file.to_owned(),
            line,
            column,
            pointer: if pointer.is_empty() {
                "(the file)".to_owned()
            } else {
                pointer.to_owned()
            },
            message,
        }
    }
}

/// A serde path (`clauses[3].id`) as a JSON pointer (`/clauses/3/id`).
pub fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    pointer
}
