//! Loading case files: text → validated [`Case`]s, with `file:line:col` errors.
//!
//! Sits between the case files (`cases/*.json`, or the copies compiled into
//! the binary) and the runner. Each file is read through `jsonfile`: parsed
//! as JSON, validated against `schemas/case.schema.json` (the schema's
//! errors worded by [`crate::jsonfile::schema`]) and deserialized into the
//! model, whose typed checks deny unknown parameters; then
//! [`check_suite`] checks what only the whole suite can tell. A bad file
//! stops the run with one error such as:
//!
//! ```text
//! failed to load the cases: cases/filter.json:12:9: /cases/0/request/auth: unknown variant `admin`, expected one of `default`, `none`, `invalid`
//! ```

use std::path::Path;

use jsonschema::Validator;
use serde_json::Value;

use super::model::{Case, CaseFile, Source};
use crate::jsonfile::{self, FileError, Positions, Problem};

/// The suite checks, where `app` imports them from.
pub use super::suite::check_suite;

/// Errors loading cases. Messages are lowercase fragments that read after
/// "failed to load the cases: ".
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or directory could not be read, or a file is not JSON.
    #[error(transparent)]
    File(#[from] FileError),
    /// A file is JSON but not a valid case file.
    #[error("{file}:{line}:{column}: {}{message}", pointer_prefix(.pointer))]
    Invalid {
        /// The file name as given.
        file: String,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column (in characters) of the offending value.
        column: usize,
        /// JSON pointer to the offending value ("" for the whole file).
        pointer: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two cases share an id.
    #[error("{second}: duplicate case id `{id}` (first defined at {first})")]
    DuplicateId {
        /// The shared id.
        id: String,
        /// `file:line:col` of the first case with that id.
        first: String,
        /// `file:line:col` of the second case with that id.
        second: String,
    },
    /// A capture's `from` or a `filter_subset` `unfiltered` names no loaded case.
    #[error("{file}:{line}:{column}: case `{case}` refers to unknown case `{missing}`")]
    UnknownCase {
        /// File of the referring case.
        file: String,
        /// 1-based line of the referring case.
        line: usize,
        /// 1-based column of the referring case.
        column: usize,
        /// Id of the referring case.
        case: String,
        /// The id that names no loaded case.
        missing: String,
    },
    /// A case cites a clause id the contract does not define.
    #[error("{file}:{line}:{column}: unknown clause `{clause}`")]
    UnknownClause {
        /// File of the case.
        file: String,
        /// 1-based line of the case.
        line: usize,
        /// 1-based column of the case.
        column: usize,
        /// The unknown clause id.
        clause: String,
    },
    /// A case names a response schema that does not exist.
    #[error("{file}:{line}:{column}: unknown schema `{schema}`")]
    UnknownSchema {
        /// File of the case.
        file: String,
        /// 1-based line of the case.
        line: usize,
        /// 1-based column of the case.
        column: usize,
        /// The unknown schema name.
        schema: String,
    },
    /// A `{name}` template is neither `project_id` nor a capture of its case.
    #[error("{file}:{line}:{column}: case `{case}` uses undefined variable `{{{variable}}}`")]
    UndefinedVariable {
        /// File of the case.
        file: String,
        /// 1-based line of the case.
        line: usize,
        /// 1-based column of the case.
        column: usize,
        /// Id of the case.
        case: String,
        /// The variable name, without braces.
        variable: String,
    },
    /// Cases capture from each other in a cycle, so none can run first.
    #[error("capture cycle: {}", .cases.join(" -> "))]
    CaptureCycle {
        /// The cycle, starting and ending with the same case id.
        cases: Vec<String>,
    },
    /// Nothing to run.
    #[error("no cases found in {origin}")]
    NoCases {
        /// Where cases were looked for.
        origin: String,
    },
    /// The case schema itself does not compile.
    #[error("invalid case schema: {0}")]
    CaseSchema(String),
}

/// `"{pointer}: "`, or nothing for the whole document.
fn pointer_prefix(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!("{pointer}: ")
    }
}

impl LoadError {
    /// `problem` in `file`, as [`LoadError::Invalid`].
    fn invalid(file: &str, problem: Problem) -> LoadError {
        LoadError::Invalid {
            file: file.to_owned(),
            line: problem.line,
            column: problem.column,
            pointer: problem.pointer,
            message: problem.message,
        }
    }
}

