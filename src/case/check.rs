//! The named checks a case runs on its response, each with the parameters
//! it takes, typed: one [`Check`] variant per check, each parameter struct
//! denying unknown fields.
//!
//! Part of the case format (`case::model`), so it sits where `case` does:
//! after `contract`, before `check`, which runs these. In a case file a
//! check keeps the shape `{"check": NAME, "params": {...}, "severity": ...}`:
//!
//! ```json
//! { "check": "filter_subset", "params": { "server_id": "{server_id}", "unfiltered": "list-all" } }
//! ```
//!
//! A misspelt parameter is a serde error at its own JSON pointer
//! (`/cases/0/checks/1/params/unfilterd: unknown field ...`), which the
//! loader turns into `file:line:col`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Severity;

/// A named check with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    /// Which check, with its parameters.
    pub check: Check,
    /// Overrides the check's default severity.
    pub severity: Option<Severity>,
}

impl CheckSpec {
    /// The check's name.
    pub fn name(&self) -> CheckName {
        self.check.name()
    }
}

/// A check and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// `updated_time >= creation_time`, compared as instants (SHOULD).
    TimestampOrder,
    /// No two items share an `id`.
    UniqueIds,
    /// Every item's `server_id` equals the filter exactly.
    FilterExact(FilterExact),
    /// The filtered list is the subset of the unfiltered list with that `server_id`.
    FilterSubset(FilterSubset),
    /// The list's ids are exactly a known set (a filter by a server the harness created).
    IdsEqual(Ids),
    /// The list holds every id of a known set (what the harness created in the project).
    IdsInclude(Ids),
    /// The list holds no id of a known set (another project's deployments).
    IdsExclude(Ids),
    /// No item is a deployment of the target's own project (by id, against the
    /// unfiltered list): another project's list must not show ours (SD-URI-2).
    ProjectScope(ProjectScope),
}

impl Check {
    /// The check's name.
    pub fn name(&self) -> CheckName {
        match self {
            Check::TimestampOrder => CheckName::TimestampOrder,
            Check::UniqueIds => CheckName::UniqueIds,
            Check::FilterExact(_) => CheckName::FilterExact,
            Check::FilterSubset(_) => CheckName::FilterSubset,
            Check::IdsEqual(_) => CheckName::IdsEqual,
            Check::IdsInclude(_) => CheckName::IdsInclude,
            Check::IdsExclude(_) => CheckName::IdsExclude,
            Check::ProjectScope(_) => CheckName::ProjectScope,
        }
    }

    /// The parameter that is a template (rendered before the check runs), if any.
    pub fn template(&self) -> Option<&Template> {
        match self {
            Check::TimestampOrder | Check::UniqueIds | Check::ProjectScope(_) => None,
            Check::FilterExact(params) => Some(&params.server_id),
            Check::FilterSubset(params) => Some(&params.server_id),
            Check::IdsEqual(params) | Check::IdsInclude(params) | Check::IdsExclude(params) => {
                Some(&params.ids)
            }
        }
    }

    /// The id of the case whose response it also reads, if any.
    pub fn other_case(&self) -> Option<&str> {
        match self {
            Check::FilterSubset(params) => Some(&params.unfiltered),
            Check::ProjectScope(params) => Some(&params.unfiltered),
            _ => None,
        }
    }

    /// The check as written without `params`: only a check that takes none.
    fn without_params(name: CheckName) -> Option<Check> {
        match name {
            CheckName::TimestampOrder => Some(Check::TimestampOrder),
            CheckName::UniqueIds => Some(Check::UniqueIds),
            CheckName::FilterExact
            | CheckName::FilterSubset
            | CheckName::IdsEqual
            | CheckName::IdsInclude
            | CheckName::IdsExclude
            | CheckName::ProjectScope => None,
        }
    }
}

/// Parameters of `filter_exact`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilterExact {
    /// The `server_id` every item must equal, e.g. `{server_id}`.
    pub server_id: Template,
}

/// Parameters of `filter_subset`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSubset {
    /// The `server_id` the filtered list was requested with, e.g. `{server_id}`.
    pub server_id: Template,
    /// Id of the case whose response is the unfiltered list.
    pub unfiltered: String,
}

/// Parameters of `ids_equal`, `ids_include` and `ids_exclude`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    /// The known ids, comma-separated, e.g. `{created}` (a capture from the fixtures
    /// document, whose id sets are comma-separated strings); an empty string is the empty set.
    pub ids: Template,
}

/// Parameters of `project_scope`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectScope {
    /// Id of the case whose response is the target project's own (unfiltered) list.
    pub unfiltered: String,
}

/// The parameters of a check that takes none: an empty object at most.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// A parameter value that may hold `{name}` variables (see [`crate::template`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Template(String);

