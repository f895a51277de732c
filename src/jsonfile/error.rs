//! What can be wrong with a JSON file the user gave us, and where: the one
//! error type every reader through [`crate::jsonfile`] returns (the case
//! loader wraps a [`Problem`] in its own), at the bottom of the flow with
//! the rest of `jsonfile`.

use std::path::PathBuf;

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
        /// 1-based column of the offending value, in characters.
        column: usize,
        /// JSON pointer to it ("(the file)" for the whole document).
        pointer: String,
        /// What is wrong.
        message: String,
    },
}

/// One place where a parsed file is not what it should be, before it is
/// wrapped in its reader's error type ([`FileError::Invalid`], or the case
/// loader's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer to the offending value or member ("" for the whole document).
    pub pointer: String,
    /// 1-based line of the offending value (or member name).
    pub line: usize,
    /// 1-based column of the offending value (or member name), in characters.
    pub column: usize,
    /// What is wrong, as a lowercase fragment.
    pub message: String,
}
