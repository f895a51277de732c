//! The contract as data: clauses, the response schema, its profiles, and the
//! schemas of our own formats, all read from `schemas/` (or compiled in).
//!
//! Sits at the start of the flow, beside `case`: it is one of the two modules
//! that read files. Each response schema is compiled once per profile and
//! shared by every trial. A profile is a JSON merge patch (RFC 7386) on the
//! base schema, for example `schemas/profiles/documented.json`:
//!
//! ```json
//! { "name": "documented",
//!   "description": "The table plus what the document's own example shows ...",
//!   "patch": { "$defs": { "deployment": { "properties": {
//!       "input_values": { "type": ["object", "null"] } } } } } }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jsonfile::locate::locate;
use crate::model::Finding;

pub mod timestamp;
pub mod uuid;

/// The member of the response body that holds the list.
pub const LIST_KEY: &str = "software_deployments";

/// A named reading of the contract's ambiguities (see the contract's ambiguity 1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// The table read literally.
    Strict,
    /// The table plus the document's own example (`input_values: null`). The default.
    Documented,
    /// Also what common implementations do (`output_values: null`, `updated_time` absent or null).
    Lenient,
}

impl Profile {
    /// Every profile, strictest first.
    pub const ALL: [Profile; 3] = [Profile::Strict, Profile::Documented, Profile::Lenient];

    /// The profile's name in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Documented => "documented",
            Profile::Lenient => "lenient",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One numbered clause of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Clause id, e.g. `SD-RESP-4`.
    pub id: String,
    /// The clause's text.
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClauseFile {
    #[allow(dead_code)]
    contract: String,
    clauses: Vec<Clause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    description: String,
    patch: Value,
}

/// Errors reading or compiling the contract's schemas.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// A schema file could not be read.
    #[error("read {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A schema file is not valid JSON or not of the expected shape.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
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

/// The contract, loaded and compiled, shared read-only by every trial.
pub struct Contract {
    origin: String,
    clauses: Vec<Clause>,
    profiles: BTreeMap<Profile, String>,
    /// schema name → profile → compiled validator.
    validators: BTreeMap<String, BTreeMap<Profile, Compiled>>,
    /// deployment field → clause, from the base schema's `x-clause` annotations.
    field_clauses: BTreeMap<String, String>,
    case_schema: Value,
    report_schema: Value,
}

impl fmt::Debug for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contract")
            .field("origin", &self.origin)
            .field("schemas", &self.validators.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One response schema under one profile, compiled.
struct Compiled {
    /// The whole body.
    whole: jsonschema::Validator,
    /// One item of the list (`$defs/deployment`), when the schema defines it:
    /// lets a long list be validated one item at a time.
    item: Option<jsonschema::Validator>,
}

/// The shipped schema files, compiled into the binary.
const EMBEDDED: &[(&str, &str)] = &[
    ("clauses.json", include_str!("../../schemas/clauses.json")),
    (
        "case.schema.json",
        include_str!("../../schemas/case.schema.json"),
    ),
    (
        "report.schema.json",
        include_str!("../../schemas/report.schema.json"),
    ),
    (
        "software-deployments.schema.json",
        include_str!("../../schemas/software-deployments.schema.json"),
    ),
    (
        "profiles/strict.json",
        include_str!("../../schemas/profiles/strict.json"),
    ),
    (
        "profiles/documented.json",
        include_str!("../../schemas/profiles/documented.json"),
    ),
    (
        "profiles/lenient.json",
        include_str!("../../schemas/profiles/lenient.json"),
    ),
];

const OWN_SCHEMAS: [&str; 2] = ["case.schema.json", "report.schema.json"];

impl Contract {
    /// The contract compiled into the binary.
    pub fn embedded() -> Result<Contract, ContractError> {
        let files = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        Contract::from_files("embedded".to_owned(), files)
    }

    /// The contract read from a `schemas/` directory (replacing the embedded one).
    pub fn from_dir(dir: &Path) -> Result<Contract, ContractError> {
        let mut files = BTreeMap::new();
        let io = |path: &Path, source| ContractError::Io {
            path: path.to_owned(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".json") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.insert(name.to_owned(), text);
            }
        }
        let profiles = dir.join("profiles");
        for profile in Profile::ALL {
            let path = profiles.join(format!("{profile}.json"));
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.insert(format!("profiles/{profile}.json"), text);
            }
        }
        Contract::from_files(dir.display().to_string(), files.into_iter().collect())
    }

