//! The regressions file: every shrunk fuzz failure, kept so that every later fuzz run,
//! against any target, replays it first.
//!
//! `fuzz-regressions.json` in the report directory unless `--regressions FILE` says
//! otherwise (a CI cache keeps it between runs; commit a copy, as `proptest-regressions/`, to
//! pin what it holds). Entries are added, never removed (delete one by hand once its bug is
//! fixed for good), and de-duplicated by property and wire query. Only this module reads it;
//! `report::regressions::save` writes it, by locked, atomic merge.
//!
//! ```json
//! { "schema_version": "1.0",
//!   "regressions": [
//!     { "input": { "shape": "single", "value": { "text": "'" } },
//!       "wire_query": "server_id=%27", "property": "no-server-error", "clause": "SD-CODE-200",
//!       "strategy": "reserved-characters", "seed": 42,
//!       "found_at": "2026-05-01T10:00:00Z", "target": "http://127.0.0.1:8004" } ] }
//! ```

use std::path::Path;

use crate::jsonfile;
use serde::{Deserialize, Serialize};

use super::input::{Input, StoredInput};

/// The default file's name, inside the report directory.
pub const DEFAULT_FILE: &str = "fuzz-regressions.json";

/// Version of the file format.
pub const FILE_VERSION: &str = "1.0";

/// One minimal failing input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regression {
    /// The input.
    pub input: StoredInput,
    /// Its query as sent, e.g. `server_id=%27`.
    pub wire_query: String,
    /// The property it broke.
    pub property: String,
    /// The clause that property cites.
    pub clause: String,
    /// The strategy that generated it.
    pub strategy: String,
    /// The seed of the run that found it.
    pub seed: u64,
    /// When, RFC 3339 UTC.
    pub found_at: String,
    /// The target it failed on (never the token).
    pub target: String,
}

impl Regression {
    /// The input to replay.
    pub fn replay_input(&self) -> Result<Input, String> {
        self.input.input()
    }
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegressionFile {
    /// [`FILE_VERSION`].
    pub schema_version: String,
    /// Every entry, oldest first.
    pub regressions: Vec<Regression>,
}

/// Errors reading the regressions file (a usage error: the run stops before it starts).
pub type RegressionError = crate::jsonfile::FileError;

/// The entries of `path`; none when it does not exist.
pub fn load(path: &Path) -> Result<Vec<Regression>, RegressionError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        // Under a path that is not a directory no file can be: none yet (the report
        // directory it defaults to is then refused as unwritable, exit 3).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Vec::new());
        }
        Err(source) => {
            return Err(RegressionError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    parse(&path.display().to_string(), &text)
}

/// Parses a regressions file's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Vec<Regression>, RegressionError> {
    let value = jsonfile::parse(file, text)?;
    let positions = jsonfile::Positions::new(file, text);
    let parsed: RegressionFile = positions.typed(value)?;
    if parsed.schema_version != FILE_VERSION {
        return Err(positions.invalid(
            "/schema_version",
            format!(
                "schema_version {:?} is not {FILE_VERSION:?}",
                parsed.schema_version
            ),
            false,
        ));
    }
    for (index, entry) in parsed.regressions.iter().enumerate() {
        entry.replay_input().map_err(|why| {
            positions.invalid(
                &format!("/regressions/{index}/input"),
                why.to_string(),
                false,
            )
        })?;
    }
    Ok(parsed.regressions)
}

/// `existing` followed by the entries of `new` it does not have (same property and wire
/// query); returns the merged list and how many were added.
pub fn merge(existing: Vec<Regression>, new: &[Regression]) -> (Vec<Regression>, usize) {
    let mut all = existing;
    let mut added = 0;
    for entry in new {
        if !all
            .iter()
            .any(|e| e.property == entry.property && e.wire_query == entry.wire_query)
        {
            all.push(entry.clone());
            added += 1;
        }
    }
    (all, added)
}

/// The file's text for `entries`.
pub fn render(entries: Vec<Regression>) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&RegressionFile {
        schema_version: FILE_VERSION.to_owned(),
        regressions: entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(wire: &str, property: &str) -> Regression {
        Regression {
            input: Input::text("'").stored(),
            wire_query: wire.to_owned(),
            property: property.to_owned(),
            clause: "SD-CODE-200".to_owned(),
            strategy: "reserved-characters".to_owned(),
            seed: 42,
            found_at: "2026-05-01T10:00:00Z".to_owned(),
            target: "http://127.0.0.1:8004".to_owned(),
        }
    }

    #[test]
    fn files_round_trip_merge_and_reject_nonsense() {
        let (all, added) = merge(
            vec![entry("server_id=%27", "no-server-error")],
            &[
                entry("server_id=%27", "no-server-error"),
                entry("server_id=%3B", "no-server-error"),
                entry("server_id=%27", "stable-status"),
            ],
        );
        assert_eq!((all.len(), added), (3, 2));
        let text = render(all.clone()).unwrap_or_default();
        assert_eq!(parse("f.json", &text).ok(), Some(all));
        let bad = text.replace("\"wire_query\"", "\"wire_qurey\"");
        match parse("f.json", &bad) {
            Err(RegressionError::Invalid {
                file,
                line,
                message,
                ..
            }) => {
                assert_eq!(file, "f.json");
                assert!(
                    line > 1 && message.contains("wire_qurey"),
                    "{line} {message}"
                );
            }
            other => panic!("{other:?}"),
        }
        let wrong_version = text.replace("\"1.0\"", "\"9.9\"");
        assert!(parse("f.json", &wrong_version).is_err());
        let bad_hex = text.replace(
            "{\n          \"text\": \"'\"\n        }",
            "{ \"hex\": \"zz\" }",
        );
        assert!(parse("f.json", &bad_hex).is_err(), "{bad_hex}");
        let missing = Path::new("/nonexistent/sdconform/fuzz-regressions.json");
        assert!(matches!(load(missing), Ok(v) if v.is_empty()));
    }
}
