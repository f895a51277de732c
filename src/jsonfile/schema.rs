//! A user's JSON file checked against its JSON Schema: of all the validator's
//! errors, the one [`Problem`] worth reporting, in serde's words and at its
//! position in the text.
//!
//! Used by the case loader and the waivers reader, before either
//! deserializes its file, so that what the schema rejects reads like what
//! serde would have said:
//!
//! ```text
//! cases/x.json:6:7: /cases/0/requets: unknown field `requets`, expected one of `captures`, ...
//! ```

use std::cmp::Reverse;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::error::Problem;
use super::file::Positions;
use super::message::{fragment, unknown_field, wording};
use super::pointer::{depth, escape};

/// The problem to report when `value` (parsed from the text `positions`
/// looks in) breaks `schema` (compiled as `validator`), if it does.
///
/// The first problem in the file (a specific one before a wrapper such as
/// `anyOf`), made as specific as possible: the deepest problem inside the
/// same value. So an unknown `requets` field wins over the missing `request`
/// it causes. `schema`'s source names the properties an object allows.
pub fn problem(
    validator: &Validator,
    schema: &Value,
    value: &Value,
    positions: &Positions<'_>,
) -> Option<Problem> {
    let errors: Vec<ValidationError<'_>> = validator.iter_errors(value).collect();
    let context = Context {
        value,
        schema,
        positions,
    };
    best(errors.iter().map(|error| context.ranked(error))).map(|ranked| ranked.problem)
}

/// A problem with what ranks it among the others.
struct Ranked {
    problem: Problem,
    /// Segments in its pointer: deeper is more specific.
    depth: usize,
    /// Whether it only says that alternatives failed (`anyOf`, `oneOf`, `not`).
    wrapper: bool,
}

impl Ranked {
    fn position(&self) -> (usize, usize) {
        (self.problem.line, self.problem.column)
    }
}

/// See [`problem`].
fn best(problems: impl Iterator<Item = Ranked>) -> Option<Ranked> {
    let problems: Vec<Ranked> = problems.collect();
    let first = problems.iter().min_by_key(|p| (p.wrapper, p.position()))?;
    let inside = format!("{}/", first.problem.pointer);
    let (wrapper, pointer) = (first.wrapper, first.problem.pointer.clone());
    problems
        .into_iter()
        .filter(|p| {
            (wrapper || !p.wrapper)
                && (p.problem.pointer == pointer || p.problem.pointer.starts_with(&inside))
        })
        .min_by_key(|p| (Reverse(p.depth), p.position()))
}

/// What a validation error needs to become a [`Problem`].
struct Context<'a, 't> {
    value: &'a Value,
    schema: &'a Value,
    positions: &'a Positions<'t>,
}

impl Context<'_, '_> {
    fn ranked(&self, error: &ValidationError<'_>) -> Ranked {
        let pointer = error.instance_path().as_str().to_owned();
        let schema_path = error.schema_path().as_str();
        let keyword_parent = schema_path
            .rsplit_once('/')
            .map_or("", |(parent, _)| parent);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => self.unknown(
                error,
                keyword_parent,
                unexpected.first().map(String::as_str),
            ),
            ValidationErrorKind::FalseSchema
                if schema_path.ends_with("/additionalProperties")
                    || schema_path.ends_with("/unevaluatedProperties") =>
            {
                self.unknown(error, keyword_parent, None)
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                // A problem deeper inside an alternative says more than "none
                // matched"; at the same value it would hide the other options.
                let inner = context.iter().flatten().map(|inner| self.ranked(inner));
                match best(inner) {
                    Some(inner) if inner.depth > depth(&pointer) => inner,
                    _ => self.at(pointer, fragment(error), true),
                }
            }
            ValidationErrorKind::OneOfMultipleValid { .. } | ValidationErrorKind::Not { .. } => {
                self.at(pointer, fragment(error), true)
            }
            kind => {
                let message = wording(kind, error.instance()).unwrap_or_else(|| fragment(error));
                self.at(pointer, message, false)
            }
        }
    }

    /// A problem at the value `pointer` names.
    fn at(&self, pointer: String, message: String, wrapper: bool) -> Ranked {
        Ranked {
            depth: depth(&pointer),
            problem: self.positions.problem(&pointer, message, false),
            wrapper,
        }
    }

    /// An unknown member of the object the error is about, at its name:
    /// `unexpected` when the validator names it, else the first member the
    /// (sub)schema at `keyword_parent` does not declare.
    fn unknown(
        &self,
        error: &ValidationError<'_>,
        keyword_parent: &str,
        unexpected: Option<&str>,
    ) -> Ranked {
        let pointer = error.instance_path().as_str();
        let allowed = self.allowed_properties(keyword_parent);
        let object = self.value.pointer(pointer).and_then(Value::as_object);
        let name = unexpected.map(str::to_owned).or_else(|| {
            object?
                .keys()
                .find(|key| !allowed.iter().any(|a| a == *key))
                .cloned()
        });
        let Some(name) = name else {
            return self.at(pointer.to_owned(), fragment(error), false);
        };
        let member = format!("{pointer}/{}", escape(&name));
        let message = unknown_field(&name, allowed.iter().map(String::as_str));
        Ranked {
            depth: depth(&member),
            problem: self.positions.problem(&member, message, true),
            wrapper: false,
        }
    }

    /// The properties the (sub)schema at `schema_pointer` declares, in schema order.
    fn allowed_properties(&self, schema_pointer: &str) -> Vec<String> {
        self.schema
            .pointer(schema_pointer)
            .and_then(|schema| schema.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn first(text: &str) -> Option<(String, usize, usize, String)> {
        let schema = json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["a"],
            "properties": {
                "a": { "type": "integer" },
                "b": { "type": "object", "additionalProperties": false,
                       "properties": { "c": { "type": "string" } } }
            }
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        let positions = Positions::new("f.json", text);
        problem(&validator, &schema, &value, &positions)
            .map(|p| (p.pointer, p.line, p.column, p.message))
    }

    /// The first problem in the file wins; an unknown member is reported at
    /// its name, in characters.
    #[test]
    fn the_first_problem_in_the_file_in_serdes_words() {
        let text = "{\n  \"a\": \"x\",\n  \"b\": { \"é\": 1, \"d\": 2 }\n}";
        let expected = (
            "/a".to_owned(),
            2,
            8,
            "invalid type: string \"x\", expected integer".to_owned(),
        );
        assert_eq!(first(text), Some(expected));
        let text = "{\n  \"a\": 1,\n  \"b\": { \"é\": 1, \"c\": \"d\" }\n}";
        let expected = (
            "/b/é".to_owned(),
            3,
            10,
            "unknown field `é`, expected `c`".to_owned(),
        );
        assert_eq!(first(text), Some(expected));
        let expected = (String::new(), 1, 1, "missing field `a`".to_owned());
        assert_eq!(first("{}"), Some(expected));
        assert_eq!(first("{\"a\": 1}"), None);
    }
}