/// The shipped case files, compiled in: (name, text), name like `cases/list.json`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("cases/auth.json", include_str!("../../cases/auth.json")),
    ("cases/filter.json", include_str!("../../cases/filter.json")),
    (
        "cases/fixtures.json",
        include_str!("../../cases/fixtures.json"),
    ),
    (
        "cases/isolation.json",
        include_str!("../../cases/isolation.json"),
    ),
    ("cases/list.json", include_str!("../../cases/list.json")),
    ("cases/paths.json", include_str!("../../cases/paths.json")),
];

/// Parses and validates case files against the compiled case schema.
#[derive(Debug)]
pub struct Loader {
    validator: Validator,
    /// The schema's source, to name the properties an object allows.
    schema: Value,
}

impl Loader {
    /// Compiles the case schema (the value of `schemas/case.schema.json`).
    pub fn new(case_schema: &Value) -> Result<Loader, LoadError> {
        let validator = jsonschema::validator_for(case_schema)
            .map_err(|error| LoadError::CaseSchema(error.to_string()))?;
        Ok(Loader {
            validator,
            schema: case_schema.clone(),
        })
    }

    /// Parses one file's text; `file` is the name used in messages. Sets `Case::source`.
    pub fn parse(&self, file: &str, text: &str) -> Result<Vec<Case>, LoadError> {
        let value: Value = jsonfile::parse(file, text)?;
        let positions = Positions::new(file, text);
        let invalid = |problem| LoadError::invalid(file, problem);
        if let Some(problem) =
            jsonfile::schema::problem(&self.validator, &self.schema, &value, &positions)
        {
            return Err(invalid(problem));
        }
        // Rare (the schema should have caught it): a serde error at its own pointer.
        let case_file: CaseFile = positions.deserialize(value).map_err(invalid)?;
        let mut cases = case_file.cases;
        for (i, case) in cases.iter_mut().enumerate() {
            let (line, column) = positions.at(&format!("/cases/{i}"));
            case.source = Source {
                file: file.to_owned(),
                line,
                column,
            };
        }
        Ok(cases)
    }