    fn from_files(origin: String, files: Vec<(String, String)>) -> Result<Contract, ContractError> {
        let files: BTreeMap<String, String> = files.into_iter().collect();
        let get = |name: &str| -> Result<Value, ContractError> {
            let text = files.get(name).ok_or_else(|| ContractError::Missing {
                file: name.to_owned(),
            })?;
            parse_json(&display_name(&origin, name), text)
        };
        let text_of = |name: &str| files.get(name).map_or("", String::as_str);
        let clause_file: ClauseFile = typed(
            &display_name(&origin, "clauses.json"),
            text_of("clauses.json"),
            get("clauses.json")?,
        )?;
        let case_schema = get("case.schema.json")?;
        let report_schema = get("report.schema.json")?;
        for (name, schema) in [
            ("case.schema.json", &case_schema),
            ("report.schema.json", &report_schema),
        ] {
            compile_located(&display_name(&origin, name), text_of(name), schema)?;
        }

        let mut profiles = BTreeMap::new();
        let mut patches = BTreeMap::new();
        for profile in Profile::ALL {
            let name = format!("profiles/{profile}.json");
            let file: ProfileFile =
                typed(&display_name(&origin, &name), text_of(&name), get(&name)?)?;
            if file.name != profile.as_str() {
                return Err(ContractError::UnknownProfile {
                    file: display_name(&origin, &name),
                    name: file.name,
                });
            }
            profiles.insert(profile, file.description);
            patches.insert(profile, file.patch);
        }

        let mut validators = BTreeMap::new();
        let mut field_clauses = BTreeMap::new();
        for (name, _) in files.iter().filter(|(name, _)| {
            name.ends_with(".schema.json") && !OWN_SCHEMAS.contains(&name.as_str())
        }) {
            let base = get(name)?;
            if let Some(props) = base
                .pointer("/$defs/deployment/properties")
                .and_then(Value::as_object)
            {
                for (field, schema) in props {
                    if let Some(clause) = schema.get("x-clause").and_then(Value::as_str) {
                        field_clauses.insert(field.clone(), clause.to_owned());
                    }
                }
            }
            let mut per_profile = BTreeMap::new();
            for profile in Profile::ALL {
                let mut schema = base.clone();
                if let Some(patch) = patches.get(&profile) {
                    json_patch::merge(&mut schema, patch);
                }
                let file = format!("{} + profiles/{profile}.json", display_name(&origin, name));
                let whole = compile_located(&file, text_of(name), &schema)?;
                let item = match schema.pointer("/$defs/deployment") {
                    Some(_) if list_is_plain_items(&schema) => {
                        let item_schema = serde_json::json!({
                            "$schema": schema.get("$schema").cloned().unwrap_or(Value::Null),
                            "$defs": schema.get("$defs").cloned().unwrap_or(Value::Null),
                            "$ref": "#/$defs/deployment",
                        });
                        Some(compile_located(&file, text_of(name), &item_schema)?)
                    }
                    _ => None,
                };
                per_profile.insert(profile, Compiled { whole, item });
            }
            let schema_name = name.trim_end_matches(".schema.json").to_owned();
            validators.insert(schema_name, per_profile);
        }

        Ok(Contract {
            origin,
            clauses: clause_file.clauses,
            profiles,
            validators,
            field_clauses,
            case_schema,
            report_schema,
        })
    }

    /// Where the contract came from: `embedded` or a directory.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every clause, in contract order.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// Every clause id.
    pub fn clause_ids(&self) -> BTreeSet<String> {
        self.clauses.iter().map(|c| c.id.clone()).collect()
    }

    /// Names of the response schemas a case may reference.
    pub fn schema_names(&self) -> BTreeSet<String> {
        self.validators.keys().cloned().collect()
    }