impl Template {
    /// A template of `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Template(text.into())
    }

    /// The template's text, variables unrendered.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Template;
            // As the case schema's `type` says it: "expected string".
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("string")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Template, E> {
                Ok(Template(text.to_owned()))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// The closed set of checks a case can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// `updated_time >= creation_time`, compared as instants (SHOULD).
    TimestampOrder,
    /// No two items share an `id`.
    UniqueIds,
    /// Every item's `server_id` equals the filter exactly. Params: `server_id`.
    FilterExact,
    /// The filtered list is the subset of the unfiltered list with that `server_id`.
    /// Params: `server_id`, `unfiltered` (a case id).
    FilterSubset,
    /// The list's ids are exactly the given set (SD-REQ-1). Params: `ids`.
    IdsEqual,
    /// The list holds every given id (SD-URI-2). Params: `ids`.
    IdsInclude,
    /// The list holds none of the given ids (SD-URI-2). Params: `ids`.
    IdsExclude,
    /// No item is one of the target project's deployments (SD-URI-2).
    /// Params: `unfiltered` (a case id).
    ProjectScope,
}

impl CheckName {
    /// Every check, in a stable order.
    pub const ALL: [CheckName; 8] = [
        CheckName::TimestampOrder,
        CheckName::UniqueIds,
        CheckName::FilterExact,
        CheckName::FilterSubset,
        CheckName::IdsEqual,
        CheckName::IdsInclude,
        CheckName::IdsExclude,
        CheckName::ProjectScope,
    ];

    /// The name used in case files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::TimestampOrder => "timestamp_order",
            CheckName::UniqueIds => "unique_ids",
            CheckName::FilterExact => "filter_exact",
            CheckName::FilterSubset => "filter_subset",
            CheckName::IdsEqual => "ids_equal",
            CheckName::IdsInclude => "ids_include",
            CheckName::IdsExclude => "ids_exclude",
            CheckName::ProjectScope => "project_scope",
        }
    }
}

/// The members of a check object.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Check,
    Params,
    Severity,
}

const FIELDS: &[&str] = &["check", "params", "severity"];

/// Deserializes the `params` of the check `0` names.
struct ParamsOf(CheckName);

impl<'de> DeserializeSeed<'de> for ParamsOf {
    type Value = Check;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Check, D::Error> {
        match self.0 {
            CheckName::TimestampOrder => {
                NoParams::deserialize(deserializer).map(|NoParams {}| Check::TimestampOrder)
            }
            CheckName::UniqueIds => {
                NoParams::deserialize(deserializer).map(|NoParams {}| Check::UniqueIds)
            }
            CheckName::FilterExact => {
                FilterExact::deserialize(deserializer).map(Check::FilterExact)
            }
            CheckName::FilterSubset => {
                FilterSubset::deserialize(deserializer).map(Check::FilterSubset)
            }
            CheckName::IdsEqual => Ids::deserialize(deserializer).map(Check::IdsEqual),
            CheckName::IdsInclude => Ids::deserialize(deserializer).map(Check::IdsInclude),
            CheckName::IdsExclude => Ids::deserialize(deserializer).map(Check::IdsExclude),
            CheckName::ProjectScope => {
                ProjectScope::deserialize(deserializer).map(Check::ProjectScope)
            }
        }
    }
}

/// Reads `check` before `params` (the loader deserializes a
/// `serde_json::Value`, whose members are sorted so), so that a parameter's
/// error carries its own path; `params` met first (from text) is read as a
/// value and typed once the name is known.
impl<'de> Deserialize<'de> for CheckSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("CheckSpec", FIELDS, SpecVisitor)
    }
}

struct SpecVisitor;

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = CheckSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct CheckSpec")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckSpec, A::Error> {
        let mut name: Option<CheckName> = None;
        let mut check: Option<Check> = None;
        let mut early_params: Option<Value> = None;
        let mut severity: Option<Option<Severity>> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Check if name.is_some() => return Err(de::Error::duplicate_field("check")),
                Field::Check => name = Some(map.next_value()?),
                Field::Params if check.is_some() || early_params.is_some() => {
                    return Err(de::Error::duplicate_field("params"));
                }
                Field::Params => match name {
                    Some(name) => check = Some(map.next_value_seed(ParamsOf(name))?),
                    None => early_params = Some(map.next_value()?),
                },
                Field::Severity if severity.is_some() => {
                    return Err(de::Error::duplicate_field("severity"));
                }
                Field::Severity => severity = Some(map.next_value()?),
            }
        }
        let name = name.ok_or_else(|| de::Error::missing_field("check"))?;
        let check = match (check, early_params) {
            (Some(check), _) => check,
            (None, Some(params)) => ParamsOf(name)
                .deserialize(params)
                .map_err(de::Error::custom)?,
            (None, None) => {
                Check::without_params(name).ok_or_else(|| de::Error::missing_field("params"))?
            }
        };
        Ok(CheckSpec {
            check,
            severity: severity.flatten(),
        })
    }
}

