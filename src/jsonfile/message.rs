//! The words of a [`crate::jsonfile::schema`] message: what a JSON Schema
//! keyword reports, said the way serde says it, so that a file rejected by
//! its schema and one rejected by its Rust type read alike:
//!
//! ```text
//! unknown field `requets`, expected one of `captures`, `checks`, ...
//! invalid type: string "200", expected integer
//! unknown variant `admin`, expected one of `default`, `none`, `invalid`
//! ```

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::model::truncate;

/// Longest excerpt of a file's value quoted in a message, in characters.
const QUOTE_MAX_CHARS: usize = 60;

/// serde's wording for the keywords that have one; `None` for the others.
pub(crate) fn wording(kind: &ValidationErrorKind, instance: &Value) -> Option<String> {
    let invalid = |expected: String| format!("invalid value: {}, {expected}", describe(instance));
    let message = match kind {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            format!("missing field `{name}`")
        }
        ValidationErrorKind::Type { kind } => {
            format!(
                "invalid type: {}, expected {}",
                describe(instance),
                type_names(kind)
            )
        }
        ValidationErrorKind::Enum { options } => enum_message(options, instance),
        ValidationErrorKind::Constant { expected_value } => {
            invalid(format!("expected {expected_value}"))
        }
        ValidationErrorKind::Pattern { pattern } => {
            invalid(format!("expected a string matching `{pattern}`"))
        }
        ValidationErrorKind::Minimum { limit } => invalid(format!("expected at least {limit}")),
        ValidationErrorKind::Maximum { limit } => invalid(format!("expected at most {limit}")),
        ValidationErrorKind::MinItems { limit } => {
            let length = instance.as_array().map_or(0, Vec::len);
            let items = if *limit == 1 { "item" } else { "items" };
            format!("invalid length {length}, expected at least {limit} {items}")
        }
        ValidationErrorKind::UniqueItems => match first_duplicate(instance) {
            Some(item) => format!("duplicate item {}", describe(item)),
            None => "items are not unique".to_owned(),
        },
        _ => return None,
    };
    Some(message)
}

/// `unknown variant ...` for a string, `invalid value ...` for anything else.
fn enum_message(options: &Value, instance: &Value) -> String {
    let names: Option<Vec<&str>> = options
        .as_array()
        .and_then(|options| options.iter().map(Value::as_str).collect());
    match (instance.as_str(), names) {
        (Some(variant), Some(names)) => format!(
            "unknown variant `{}`, {}",
            truncate(variant, QUOTE_MAX_CHARS),
            expected_names(names)
        ),
        _ => format!(
            "invalid value: {}, expected one of {}",
            describe(instance),
            options
        ),
    }
}

/// The JSON types a `type` keyword allows: `string`, `string or null`.
pub fn type_names(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(single) => single.to_string(),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// The validator's own message, as a lowercase fragment.
pub(crate) fn fragment(error: &ValidationError<'_>) -> String {
    let message = error.to_string();
    let mut chars = message.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() => {
            first.to_ascii_lowercase().to_string() + chars.as_str()
        }
        _ => message,
    }
}

/// `unknown field `x`, expected ...` in serde's words.
pub(crate) fn unknown_field<'n>(name: &str, allowed: impl Iterator<Item = &'n str>) -> String {
    let allowed: Vec<&str> = allowed.collect();
    let name = truncate(name, QUOTE_MAX_CHARS);
    if allowed.is_empty() {
        format!("unknown field `{name}`, there are no fields")
    } else {
        format!("unknown field `{name}`, {}", expected_names(allowed))
    }
}

/// `expected `a``, `expected `a` or `b``, `expected one of `a`, `b`, `c`` (as serde).
fn expected_names(names: Vec<&str>) -> String {
    match names.as_slice() {
        [] => "expected nothing".to_owned(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("expected one of {}", quoted.join(", "))
        }
    }
}

/// A short description of a value for messages, e.g. `string "200"`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => {
            let short = truncate(s, QUOTE_MAX_CHARS);
            format!("string {}", Value::String(short))
        }
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    }
}

/// The first element of an array that equals an earlier one.
fn first_duplicate(value: &Value) -> Option<&Value> {
    let items = value.as_array()?;
    items
        .iter()
        .enumerate()
        .find(|(i, item)| items.iter().take(*i).any(|earlier| earlier == *item))
        .map(|(_, item)| item)
}