    /// Clauses of the deployment fields (SD-RESP-2..11): exercised only by a non-empty list.
    pub fn item_clauses(&self) -> BTreeSet<String> {
        self.field_clauses.values().cloned().collect()
    }

    /// A profile's one-paragraph description.
    pub fn profile_description(&self, profile: Profile) -> &str {
        self.profiles.get(&profile).map_or("", String::as_str)
    }

    /// The case-file schema (`schemas/case.schema.json`).
    pub fn case_schema(&self) -> &Value {
        &self.case_schema
    }

    /// The report schema (`schemas/report.schema.json`).
    pub fn report_schema(&self) -> &Value {
        &self.report_schema
    }

    /// Validates a 200 body against `schema` under `profile`: one finding per
    /// violated clause and location, each naming the other profiles that accept it.
    pub fn validate(&self, schema: &str, profile: Profile, body: &Value) -> Vec<Finding> {
        let Some(per_profile) = self.validators.get(schema) else {
            return vec![Finding::new(
                "SD-RESP-1",
                "schema",
                "",
                format!("a schema named {schema:?}"),
                "none loaded",
                "the case names a schema that is not loaded",
            )];
        };
        self.findings(per_profile, profile, body, &[], |c| Some(&c.whole))
    }

    /// Whether `schema` can validate a list one item at a time ([`Contract::validate_item`]).
    pub fn validates_items(&self, schema: &str) -> bool {
        self.validators
            .get(schema)
            .is_some_and(|per_profile| per_profile.values().all(|c| c.item.is_some()))
    }

    /// Validates the item at `index` of the list, as [`Contract::validate`]
    /// would within the whole body (same pointers, clauses and profiles).
    /// Empty when the schema has no item definition (see [`Contract::validates_items`]).
    pub fn validate_item(
        &self,
        schema: &str,
        profile: Profile,
        index: usize,
        item: &Value,
    ) -> Vec<Finding> {
        let Some(per_profile) = self.validators.get(schema) else {
            return Vec::new();
        };
        let prefix = [LIST_KEY.to_owned(), index.to_string()];
        self.findings(per_profile, profile, item, &prefix, |c| c.item.as_ref())
    }

    fn findings(
        &self,
        per_profile: &BTreeMap<Profile, Compiled>,
        profile: Profile,
        instance: &Value,
        prefix: &[String],
        pick: impl Fn(&Compiled) -> Option<&jsonschema::Validator>,
    ) -> Vec<Finding> {
        let Some(validator) = per_profile.get(&profile).and_then(&pick) else {
            return Vec::new();
        };
        let mut findings: Vec<Finding> = Vec::new();
        let mut seen = BTreeSet::new();
        for error in validator.iter_errors(instance) {
            let finding = self.finding_from(&error, prefix);
            if seen.insert((finding.pointer.clone(), finding.clause.clone())) {
                findings.push(finding);
            }
        }
        if findings.is_empty() {
            return findings;
        }
        // Which other profiles would accept each finding?
        for other in Profile::ALL.into_iter().filter(|p| *p != profile) {
            let Some(other_validator) = per_profile.get(&other).and_then(&pick) else {
                continue;
            };
            let rejected: BTreeSet<(String, String)> = other_validator
                .iter_errors(instance)
                .map(|e| {
                    let f = self.finding_from(&e, prefix);
                    (f.pointer, f.clause)
                })
                .collect();
            for finding in &mut findings {
                if !rejected.contains(&(finding.pointer.clone(), finding.clause.clone())) {
                    finding.accepted_by.push(other.as_str().to_owned());
                }
            }
        }
        findings
    }

    /// The clause a body location belongs to: a deployment field's own clause, else SD-RESP-1.
    fn clause_for(&self, segments: &[String]) -> String {
        match segments {
            [top, _index, field, ..] if top == "software_deployments" => self
                .field_clauses
                .get(field)
                .cloned()
                .unwrap_or_else(|| "SD-RESP-1".to_owned()),
            _ => "SD-RESP-1".to_owned(),
        }
    }