/// Writes the case-file shape back: `params` only for a check that takes some.
impl Serialize for CheckSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("check", &self.name())?;
        match &self.check {
            Check::TimestampOrder | Check::UniqueIds => {}
            Check::FilterExact(params) => map.serialize_entry("params", params)?,
            Check::FilterSubset(params) => map.serialize_entry("params", params)?,
            Check::IdsEqual(params) | Check::IdsInclude(params) | Check::IdsExclude(params) => {
                map.serialize_entry("params", params)?
            }
            Check::ProjectScope(params) => map.serialize_entry("params", params)?,
        }
        if let Some(severity) = &self.severity {
            map.serialize_entry("severity", severity)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(value: Value) -> Result<CheckSpec, String> {
        serde_path_to_error::deserialize(value).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    /// From text, where members keep their order (a `Value` sorts them).
    fn spec_text(text: &str) -> Result<CheckSpec, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    /// Issue 9: parameters are typed per check; an unknown or misspelt one
    /// is an error at its own path, whatever the order of the members.
    #[test]
    fn params_are_typed_per_check() {
        let subset = spec(json!({
            "check": "filter_subset",
            "params": { "server_id": "{server_id}", "unfiltered": "list-all" },
            "severity": "SHOULD"
        }))
        .unwrap();
        assert_eq!(subset.check.other_case(), Some("list-all"));
        assert_eq!(
            subset.check.template().map(Template::as_str),
            Some("{server_id}")
        );
        assert_eq!(subset.severity, Some(Severity::Should));
        let late_name = spec_text(r#"{ "params": { "server_id": "s" }, "check": "filter_exact" }"#);
        assert_eq!(
            late_name.unwrap().check,
            Check::FilterExact(FilterExact {
                server_id: Template::new("s")
            })
        );
        let table = [
            (
                json!({ "check": "filter_subset", "params": { "server_id": "s", "unfilterd": "a" } }),
                "params.unfilterd: unknown field `unfilterd`, expected `server_id` or `unfiltered`",
            ),
            (
                json!({ "check": "unique_ids", "params": { "server_id": "s" } }),
                "params.server_id: unknown field `server_id`, there are no fields",
            ),
            (
                json!({ "check": "filter_exact", "params": { "server_id": 7 } }),
                "params.server_id: invalid type: integer `7`, expected string",
            ),
            (
                json!({ "check": "filter_exact" }),
                ".: missing field `params`",
            ),
            (json!({ "params": {} }), ".: missing field `check`"),
            (
                json!({ "check": "unique_ids", "sevrity": "MUST" }),
                "sevrity: unknown field `sevrity`, expected one of `check`, `params`, `severity`",
            ),
        ];
        for (value, expected) in table {
            assert_eq!(spec(value.clone()).unwrap_err(), expected, "{value}");
        }
        // `params` before `check` is typed once the name is known: the error
        // is the check's, with the parameter's message.
        let late =
            spec_text(r#"{ "params": { "server_id": "s", "x": 1 }, "check": "filter_exact" }"#);
        assert_eq!(
            late.unwrap_err(),
            ".: unknown field `x`, expected `server_id` at line 1 column 67"
        );
    }

    #[test]
    fn a_duplicate_member_is_an_error() {
        for text in [
            r#"{"check": "unique_ids", "check": "unique_ids"}"#,
            r#"{"check": "filter_exact", "params": {"server_id": "a"}, "params": {"server_id": "b"}}"#,
            r#"{"check": "unique_ids", "severity": "MUST", "severity": "MUST"}"#,
        ] {
            let error = serde_json::from_str::<CheckSpec>(text).unwrap_err();
            assert!(error.to_string().starts_with("duplicate field"), "{error}");
        }
    }

    /// A check writes back as it is read: `params` only when it takes some.
    #[test]
    fn checks_round_trip() {
        for value in [
            json!({ "check": "timestamp_order", "severity": "MUST" }),
            json!({ "check": "unique_ids" }),
            json!({ "check": "filter_exact", "params": { "server_id": "{server_id}" } }),
            json!({ "check": "filter_subset", "params": { "server_id": "s", "unfiltered": "a" } }),
            json!({ "check": "ids_equal", "params": { "ids": "{created}" } }),
            json!({ "check": "ids_include", "params": { "ids": "a,b" } }),
            json!({ "check": "ids_exclude", "params": { "ids": "" } }),
            json!({ "check": "project_scope", "params": { "unfiltered": "list-all" } }),
        ] {
            let spec = spec(value.clone()).unwrap();
            assert_eq!(serde_json::to_value(&spec).unwrap(), value);
        }
    }
}