    /// Every `*.json` file of `dir` (not recursive), sorted by name.
    pub fn load_dir(&self, dir: &Path) -> Result<Vec<Case>, LoadError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LoadError::File(FileError::Io { path, source })
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.extension().is_some_and(|ext| ext == "json") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let mut cases = Vec::new();
        for path in &paths {
            let text = jsonfile::read(path)?;
            cases.extend(self.parse(&path.display().to_string(), &text)?);
        }
        if cases.is_empty() {
            return Err(LoadError::NoCases {
                origin: dir.display().to_string(),
            });
        }
        Ok(cases)
    }

    /// The cases compiled into the binary ([`EMBEDDED`]).
    pub fn load_embedded(&self) -> Result<Vec<Case>, LoadError> {
        let mut cases = Vec::new();
        for (name, text) in EMBEDDED {
            cases.extend(self.parse(name, text)?);
        }
        if cases.is_empty() {
            return Err(LoadError::NoCases {
                origin: "the embedded case files".to_owned(),
            });
        }
        Ok(cases)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use serde_json::{Map, json};

    use super::*;
    use crate::case::{
        Check, CheckName, CheckSpec, FilterExact, FilterSubset, Ids, ProjectScope, Template,
    };

    fn case_schema() -> Value {
        serde_json::from_str(include_str!("../../schemas/case.schema.json")).unwrap()
    }

    fn loader() -> &'static Loader {
        static LOADER: OnceLock<Loader> = OnceLock::new();
        LOADER.get_or_init(|| Loader::new(&case_schema()).unwrap())
    }

    fn clauses() -> BTreeSet<String> {
        let contract: Value =
            serde_json::from_str(include_str!("../../schemas/clauses.json")).unwrap();
        contract["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|clause| clause["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn schemas() -> BTreeSet<String> {
        BTreeSet::from(["software-deployments".to_owned()])
    }

    /// Parses every file, then checks the suite.
    fn load(files: &[(&str, &str)]) -> Result<Vec<Case>, LoadError> {
        let mut cases = Vec::new();
        for (file, text) in files {
            cases.extend(loader().parse(file, text)?);
        }
        check_suite(&cases, &clauses(), &schemas())?;
        Ok(cases)
    }

    #[test]
    fn embedded_cases_load_and_pass_the_suite_checks() {
        let cases = loader().load_embedded().unwrap();
        check_suite(&cases, &clauses(), &schemas()).unwrap();
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "auth-missing-token",
                "auth-invalid-token",
                "filter-existing-server",
                "filter-unknown-server",
                "filter-case-flipped-server",
                "filter-prefix-server",
                "fixtures-listed",
                "fixtures-by-server-0",
                "fixtures-by-server-1",
                "fixtures-by-server-2",
                "isolation-listing-excludes-other-project",
                "isolation-by-other-project-server",
                "isolation-other-listing-excludes-this-project",
                "isolation-other-by-this-project-server",
                "isolation-other-token-refused",
                "list-all",
                "unknown-path",
                "other-project",
            ]
        );
        let list_all = cases.iter().find(|c| c.id == "list-all").unwrap();
        assert_eq!(
            list_all.source,
            Source {
                file: "cases/list.json".to_owned(),
                line: 4,
                column: 5
            }
        );
    }

    #[test]
    fn embedded_names_match_the_cases_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".json"))
            .map(|name| format!("cases/{name}"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = EMBEDDED.iter().map(|(name, _)| *name).collect();
        assert_eq!(on_disk, embedded);
    }

    /// A valid file; the broken ones below are edits of it. The case object
    /// starts at 3:5.
    const GOOD: &str = r#"{
  "cases": [
    {
      "id": "list-all",
      "title": "t",
      "request": { "path": "/v1/{project_id}/software_deployments" },
      "expect": { "status": [200], "clause": "SD-CODE-200" },
      "checks": [ { "check": "unique_ids" } ]
    }
  ]
}"#;

    fn edit(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from}");
        GOOD.replacen(from, to, 1)
    }

    /// Two cases `a` and `b`, with `captures` spliced into each.
    fn pair(a_captures: &str, b_captures: &str) -> String {
        format!(
            r#"{{ "cases": [
  {{ "id": "a", "title": "a", "captures": [{a_captures}],
    "request": {{ "path": "/v1/{{project_id}}/software_deployments" }},
    "expect": {{ "status": [200], "clause": "SD-CODE-200" }} }},
  {{ "id": "b", "title": "b", "captures": [{b_captures}],
    "request": {{ "path": "/v1/{{project_id}}/software_deployments" }},
    "expect": {{ "status": [200], "clause": "SD-CODE-200" }} }}
] }}"#
        )
    }

    #[test]
    fn good_file_loads() {
        let cases = load(&[("x.json", GOOD)]).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].source.line, 3);
        assert_eq!(cases[0].source.column, 5);
        load(&[("x.json", &pair("", ""))]).unwrap();
    }

    /// Case files as (name, text).
    type Files = Vec<(&'static str, String)>;

    #[test]
    fn broken_files_report_position_and_cause() {
        let capture =
            |from: &str| format!(r#"{{ "name": "s", "from": "{from}", "pointer": "/x" }}"#);
        // (what, files, "file:line:col" the message starts with, fragment)
        let table: Vec<(&str, Files, &str, &str)> = vec![
            (
                "syntax error: missing comma",
                vec![("x.json", edit(r#""title": "t","#, r#""title": "t""#))],
                "x.json:6:7: invalid JSON: ",
                "expected `,` or `}`",
            ),
            (
                "unknown field inside a case",
                vec![("x.json", edit(r#""request":"#, r#""requets":"#))],
                "x.json:6:7: /cases/0/requets: ",
                "unknown field `requets`, expected one of `captures`, `checks`, `clauses`, `expect`, `id`, `request`, `title`",
            ),
            (
                "wrong type",
                vec![("x.json", edit("[200]", r#""200""#))],
                "x.json:7:29: /cases/0/expect/status: ",
                r#"invalid type: string "200", expected array"#,
            ),
            (
                "wrong item type",
                vec![("x.json", edit("[200]", r#"["200"]"#))],
                "x.json:7:30: /cases/0/expect/status/0: ",
                r#"invalid type: string "200", expected integer"#,
            ),
            (
                "status out of range",
                vec![("x.json", edit("[200]", "[200, 600]"))],
                "x.json:7:35: /cases/0/expect/status/1: ",
                "invalid value: integer `600`, expected at most 599",
            ),
            (
                "repeated status",
                vec![("x.json", edit("[200]", "[200, 200]"))],
                "x.json:7:29: /cases/0/expect/status: ",
                "duplicate item integer `200`",
            ),
            (
                "unknown check name",
                vec![(
                    "x.json",
                    edit(r#""check": "unique_ids""#, r#""check": "frobnicate""#),
                )],
                "x.json:8:30: /cases/0/checks/0/check: ",
                "unknown variant `frobnicate`, expected one of `timestamp_order`, `unique_ids`, `filter_exact`, `filter_subset`",
            ),
            (
                "unknown auth mode",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "path": "/v1/{project_id}/software_deployments" }"#,
                        r#"{ "path": "/v1/{project_id}/software_deployments", "auth": "admin" }"#,
                    ),
                )],
                "x.json:6:77: /cases/0/request/auth: ",
                "unknown variant `admin`, expected one of `default`, `none`, `invalid`, `other`",
            ),
            (
                "missing required field",
                vec![("x.json", edit(r#""title": "t","#, ""))],
                "x.json:3:5: /cases/0: ",
                "missing field `title`",
            ),
            (
                "bad id",
                vec![("x.json", edit(r#""list-all""#, r#""List all""#))],
                "x.json:4:13: /cases/0/id: ",
                r#"invalid value: string "List all", expected a string matching `^[a-z0-9][a-z0-9-]*$`"#,
            ),
            (
                "bad clause id",
                vec![(
                    "x.json",
                    edit(r#""clause": "SD-CODE-200""#, r#""clause": "200""#),
                )],
                "x.json:7:46: /cases/0/expect/clause: ",
                "expected a string matching `^SD-[A-Z]+-[0-9A-Z]+$`",
            ),
            (
                "params: missing server_id",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_exact", "params": {} }"#,
                    ),
                )],
                "x.json:8:56: /cases/0/checks/0/params: ",
                "missing field `server_id`",
            ),
            (
                "params: none at all",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_subset" }"#,
                    ),
                )],
                "x.json:8:19: /cases/0/checks/0: ",
                "missing field `params`",
            ),
            (
                "params: an extra one",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_exact", "params": { "server_id": "s", "extra": "e" } }"#,
                    ),
                )],
                "x.json:8:76: /cases/0/checks/0/params/extra: ",
                "unknown field `extra`, expected `server_id`",
            ),
            (
                "params: a check that takes none",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "unique_ids", "params": { "server_id": "s" } }"#,
                    ),
                )],
                "x.json:8:56: /cases/0/checks/0/params/server_id: ",
                "unknown field `server_id`, there are no fields",
            ),
            (
                "params: not a string",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_exact", "params": { "server_id": 7 } }"#,
                    ),
                )],
                "x.json:8:71: /cases/0/checks/0/params/server_id: ",
                "invalid type: integer `7`, expected string",
            ),
            (
                "duplicate ids across two files",
                vec![("a.json", GOOD.to_owned()), ("b.json", GOOD.to_owned())],
                "b.json:3:5: ",
                "duplicate case id `list-all` (first defined at a.json:3:5)",
            ),
            (
                "capture from an unknown case",
                vec![("x.json", pair(&capture("nope"), ""))],
                "x.json:2:3: ",
                "case `a` refers to unknown case `nope`",
            ),
            (
                "filter_subset over an unknown case",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_subset", "params": { "server_id": "s", "unfiltered": "gone" } }"#,
                    ),
                )],
                "x.json:3:5: ",
                "case `list-all` refers to unknown case `gone`",
            ),
            (
                "undefined variable",
                vec![(
                    "x.json",
                    edit("/software_deployments", "/software_deployments/{server}"),
                )],
                "x.json:3:5: ",
                "case `list-all` uses undefined variable `{server}`",
            ),
            (
                "undefined variable in a check param",
                vec![(
                    "x.json",
                    edit(
                        r#"{ "check": "unique_ids" }"#,
                        r#"{ "check": "filter_exact", "params": { "server_id": "{sid}" } }"#,
                    ),
                )],
                "x.json:3:5: ",
                "uses undefined variable `{sid}`",
            ),
            (
                "unknown clause id",
                vec![(
                    "x.json",
                    edit(r#""clause": "SD-CODE-200""#, r#""clause": "SD-CODE-999""#),
                )],
                "x.json:3:5: ",
                "unknown clause `SD-CODE-999`",
            ),
            (
                "unknown schema",
                vec![(
                    "x.json",
                    edit(
                        r#""clause": "SD-CODE-200""#,
                        r#""clause": "SD-CODE-200", "schema": "nope""#,
                    ),
                )],
                "x.json:3:5: ",
                "unknown schema `nope`",
            ),
            (
                "capture cycle",
                vec![("x.json", pair(&capture("b"), &capture("a")))],
                "",
                "capture cycle: a -> b -> a",
            ),
            (
                "capture from itself",
                vec![("x.json", pair("", &capture("b")))],
                "",
                "capture cycle: b -> b",
            ),
        ];
        for (what, files, position, fragment) in table {
            let files: Vec<(&str, &str)> = files.iter().map(|(f, t)| (*f, t.as_str())).collect();
            let message = match load(&files) {
                Ok(_) => panic!("{what}: loaded"),
                Err(error) => error.to_string(),
            };
            assert!(
                message.starts_with(position) && message.contains(fragment),
                "{what}:\n  got      {message}\n  expected {position}...{fragment}"
            );
        }
    }

    #[test]
    fn invalid_display_matches_the_documented_form() {
        let error = LoadError::Invalid {
            file: "cases/filter.json".to_owned(),
            line: 12,
            column: 9,
            pointer: "/cases/0/request/auth".to_owned(),
            message:
                "unknown variant `admin`, expected one of `default`, `none`, `invalid`, `other`"
                    .to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "cases/filter.json:12:9: /cases/0/request/auth: unknown variant `admin`, expected one of `default`, `none`, `invalid`, `other`"
        );
        let root = LoadError::Invalid {
            file: "x.json".to_owned(),
            line: 1,
            column: 1,
            pointer: String::new(),
            message: "missing field `cases`".to_owned(),
        };
        assert_eq!(root.to_string(), "x.json:1:1: missing field `cases`");
    }

    #[test]
    fn whole_file_problems_point_at_the_root() {
        let table = [
            ("[]", "x.json:1:1: invalid type: array, expected object"),
            ("{}", "x.json:1:1: missing field `cases`"),
            (
                r#"{"cases": [], "case": 1}"#,
                "x.json:1:15: /case: unknown field `case`, expected `$schema` or `cases`",
            ),
        ];
        for (text, expected) in table {
            let error = loader().parse("x.json", text).unwrap_err();
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn syntax_columns_count_characters() {
        // serde_json reports byte column 14 for the `"b"` after "é😀" (6 bytes, 2 characters).
        let error = loader()
            .parse("x.json", "{\"é😀\": 1 \"b\": 2}")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json:1:10: invalid JSON: expected `,` or `}`"
        );
        let error = loader().parse("x.json", "{\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json:2:1: invalid JSON: EOF while parsing an object"
        );
        let error = loader().parse("x.json", "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json:1:1: invalid JSON: EOF while parsing a value"
        );
    }

    /// With a schema that accepts anything, deserialization (with the
    /// typed check parameters) still catches what the case schema would
    /// have, at the offending value's own pointer (issue 9: serde's path,
    /// where it used to be the pointer of the case).
    #[test]
    fn permissive_schema_falls_back_to_serde_and_params_checks() {
        let loose = Loader::new(&json!({})).unwrap();
        let table = [
            (
                edit(
                    r#"{ "path": "/v1/{project_id}/software_deployments" }"#,
                    r#"{ "path": "/v1/{project_id}/software_deployments", "auth": "admin" }"#,
                ),
                "x.json:6:77: /cases/0/request/auth: unknown variant `admin`, expected one of `default`, `none`, `invalid`, `other`",
            ),
            (
                edit(
                    r#"{ "check": "unique_ids" }"#,
                    r#"{ "check": "filter_exact", "params": { "server_id": "s", "x": "y" } }"#,
                ),
                "x.json:8:76: /cases/0/checks/0/params/x: unknown field `x`, expected `server_id`",
            ),
            (
                edit(
                    r#"{ "check": "unique_ids" }"#,
                    r#"{ "check": "filter_subset", "params": { "server_id": "s" } }"#,
                ),
                "x.json:8:57: /cases/0/checks/0/params: missing field `unfiltered`",
            ),
            (
                edit(
                    r#"{ "check": "unique_ids" }"#,
                    r#"{ "check": "filter_exact" }"#,
                ),
                "x.json:8:19: /cases/0/checks/0: missing field `params`",
            ),
            (
                edit(
                    r#"{ "check": "unique_ids" }"#,
                    r#"{ "check": "filter_exact", "params": { "server_id": null } }"#,
                ),
                "x.json:8:71: /cases/0/checks/0/params/server_id: invalid type: null, expected string",
            ),
            (
                "{\"cases\": 5}".to_owned(),
                "x.json:1:11: /cases: invalid type: integer `5`, expected a sequence",
            ),
        ];
        for (text, expected) in table {
            let error = loose.parse("x.json", &text).unwrap_err();
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn schema_and_model_agree_on_check_params() {
        let validator = jsonschema::validator_for(&case_schema()).unwrap();
        let file = |check: Value| {
            json!({ "cases": [ {
                "id": "a", "title": "a",
                "request": { "path": "/" },
                "expect": { "status": [200], "clause": "SD-CODE-200" },
                "checks": [check]
            } ] })
        };
        let loose = Loader::new(&json!({})).unwrap();
        for check in every_check() {
            let name = check.name();
            let spec = serde_json::to_value(CheckSpec {
                check,
                severity: None,
            })
            .unwrap();
            let params: Map<String, Value> = spec
                .get("params")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let exact = json!({ "check": name.as_str(), "params": params });
            assert!(validator.is_valid(&file(exact.clone())), "{name:?}");
            assert!(loader().parse("x.json", &file(exact).to_string()).is_ok());
            let mut extra = params.clone();
            extra.insert("other".to_owned(), json!("v"));
            let extra = file(json!({ "check": name.as_str(), "params": extra }));
            assert!(!validator.is_valid(&extra), "{name:?}");
            // The parameter types deny it on their own too.
            assert!(
                loose.parse("x.json", &extra.to_string()).is_err(),
                "{name:?}"
            );
            for missing in params.keys() {
                let mut fewer = params.clone();
                fewer.remove(missing);
                let fewer = file(json!({ "check": name.as_str(), "params": fewer }));
                assert!(!validator.is_valid(&fewer), "{name:?} {missing}");
                let parsed = loose.parse("x.json", &fewer.to_string());
                assert!(parsed.is_err(), "{name:?} {missing}");
            }
        }
    }

    /// Every check, each of its parameters set to "v".
    fn every_check() -> [Check; 8] {
        CheckName::ALL.map(|name| match name {
            CheckName::TimestampOrder => Check::TimestampOrder,
            CheckName::UniqueIds => Check::UniqueIds,
            CheckName::FilterExact => Check::FilterExact(FilterExact {
                server_id: Template::new("v"),
            }),
            CheckName::FilterSubset => Check::FilterSubset(FilterSubset {
                server_id: Template::new("v"),
                unfiltered: "v".to_owned(),
            }),
            CheckName::IdsEqual => Check::IdsEqual(Ids {
                ids: Template::new("v"),
            }),
            CheckName::IdsInclude => Check::IdsInclude(Ids {
                ids: Template::new("v"),
            }),
            CheckName::IdsExclude => Check::IdsExclude(Ids {
                ids: Template::new("v"),
            }),
            CheckName::ProjectScope => Check::ProjectScope(ProjectScope {
                unfiltered: "v".to_owned(),
            }),
        })
    }

    /// The model serializes back to files the schema accepts.
    #[test]
    fn loaded_cases_serialize_to_schema_valid_files() {
        let validator = jsonschema::validator_for(&case_schema()).unwrap();
        let cases = loader().load_embedded().unwrap();
        let file = CaseFile {
            schema: Some("../schemas/case.schema.json".to_owned()),
            cases,
        };
        let value = serde_json::to_value(&file).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    /// Another case schema may use `anyOf`: report the alternative's own
    /// problem when it is deeper, else that no alternative matched.
    #[test]
    fn alternatives_report_the_deeper_problem() {
        let schema = json!({
            "properties": { "cases": { "anyOf": [
                { "type": "array", "items": { "required": ["id"] } },
                { "type": "null" }
            ] } }
        });
        let loader = Loader::new(&schema).unwrap();
        let error = loader.parse("x.json", r#"{"cases": 5}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json:1:11: /cases: 5 is not valid under any of the schemas listed in the 'anyOf' keyword"
        );
        let error = loader.parse("x.json", r#"{"cases": [{}]}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json:1:12: /cases/0: missing field `id`"
        );
        let loose = Loader::new(&json!({ "not": { "required": ["cases"] } })).unwrap();
        let error = loose.parse("x.json", r#"{"cases": []}"#).unwrap_err();
        assert!(error.to_string().starts_with("x.json:1:1: "), "{error}");
    }

    #[test]
    fn case_schema_that_does_not_compile_is_an_error() {
        let error = Loader::new(&json!({ "type": 5 })).unwrap_err();
        assert!(matches!(error, LoadError::CaseSchema(_)), "{error:?}");
        assert!(error.to_string().starts_with("invalid case schema: "));
    }

    #[test]
    fn load_dir_reads_json_files_sorted_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let b = GOOD.replace("list-all", "b-case");
        std::fs::write(dir.path().join("b.json"), b).unwrap();
        std::fs::write(dir.path().join("a.json"), GOOD).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not json").unwrap();
        std::fs::create_dir(dir.path().join("sub.json")).unwrap();
        let cases = loader().load_dir(dir.path()).unwrap();
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["list-all", "b-case"]);
        let a = dir.path().join("a.json").display().to_string();
        assert_eq!(cases[0].source.file, a);

        std::fs::write(dir.path().join("c.json"), "{").unwrap();
        let error = loader().load_dir(dir.path()).unwrap_err().to_string();
        let c = dir.path().join("c.json").display().to_string();
        assert!(
            error.starts_with(&format!(
                "{c}:1:1: invalid JSON: EOF while parsing an object"
            )),
            "{error}"
        );
    }

    #[test]
    fn load_dir_without_cases_or_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = loader().load_dir(dir.path()).unwrap_err();
        assert!(matches!(error, LoadError::NoCases { .. }), "{error:?}");
        std::fs::write(dir.path().join("empty.json"), r#"{"cases": []}"#).unwrap();
        let error = loader().load_dir(dir.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("no cases found in {}", dir.path().display())
        );

        let missing = dir.path().join("missing");
        let error = loader().load_dir(&missing).unwrap_err();
        assert!(
            matches!(error, LoadError::File(FileError::Io { .. })),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("could not read {}", missing.display())
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    /// Arbitrary JSON, with keys and strings biased towards the case format
    /// so that generated files get past the first checks.
    fn arb_json() -> impl Strategy<Value = Value> {
        let word = prop_oneof![
            Just("cases"),
            Just("id"),
            Just("title"),
            Just("clauses"),
            Just("captures"),
            Just("request"),
            Just("expect"),
            Just("checks"),
            Just("path"),
            Just("query"),
            Just("auth"),
            Just("status"),
            Just("clause"),
            Just("severity"),
            Just("schema"),
            Just("check"),
            Just("params"),
            Just("server_id"),
            Just("unfiltered"),
            Just("name"),
            Just("from"),
            Just("pointer"),
            Just("transform"),
            Just("filter_subset"),
            Just("filter_exact"),
            Just("SD-CODE-200"),
            Just("{server_id}"),
            Just("a/~b"),
        ]
        .prop_map(str::to_owned);
        let text = prop_oneof![word.clone(), any::<String>()];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (100u16..600).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text.clone().prop_map(Value::String),
        ];
        let key = prop_oneof![3 => word, 1 => any::<String>()];
        leaf.prop_recursive(6, 96, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..8)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Parses and, when that works, checks the suite: neither may panic.
    fn exercise(text: &str) {
        if let Ok(cases) = loader().parse("p.json", text) {
            let _ = check_suite(&cases, &clauses(), &schemas());
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_json(value in arb_json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                value.to_string()
            };
            exercise(&text);
        }

        #[test]
        fn parse_never_panics_on_case_like_files(cases in prop::collection::vec(arb_json(), 0..4)) {
            exercise(&json!({ "cases": cases }).to_string());
        }

        #[test]
        fn parse_never_panics_on_strings(text in any::<String>()) {
            exercise(&text);
        }

        #[test]
        fn parse_never_panics_on_edited_shipped_files(
            file in 0..EMBEDDED.len(),
            at in any::<prop::sample::Index>(),
            cut in 0usize..8,
            insert in "[\\[\\]{}\",:0-9a-zé😀\\\\ \n]{0,3}",
        ) {
            let text = EMBEDDED.get(file).map_or("", |(_, text)| *text);
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + cut).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let edited = format!("{}{insert}{}", &text[..start], &text[end..]);
            exercise(&edited);
        }

        #[test]
        fn locate_never_panics(text in any::<String>(), pointer in any::<String>(), offset in any::<usize>()) {
            let _ = crate::jsonfile::locate::locate(&text, &pointer);
            let _ = crate::jsonfile::locate::line_col(&text, offset);
        }
    }
}
