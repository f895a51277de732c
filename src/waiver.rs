//! Waivers: known contract failures that do not fail the run until they expire.
//!
//! Where it sits: after `check` and `reference`, before `runner` and
//! `report`. It reads the `--waivers` file through `jsonfile`, validates it
//! against `schemas/waivers.schema.json` (compiled in: the format is the
//! harness's own, so `--schemas` does not replace it; its errors worded as
//! the case loader's, by [`crate::jsonfile::schema`]) and hands the waivers
//! to [`crate::report::build`], which applies them to the findings.
//! A bad file stops the run with exit code 2 and a `file:line:col` error, like
//! a bad case file. A waivers file:
//!
//! ```json
//! { "waivers": [
//!     { "clause": "SD-RESP-11", "case": "list-all",
//!       "reason": "vendor ticket 4711: updated_time omitted until the first update",
//!       "expires": "2026-06-30" } ] }
//! ```
//!
//! `case` is optional (every case when absent); `expires` is the last day the
//! waiver applies, inclusive.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::jsonfile::{self, FileError};

/// The waiver file schema, compiled in.
pub const SCHEMA: &str = include_str!("../schemas/waivers.schema.json");

/// One waiver, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The clause whose findings it waives.
    pub clause: String,
    /// The only case it waives; every case when `None`.
    pub case: Option<String>,
    /// Why.
    pub reason: String,
    /// Last day it applies, `YYYY-MM-DD`, a real calendar date.
    pub expires: String,
    /// Where it is defined, `file:line:col`.
    pub source: String,
}

impl Waiver {
    /// Whether it has expired on `today` (`YYYY-MM-DD`): the expiry day itself is still in force.
    pub fn expired_on(&self, today: &str) -> bool {
        // Both are zero-padded ISO dates, so text order is date order.
        today > self.expires.as_str()
    }

    /// Whether it names this finding's clause and (when it names one) case.
    pub fn matches(&self, clause: &str, case: &str) -> bool {
        self.clause == clause && self.case.as_deref().is_none_or(|c| c == case)
    }
}

/// A loaded waivers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waivers {
    /// The file as given.
    pub source: String,
    /// Its waivers, in file order.
    pub waivers: Vec<Waiver>,
}

/// Errors loading a waivers file. Messages read after "failed to load the waivers: ".
#[derive(Debug, thiserror::Error)]
pub enum WaiverError {
    /// The file cannot be read, is not JSON, or is not a valid waivers file.
    #[error(transparent)]
    File(#[from] FileError),
    /// The compiled-in schema does not compile (a build problem).
    #[error("invalid waivers schema: {0}")]
    Schema(String),
}

/// Reads and validates `path`; clauses and cases must be known.
pub fn load(
    path: &Path,
    known_clauses: &BTreeSet<String>,
    known_cases: &BTreeSet<String>,
) -> Result<Waivers, WaiverError> {
    let text = jsonfile::read(path)?;
    parse(
        &path.display().to_string(),
        &text,
        known_clauses,
        known_cases,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "$schema")]
    _schema: Option<String>,
    waivers: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    clause: String,
    #[serde(default)]
    case: Option<String>,
    reason: String,
    expires: String,
}

