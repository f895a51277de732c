//! Compiling the contract's JSON Schemas: our formats asserted, each
//! response schema once per profile, an error placed at the offending value
//! of the schema file. Part of `contract`, used by `contract::load` and, for
//! the harness's own formats, by `waiver` and by `app` (the report schema).

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::ContractError;
use super::profile::Profile;
use super::{timestamp, uuid};
use crate::jsonfile::locate::locate;

/// One response schema under one profile, compiled.
pub(super) struct Compiled {
    /// The whole body.
    pub(super) whole: jsonschema::Validator,
    /// One item of the list (`$defs/deployment`), when the schema defines it:
    /// lets a long list be validated one item at a time.
    pub(super) item: Option<jsonschema::Validator>,
}

/// A response schema (`base`, the text of `file`) compiled under every
/// profile, each profile's merge patch from `patches` applied first.
pub(super) fn compile_profiles(
    file: &str,
    text: &str,
    base: &Value,
    patches: &BTreeMap<Profile, Value>,
) -> Result<BTreeMap<Profile, Compiled>, ContractError> {
    let mut per_profile = BTreeMap::new();
    for profile in Profile::ALL {
        let mut schema = base.clone();
        if let Some(patch) = patches.get(&profile) {
            json_patch::merge(&mut schema, patch);
        }
        let file = format!("{file} + profiles/{profile}.json");
        let whole = compile_located(&file, text, &schema)?;
        let item = match schema.pointer("/$defs/deployment") {
            Some(_) if list_is_plain_items(&schema) => {
                let item_schema = serde_json::json!({
                    "$schema": schema.get("$schema").cloned().unwrap_or(Value::Null),
                    "$defs": schema.get("$defs").cloned().unwrap_or(Value::Null),
                    "$ref": "#/$defs/deployment",
                });
                Some(compile_located(&file, text, &item_schema)?)
            }
            _ => None,
        };
        per_profile.insert(profile, Compiled { whole, item });
    }
    Ok(per_profile)
}

/// deployment field → clause, from a response schema's `x-clause` annotations.
pub(super) fn field_clauses(schema: &Value) -> impl Iterator<Item = (String, String)> + '_ {
    schema
        .pointer("/$defs/deployment/properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(field, schema)| {
            let clause = schema.get("x-clause").and_then(Value::as_str)?;
            Some((field.clone(), clause.to_owned()))
        })
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

/// [`compile`], with an error located in `text`, the schema's source: the
/// compiler names the offending value of the schema by JSON pointer.
pub(super) fn compile_located(
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