    fn finding_from(&self, error: &jsonschema::ValidationError<'_>, prefix: &[String]) -> Finding {
        use jsonschema::error::ValidationErrorKind as Kind;
        let mut segments: Vec<String> = prefix.to_vec();
        segments.extend(error.instance_path().iter().map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(p) => p.into_owned(),
            jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
        }));
        let instance = error.instance();
        let actual = compact(instance);
        let (check, expected, actual) = match error.kind() {
            Kind::Required { property } => {
                let name = property.as_str().unwrap_or_default().to_owned();
                segments.push(name.clone());
                (
                    "schema",
                    format!("property {name:?} present"),
                    "absent".to_owned(),
                )
            }
            Kind::Type { kind } => ("schema", format!("type {}", type_names(kind)), actual),
            Kind::Enum { options } => (
                "status_enum",
                format!("one of {}", compact(options)),
                actual,
            ),
            Kind::Format { format } if format == "sd-timestamp" => {
                let why = instance
                    .as_str()
                    .and_then(|s| timestamp::parse(s).err())
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                (
                    "timestamp",
                    "CCYY-MM-DDThh:mm:ss±hh:mm (Z for +00:00), a real calendar instant".to_owned(),
                    format!("{actual}{why}"),
                )
            }
            Kind::Format { format } if format == "sd-uuid" => (
                "uuid",
                "a UUID: 8-4-4-4-12 hexadecimal digits".to_owned(),
                actual,
            ),
            _ => (
                "schema",
                "valid under the profile's schema".to_owned(),
                actual,
            ),
        };
        let clause = self.clause_for(&segments);
        let pointer = to_pointer(&segments);
        let message = match error.kind() {
            Kind::Required { .. } => format!("{pointer} is missing"),
            _ => format!("{pointer}: {error}"),
        };
        Finding::new(&clause, check, pointer, expected, actual, message)
    }
}

/// Whether the list's schema is exactly "an array of `$defs/deployment`"
/// (annotations aside): only then is validating each item against
/// `$defs/deployment`, and the envelope with an empty list, the same as
/// validating the whole body. A list with its own constraints (`minItems`,
/// `contains`, `uniqueItems`, ...) or inline items is validated whole.
fn list_is_plain_items(schema: &Value) -> bool {
    const ANNOTATIONS: [&str; 5] = ["description", "x-clause", "title", "$comment", "type"];
    let Some(list) = schema
        .pointer("/properties/software_deployments")
        .and_then(Value::as_object)
    else {
        return false;
    };
    list.get("type") == Some(&Value::from("array"))
        && list.get("items") == Some(&serde_json::json!({ "$ref": "#/$defs/deployment" }))
        && list
            .keys()
            .all(|k| k == "items" || ANNOTATIONS.contains(&k.as_str()))
}

fn display_name(origin: &str, name: &str) -> String {
    if origin == "embedded" {
        format!("schemas/{name}")
    } else {
        Path::new(origin).join(name).display().to_string()
    }
}

