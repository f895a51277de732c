//! Reading one JSON file: its text, its value, and the positions in that text
//! of the values a reader finds wrong.
//!
//! Every reader (cases, waivers, the contract's schema files, reports to
//! compare, fuzz regressions) goes `read` → `parse` → [`Positions`], so every
//! message names `file:line:col` with the column in characters.

use std::path::Path;

use serde_json::Value;

use super::error::{FileError, Problem};
use super::locate::{Locator, syntax_error};
use super::pointer::path_pointer;

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

/// Positions in one file's text, for [`Problem`]s and [`FileError::Invalid`].
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

    /// The file as given.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// The `line:col` of the value `pointer` names (of its deepest existing
    /// ancestor when it names nothing), or `1:1` when it cannot be found.
    pub fn at(&self, pointer: &str) -> (usize, usize) {
        self.locator
            .as_ref()
            .and_then(|l| l.value(pointer))
            .unwrap_or((1, 1))
    }

    /// As [`Positions::at`], but at the member name when `pointer` names an
    /// object member.
    pub fn key_at(&self, pointer: &str) -> (usize, usize) {
        self.locator
            .as_ref()
            .and_then(|l| l.key(pointer))
            .unwrap_or((1, 1))
    }

    /// A [`Problem`] at the value `pointer` names (or, with `key`, at its member name).
    pub fn problem(&self, pointer: &str, message: String, key: bool) -> Problem {
        let (line, column) = if key {
            self.key_at(pointer)
        } else {
            self.at(pointer)
        };
        Problem {
            pointer: pointer.to_owned(),
            line,
            column,
            message,
        }
    }

    /// `value` (parsed from this text) as a `T`; a problem points at the
    /// offending value, or at the member name of an unknown field.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T, Problem> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let pointer = path_pointer(e.path());
            let message = e.inner().to_string();
            // serde reports an unknown field only in words (`de::Error::unknown_field`).
            let key = message.starts_with("unknown field `");
            self.problem(&pointer, message, key)
        })
    }

    /// As [`Positions::deserialize`], as a [`FileError`].
    pub fn typed<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T, FileError> {
        self.deserialize(value)
            .map_err(|problem| self.reject(problem))
    }

    /// An `Invalid` error at the value `pointer` names (or, with `key`, at its
    /// member name), or at 1:1 when it cannot be found.
    pub fn invalid(&self, pointer: &str, message: String, key: bool) -> FileError {
        self.reject(self.problem(pointer, message, key))
    }

    /// `problem` as the `Invalid` error of this file.
    pub fn reject(&self, problem: Problem) -> FileError {
        FileError::Invalid {
            file: self.file.to_owned(),
            line: problem.line,
            column: problem.column,
            pointer: if problem.pointer.is_empty() {
                "(the file)".to_owned()
            } else {
                problem.pointer
            },
            message: problem.message,
        }
    }
}
