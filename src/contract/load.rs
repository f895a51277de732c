//! The contract, loaded: every file of `schemas/` (or the copies compiled
//! into the binary) read through `jsonfile`, typed and compiled once, then
//! shared read-only by every trial. The start of `contract`, which `app`
//! calls before loading the cases.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::clause::{Clause, ClauseFile};
use super::error::ContractError;
use super::profile::{Profile, ProfileFile};
use super::schema::{Compiled, compile_located, compile_profiles, field_clauses};
use crate::jsonfile::{self, FileError, Positions};

/// The contract, loaded and compiled, shared read-only by every trial.
pub struct Contract {
    origin: String,
    clauses: Vec<Clause>,
    profiles: BTreeMap<Profile, String>,
    /// schema name → profile → compiled validator.
    pub(super) validators: BTreeMap<String, BTreeMap<Profile, Compiled>>,
    /// deployment field → clause, from the base schema's `x-clause` annotations.
    pub(super) field_clauses: BTreeMap<String, String>,
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

/// The shipped schema files, compiled into the binary (a bundle's manifest digests them).
pub const EMBEDDED: &[(&str, &str)] = &[
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

/// The harness's own formats among the `*.schema.json` files: not response schemas.
const OWN_SCHEMAS: [&str; 2] = ["case.schema.json", "report.schema.json"];

/// Response schemas by name, and the clause of each deployment field.
type ResponseSchemas = (
    BTreeMap<String, BTreeMap<Profile, Compiled>>,
    BTreeMap<String, String>,
);

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
        let io = |source| FileError::Io {
            path: dir.to_owned(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".json") {
                files.insert(name.to_owned(), jsonfile::read(&path)?);
            }
        }
        let profiles = dir.join("profiles");
        for profile in Profile::ALL {
            let path = profiles.join(format!("{profile}.json"));
            if path.exists() {
                files.insert(format!("profiles/{profile}.json"), jsonfile::read(&path)?);
            }
        }
        Contract::from_files(dir.display().to_string(), files)
    }

    pub(super) fn from_files(
        origin: String,
        files: BTreeMap<String, String>,
    ) -> Result<Contract, ContractError> {
        let files = SchemaFiles { origin, files };
        let clause_file: ClauseFile = files.typed("clauses.json")?;
        let case_schema = files.own_schema("case.schema.json")?;
        let report_schema = files.own_schema("report.schema.json")?;
        let profiles = files.profiles()?;
        let patches = profiles
            .iter()
            .map(|(profile, file)| (*profile, file.patch.clone()))
            .collect();
        let (validators, field_clauses) = files.response_schemas(&patches)?;
        let profiles = profiles
            .into_iter()
            .map(|(profile, file)| (profile, file.description))
            .collect();
        Ok(Contract {
            origin: files.origin,
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
}

/// The files of a schema directory by name (`profiles/NAME.json` for
/// profiles), with where they came from, for messages.
struct SchemaFiles {
    origin: String,
    files: BTreeMap<String, String>,
}

impl SchemaFiles {
    /// The name of `name` in messages.
    fn display(&self, name: &str) -> String {
        if self.origin == "embedded" {
            format!("schemas/{name}")
        } else {
            Path::new(&self.origin).join(name).display().to_string()
        }
    }

    /// The text of `name`; an error when the directory lacks it.
    fn text(&self, name: &str) -> Result<&str, ContractError> {
        self.files
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ContractError::Missing {
                file: name.to_owned(),
            })
    }

    /// `name` parsed as JSON.
    fn value(&self, name: &str) -> Result<Value, ContractError> {
        Ok(jsonfile::parse(&self.display(name), self.text(name)?)?)
    }

    /// `name` parsed as a `T`; an error points at the offending value.
    fn typed<T: DeserializeOwned>(&self, name: &str) -> Result<T, ContractError> {
        let file = self.display(name);
        let text = self.text(name)?;
        let value = jsonfile::parse(&file, text)?;
        Ok(Positions::new(&file, text).typed(value)?)
    }

    /// One of the harness's own schemas, which must compile.
    fn own_schema(&self, name: &str) -> Result<Value, ContractError> {
        let schema = self.value(name)?;
        compile_located(&self.display(name), self.text(name)?, &schema)?;
        Ok(schema)
    }

    /// Every profile's file, each naming its own profile.
    fn profiles(&self) -> Result<BTreeMap<Profile, ProfileFile>, ContractError> {
        let mut files = BTreeMap::new();
        for profile in Profile::ALL {
            let name = format!("profiles/{profile}.json");
            let file: ProfileFile = self.typed(&name)?;
            if file.name != profile.as_str() {
                return Err(ContractError::UnknownProfile {
                    file: self.display(&name),
                    name: file.name,
                });
            }
            files.insert(profile, file);
        }
        Ok(files)
    }

    /// Every response schema (`*.schema.json` but our own formats) compiled
    /// under every profile, and the clauses of its deployment fields.
    fn response_schemas(
        &self,
        patches: &BTreeMap<Profile, Value>,
    ) -> Result<ResponseSchemas, ContractError> {
        let mut validators = BTreeMap::new();
        let mut clauses = BTreeMap::new();
        let names = self
            .files
            .keys()
            .filter(|name| name.ends_with(".schema.json") && !OWN_SCHEMAS.contains(&name.as_str()));
        for name in names {
            let base = self.value(name)?;
            clauses.extend(field_clauses(&base));
            let compiled = compile_profiles(&self.display(name), self.text(name)?, &base, patches)?;
            let schema_name = name.trim_end_matches(".schema.json").to_owned();
            validators.insert(schema_name, compiled);
        }
        Ok((validators, clauses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded files, with `name` replaced by `text`.
    fn with(name: &str, text: &str) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        files.insert(name.to_owned(), text.to_owned());
        files
    }

    fn error(name: &str, text: &str) -> String {
        match Contract::from_files("embedded".to_owned(), with(name, text)) {
            Ok(_) => panic!("{name} accepted: {text}"),
            Err(error) => error.to_string(),
        }
    }

    /// Issue 9: schema files are read through `jsonfile`, so their error
    /// columns count characters, as every other file's do. "é😀" is two
    /// characters and six bytes: serde_json puts the `"type"` after it at
    /// byte column 26.
    #[test]
    fn error_columns_count_characters_issue_9() {
        assert_eq!(
            error(
                "software-deployments.schema.json",
                r#"{"description": "é😀" "type": "object"}"#
            ),
            "schemas/software-deployments.schema.json:1:22: invalid JSON: expected `,` or `}`"
        );
        assert_eq!(
            error(
                "clauses.json",
                r#"{"contract": "é😀", "clauses": [{"id": "SD-X-1", "txet": "t"}]}"#
            ),
            "schemas/clauses.json:1:49: /clauses/0/txet: unknown field `txet`, expected `id` or `text`"
        );
        assert_eq!(
            error("profiles/strict.json", "5"),
            "schemas/profiles/strict.json:1:1: (the file): invalid type: integer `5`, expected struct ProfileFile"
        );
    }

    #[test]
    fn a_missing_file_or_directory_is_named() {
        let mut files = with("report.schema.json", "");
        files.remove("report.schema.json");
        let error = Contract::from_files("embedded".to_owned(), files).unwrap_err();
        assert_eq!(
            error.to_string(),
            "report.schema.json: missing from the schema directory"
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("nope");
        let error = Contract::from_dir(&missing).unwrap_err();
        assert!(
            matches!(&error, ContractError::File(FileError::Io { path, .. }) if *path == missing),
            "{error:?}"
        );
    }
}