fn parse_json(file: &str, text: &str) -> Result<Value, ContractError> {
    serde_json::from_str(text).map_err(|e| ContractError::Parse {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// `value` (parsed from `text`) as a `T`; an error names the line:col of the
/// offending value in `text` and its JSON pointer.
fn typed<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    value: Value,
) -> Result<T, ContractError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = crate::jsonfile::path_pointer(e.path());
        let (line, column) = locate(text, &pointer).unwrap_or((1, 1));
        let message = if pointer.is_empty() {
            e.inner().to_string()
        } else {
            format!("{pointer}: {}", e.inner())
        };
        ContractError::Parse {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// `file:line:col`, or `file` when the position is unknown.
fn located(file: &str, position: Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!("{file}:{line}:{column}"),
        None => file.to_owned(),
    }
}

/// [`compile`], with an error located in `text`, the schema's source: the
/// compiler names the offending value of the schema by JSON pointer.
fn compile_located(
    file: &str,
    text: &str,
    schema: &Value,
) -> Result<jsonschema::Validator, ContractError> {
    build(schema).map_err(|e| ContractError::Compile {
        file: file.to_owned(),
        position: locate(text, e.instance_path().as_str()),
        message: e.to_string(),
    })
}

/// Compiles a schema with our formats asserted (2020-12 does not assert `format` by default).
pub fn compile(file: &str, schema: &Value) -> Result<jsonschema::Validator, ContractError> {
    build(schema).map_err(|e| ContractError::Compile {
        file: file.to_owned(),
        position: None,
        message: e.to_string(),
    })
}

fn build(schema: &Value) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("sd-timestamp", timestamp::is_valid)
        .with_format("sd-uuid", uuid::is_valid)
        .build(schema)
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// Serializes `value` on one line (for evidence).
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Builds an RFC 6901 pointer from path segments.
pub fn to_pointer(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The document's own response example, verbatim.
    const DOCUMENT_EXAMPLE: &str = r#"{
        "software_deployments": [
            {
                "status": "COMPLETE",
                "server_id": "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                "config_id": "8da95794-2ad9-4979-8ae5-739ce314c5cd",
                "output_values": {
                    "deploy_stdout": "Writing to /tmp/barmy\nWritten to /tmp/barmy\n",
                    "deploy_stderr": "+ echo Writing to /tmp/barmy\n+ echo fu\n+ cat /tmp/barmy\n+ echo -n The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE\n+ echo Written to /tmp/barmy\n+ echo Output to stderr\nOutput to stderr\n",
                    "deploy_status_code": 0,
                    "result": "The file /tmp/barmy contains fu for server ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5 during CREATE"
                },
                "input_values": null,
                "action": "CREATE",
                "status_reason": "Outputs received",
                "id": "ef422fa5-719a-419e-a10c-72e3a367b0b8",
                "creation_time": "2015-01-31T15:12:36Z",
                "updated_time": "2015-01-31T15:18:21Z"
            }
        ]
    }"#;

    fn contract() -> Contract {
        match Contract::embedded() {
            Ok(c) => c,
            Err(e) => panic!("embedded contract: {e}"),
        }
    }

    fn example() -> Value {
        serde_json::from_str(DOCUMENT_EXAMPLE).unwrap_or_default()
    }

    #[test]
    fn the_documents_example_validates_under_documented_and_lenient() {
        let c = contract();
        assert_eq!(
            c.validate("software-deployments", Profile::Documented, &example()),
            vec![]
        );
        assert_eq!(
            c.validate("software-deployments", Profile::Lenient, &example()),
            vec![]
        );
    }

    #[test]
    fn strict_rejects_the_examples_null_input_values_and_says_who_accepts_it() {
        let findings = contract().validate("software-deployments", Profile::Strict, &example());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].clause, "SD-RESP-6");
        assert_eq!(findings[0].pointer, "/software_deployments/0/input_values");
        assert_eq!(findings[0].accepted_by, vec!["documented", "lenient"]);
    }

    fn with(field: &str, value: Option<Value>) -> Value {
        let mut body = example();
        if let Some(item) = body
            .pointer_mut("/software_deployments/0")
            .and_then(Value::as_object_mut)
        {
            match value {
                Some(v) => {
                    item.insert(field.to_owned(), v);
                }
                None => {
                    item.remove(field);
                }
            }
        }
        body
    }

    #[test]
    fn each_field_violation_cites_its_own_clause_and_check() {
        let c = contract();
        let table: Vec<(&str, Option<Value>, &str, &str)> = vec![
            ("status", Some(json!("DONE")), "SD-RESP-9", "status_enum"),
            (
                "status",
                Some(json!("complete")),
                "SD-RESP-9",
                "status_enum",
            ),
            (
                "creation_time",
                Some(json!("2015-02-29T00:00:00Z")),
                "SD-RESP-4",
                "timestamp",
            ),
            (
                "creation_time",
                Some(json!("2015-01-31T15:12:36.5Z")),
                "SD-RESP-4",
                "timestamp",
            ),
            (
                "updated_time",
                Some(json!("2015-13-01T00:00:00+00:00")),
                "SD-RESP-11",
                "timestamp",
            ),
            ("updated_time", None, "SD-RESP-11", "schema"),
            ("id", Some(json!("deployment-1")), "SD-RESP-5", "uuid"),
            ("id", Some(json!(7)), "SD-RESP-5", "schema"),
            ("action", Some(json!(1)), "SD-RESP-2", "schema"),
            ("config_id", None, "SD-RESP-3", "schema"),
            ("input_values", Some(json!([])), "SD-RESP-6", "schema"),
            ("output_values", Some(json!(null)), "SD-RESP-7", "schema"),
            ("server_id", Some(json!(42)), "SD-RESP-8", "schema"),
            ("status_reason", Some(json!(null)), "SD-RESP-10", "schema"),
        ];
        for (field, value, clause, check) in table {
            let findings = c.validate(
                "software-deployments",
                Profile::Documented,
                &with(field, value.clone()),
            );
            assert!(!findings.is_empty(), "{field}={value:?} passed");
            assert!(
                findings.iter().all(|f| f.clause == clause),
                "{field}={value:?}: {findings:?}"
            );
            assert_eq!(findings[0].check, check, "{field}={value:?}");
        }
    }

    #[test]
    fn lenient_accepts_null_outputs_and_absent_updated_time() {
        let c = contract();
        for body in [
            with("output_values", Some(json!(null))),
            with("updated_time", None),
            with("updated_time", Some(json!(null))),
        ] {
            assert_eq!(
                c.validate("software-deployments", Profile::Lenient, &body),
                vec![]
            );
            let documented = c.validate("software-deployments", Profile::Documented, &body);
            assert_eq!(documented.len(), 1);
            assert_eq!(documented[0].accepted_by, vec!["lenient"]);
        }
    }

    #[test]
    fn envelope_violations_cite_sd_resp_1() {
        let c = contract();
        for body in [
            json!([]),
            json!({"deployments": []}),
            json!({"software_deployments": {}}),
            json!({"software_deployments": [1]}),
        ] {
            let findings = c.validate("software-deployments", Profile::Documented, &body);
            assert!(!findings.is_empty(), "{body}");
            assert!(
                findings.iter().all(|f| f.clause == "SD-RESP-1"),
                "{body}: {findings:?}"
            );
        }
        assert_eq!(
            c.validate(
                "software-deployments",
                Profile::Strict,
                &json!({"software_deployments": []})
            ),
            vec![]
        );
    }

    #[test]
    fn extra_fields_are_allowed_in_every_profile() {
        let c = contract();
        let body = with("stack_user_project_id", Some(json!("x")));
        for profile in Profile::ALL {
            let findings = c.validate("software-deployments", profile, &body);
            assert!(
                findings.iter().all(|f| f.clause == "SD-RESP-6"),
                "{profile}: {findings:?}"
            );
        }
    }

    #[test]
    fn a_list_with_its_own_constraints_is_validated_whole() {
        assert!(contract().validates_items("software-deployments"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(dir.path().join("profiles")).unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in EMBEDDED {
            let text = if *name == "software-deployments.schema.json" {
                text.replacen(
                    r#""type": "array","#,
                    r#""type": "array", "minItems": 2,"#,
                    1,
                )
            } else {
                (*text).to_owned()
            };
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
        }
        let c = Contract::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.validates_items("software-deployments"));
        let findings = c.validate("software-deployments", Profile::Documented, &example());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].pointer, "/software_deployments");
        // The checks of a case then see the whole list: three items satisfy
        // `minItems`, where an envelope with an empty list would not.
        let loader =
            crate::case::load::Loader::new(c.case_schema()).unwrap_or_else(|e| panic!("{e}"));
        let cases = loader.load_embedded().unwrap_or_else(|e| panic!("{e}"));
        let Some(list_all) = cases.iter().find(|case| case.id == "list-all") else {
            panic!("list-all is shipped");
        };
        let body =
            serde_json::to_vec(&json!({ "software_deployments": crate::reference::generated(3) }))
                .unwrap_or_default();
        let eval = crate::check::evaluate(&crate::check::Input {
            case: list_all,
            status: 200,
            content_type: Some("application/json"),
            body: &body,
            vars: &BTreeMap::new(),
            others: &BTreeMap::new(),
            contract: &c,
            profile: Profile::Documented,
            clock_skew: crate::check::order::DEFAULT_CLOCK_SKEW,
        });
        assert_eq!(eval.findings, vec![]);
    }
}
