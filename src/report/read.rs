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

use std::path::Path;

use serde_json::Value;

use super::model::RunReport;
use crate::jsonfile;

/// Errors reading a report file. Messages read after "failed to read a report: ".
pub type ReadError = crate::jsonfile::FileError;

/// Reads `path` and checks it against the compiled report schema.
pub fn read(path: &Path, validator: &jsonschema::Validator) -> Result<RunReport, ReadError> {
    let text = jsonfile::read(path)?;
    parse(&path.display().to_string(), &text, validator)
}

/// Parses one report's text; `file` names it in messages.
pub fn parse(
    file: &str,
    text: &str,
    validator: &jsonschema::Validator,
) -> Result<RunReport, ReadError> {
    let value: Value = jsonfile::parse(file, text)?;
    let positions = jsonfile::Positions::new(file, text);
    let invalid = |pointer: &str, message: String| positions.invalid(pointer, message, false);
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

    /// Issue 10 item 16: a 1.2 report keeps its observations; a 1.1 report, which has
    /// none, still reads.
    #[test]
    fn reports_with_and_without_observations_read() {
        let validator = validator();
        let mut report = crate::report::fixture::hostile_report();
        report.schema_version = crate::report::model::SCHEMA_VERSION.to_owned();
        report.cases[0].observations = vec![
            crate::check::Observation::new(
                "SD-REQ-1",
                "filter_exact",
                "/software_deployments/0/server_id",
                "\"A\" (the filter, exactly)",
                "\"a\"",
                "matched as a collation does",
            )
            .finding_under(&["strict", "documented"]),
        ];
        report.summary.observations = 1;
        let text = serde_json::to_string(&report).unwrap_or_default();
        let read = parse("new.json", &text, &validator).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.cases[0].observations, report.cases[0].observations);
        assert_eq!(read.summary.observations, 1);

        let mut old: Value = serde_json::from_str(&text).unwrap_or_default();
        old["schema_version"] = Value::from("1.1");
        if let Some(summary) = old["summary"].as_object_mut() {
            summary.remove("observations");
        }
        for case in old["cases"].as_array_mut().into_iter().flatten() {
            case.as_object_mut().map(|c| c.remove("observations"));
        }
        let read =
            parse("old.json", &old.to_string(), &validator).unwrap_or_else(|e| panic!("{e}"));
        assert!(read.cases.iter().all(|c| c.observations.is_empty()));
        assert_eq!(read.summary.observations, 0);
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