/// Parses one waivers file's text; `file` names it in messages.
pub fn parse(
    file: &str,
    text: &str,
    known_clauses: &BTreeSet<String>,
    known_cases: &BTreeSet<String>,
) -> Result<Waivers, WaiverError> {
    let value: Value = jsonfile::parse(file, text)?;
    let positions = jsonfile::Positions::new(file, text);
    let invalid = |pointer: String, message: String, key: bool| {
        WaiverError::File(positions.invalid(&pointer, message, key))
    };

    let schema: Value =
        serde_json::from_str(SCHEMA).map_err(|e| WaiverError::Schema(e.to_string()))?;
    let validator = crate::contract::compile("waivers.schema.json", &schema)
        .map_err(|e| WaiverError::Schema(e.to_string()))?;
    if let Some(problem) = jsonfile::schema::problem(&validator, &schema, &value, &positions) {
        return Err(WaiverError::File(positions.reject(problem)));
    }

    let parsed: File = positions.typed(value)?;
    let mut waivers = Vec::with_capacity(parsed.waivers.len());
    for (i, entry) in parsed.waivers.into_iter().enumerate() {
        let at = |field: &str| format!("/waivers/{i}/{field}");
        if !crate::check::timestamp::is_valid(&format!("{}T00:00:00+00:00", entry.expires)) {
            return Err(invalid(
                at("expires"),
                format!("{:?} is not a calendar date", entry.expires),
                false,
            ));
        }
        if !known_clauses.contains(&entry.clause) {
            return Err(invalid(
                at("clause"),
                format!("unknown clause `{}`", entry.clause),
                false,
            ));
        }
        if let Some(case) = &entry.case
            && !known_cases.contains(case)
        {
            return Err(invalid(at("case"), format!("unknown case `{case}`"), false));
        }
        let (line, column) = positions.at(&format!("/waivers/{i}"));
        waivers.push(Waiver {
            clause: entry.clause,
            case: entry.case,
            reason: entry.reason,
            expires: entry.expires,
            source: format!("{file}:{line}:{column}"),
        });
    }
    Ok(Waivers {
        source: file.to_owned(),
        waivers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> (BTreeSet<String>, BTreeSet<String>) {
        (
            ["SD-RESP-9", "SD-RESP-11"].map(str::to_owned).into(),
            ["list-all"].map(str::to_owned).into(),
        )
    }

    fn parse_text(text: &str) -> Result<Waivers, String> {
        let (clauses, cases) = known();
        parse("w.json", text, &clauses, &cases).map_err(|e| e.to_string())
    }

    #[test]
    fn a_valid_file_loads_with_positions() {
        let text = r#"{
  "waivers": [
    { "clause": "SD-RESP-11", "reason": "ticket 1", "expires": "2026-06-30" },
    { "clause": "SD-RESP-9", "case": "list-all", "reason": "ticket 2", "expires": "2024-02-29" }
  ]
}"#;
        let waivers = parse_text(text).expect("valid");
        assert_eq!(waivers.waivers.len(), 2);
        assert_eq!(waivers.waivers[0].source, "w.json:3:5");
        assert_eq!(waivers.waivers[1].case.as_deref(), Some("list-all"));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let table: &[(&str, &str)] = &[
            ("{\n  \"waivers\": [\n", "w.json:3:1: invalid JSON"),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"reason\": \"r\", \"expires\": \"2026-01-01\", \"cause\": \"x\"}]}",
                "w.json:2:66: /waivers/0/cause: unknown field `cause`",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"reason\": \"r\"}]}",
                "w.json:2:2: /waivers/0: missing field `expires`",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"reason\": \"r\", \"expires\": \"2026-1-1\"}]}",
                "w.json:2:52: /waivers/0/expires:",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"reason\": \"r\", \"expires\": \"2025-02-29\"}]}",
                "w.json:2:52: /waivers/0/expires: \"2025-02-29\" is not a calendar date",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-99\", \"reason\": \"r\", \"expires\": \"2026-01-01\"}]}",
                "w.json:2:13: /waivers/0/clause: unknown clause `SD-RESP-99`",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"case\": \"nope\", \"reason\": \"r\", \"expires\": \"2026-01-01\"}]}",
                "w.json:2:34: /waivers/0/case: unknown case `nope`",
            ),
            (
                "{\"waivers\": [\n {\"clause\": \"SD-RESP-9\", \"reason\": \" \", \"expires\": \"2026-01-01\"}]}",
                "w.json:2:36: /waivers/0/reason:",
            ),
            ("[]", "w.json:1:1: (the file):"),
        ];
        for (text, want) in table {
            match parse_text(text) {
                Ok(_) => panic!("accepted: {text}"),
                Err(e) => assert!(e.starts_with(want), "{text}\n got {e}\nwant {want}"),
            }
        }
    }

    #[test]
    fn expiry_is_inclusive_and_matching_respects_the_case() {
        let waiver = Waiver {
            clause: "SD-RESP-9".to_owned(),
            case: Some("list-all".to_owned()),
            reason: "r".to_owned(),
            expires: "2026-01-31".to_owned(),
            source: String::new(),
        };
        assert!(!waiver.expired_on("2026-01-30"));
        assert!(!waiver.expired_on("2026-01-31"));
        assert!(waiver.expired_on("2026-02-01"));
        assert!(waiver.matches("SD-RESP-9", "list-all"));
        assert!(!waiver.matches("SD-RESP-9", "filter-existing-server"));
        assert!(!waiver.matches("SD-RESP-4", "list-all"));
        let any_case = Waiver {
            case: None,
            ..waiver
        };
        assert!(any_case.matches("SD-RESP-9", "filter-existing-server"));
    }
}
