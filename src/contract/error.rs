//! Why the contract could not be loaded: each error names the schema file
//! (and `line:col`, in characters, where there is one). Part of `contract`;
//! `error` maps it to exit code 2.

use crate::jsonfile::FileError;

/// Errors reading or compiling the contract's schemas.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// A schema file could not be read, is not JSON, or is not of the expected shape.
    #[error(transparent)]
    File(#[from] FileError),
    /// A required file is missing from the schema directory.
    #[error("{file}: missing from the schema directory")]
    Missing {
        /// The expected file.
        file: String,
    },
    /// A schema does not compile.
    #[error("{}: schema does not compile: {message}", located(.file, *.position))]
    Compile {
        /// The file.
        file: String,
        /// 1-based line and column of the offending schema value, when known.
        position: Option<(usize, usize)>,
        /// The compiler's message.
        message: String,
    },
    /// A profile file names a profile we do not know.
    #[error("{file}: profile name {name:?} is not one of strict, documented, lenient")]
    UnknownProfile {
        /// The file.
        file: String,
        /// The name found.
        name: String,
    },
}

/// `file:line:col`, or `file` when the position is unknown.
fn located(file: &str, position: Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!("{file}:{line}:{column}"),
        None => file.to_owned(),
    }
}
