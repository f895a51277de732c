//! Reading `report.json` files back, for `sdconform compare`: the one reader of
//! our own format, beside its writers.
//!
//! Each file is parsed, validated against `schemas/report.schema.json` (so a
//! 1.0 report from an older sdconform reads too) and deserialized into the
//! model. A bad file is a usage error naming it, with `file:line:col`:
//!
//! ```text
//! failed to read a report: old/report.json:12:15: /verdict: "green" is not one of ["conformant","non-conformant","error"]
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::RunReport;
use crate::case::locate::{Locator, syntax_error};

/// Errors reading a report file. Messages read after "failed to read a report: ".
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
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
    /// The file is JSON but not an sdconform report.
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

/// Reads `path` and checks it against the compiled report schema.
pub fn read(path: &Path, validator: &jsonschema::Validator) -> Result<RunReport, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&path.display().to_string(), &text, validator)
}

/// Parses one report's text; `file` names it in messages.
pub fn parse(
    file: &str,
    text: &str,
    validator: &jsonschema::Validator,
) -> Result<RunReport, ReadError> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        let (line, column, message) = syntax_error(text, &error);
        ReadError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })?;
    let invalid = |pointer: &str, message: String| {
        let (line, column) = Locator::new(text)
            .and_then(|l| l.value(pointer))
            .unwrap_or((1, 1));
        ReadError::Invalid {
            file: file.to_owned(),
            line,
            column,
            pointer: if pointer.is_empty() {
                "(the file)".to_owned()
            } else {
                pointer.to_owned()
            },
            message,
        }
    };
    // The deepest error is the most specific one; ties go to the first.
    let mut worst: Option<(String, String)> = None;
    for error in validator.iter_errors(&value) {
        let pointer = error.instance_path().as_str().to_owned();
        let deeper = worst
            .as_ref()
            .is_none_or(|(p, _)| pointer.matches('/').count() > p.matches('/').count());
        if deeper {
            worst = Some((pointer, error.to_string()));
        }
    }
    if let Some((pointer, message)) = worst {
        return Err(invalid(&pointer, message));
    }
    serde_json::from_value(value).map_err(|e| invalid("", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Contract, compile};

    fn validator() -> jsonschema::Validator {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        compile("report.schema.json", contract.report_schema()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn bad_files_name_file_line_and_column() {
        let validator = validator();
        let table = [
            ("{\n  \"schema_version\": ", "r.json:2:20: invalid JSON"),
            ("[]", "r.json:1:1: (the file): "),
            ("{\"schema_version\": \"1.0\"}", "r.json:1:1: (the file): "),
        ];
        for (text, want) in table {
            match parse("r.json", text, &validator) {
                Ok(_) => panic!("accepted {text}"),
                Err(e) => assert!(e.to_string().starts_with(want), "{text}: {e}"),
            }
        }
    }
}
