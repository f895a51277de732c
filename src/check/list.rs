//! A list body, one item at a time: `{"software_deployments": [item, ...]}` is
//! parsed as a stream, each item handed over and dropped, so checking a body
//! costs the body plus one item, not a whole `serde_json::Value` tree (which
//! is five times the size of the text).
//!
//! ```text
//! {"software_deployments": [ {...}, {...} ], "links": []}
//!                            ^ on_item(0, ..) ^ on_item(1, ..)
//! → Walk::Envelope { rest: {"links": []}, items: 2 }
//! ```
//!
//! Anything else (a bare array, another top-level shape, a non-array
//! `software_deployments`) comes back whole, for the schema to explain.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::filter::ListIndex;

pub use crate::contract::LIST_KEY;

/// What a walk found.
#[derive(Debug, PartialEq)]
pub enum Walk {
    /// An object whose `software_deployments` is an array; its items went to
    /// the callback, the other members are here.
    Envelope {
        /// The object's other members.
        rest: Map<String, Value>,
        /// How many items the list had.
        items: usize,
    },
    /// Any other JSON document, whole.
    Whole(Value),
}

/// Why a walk stopped.
#[derive(Debug)]
pub enum WalkError {
    /// The body is not JSON (or beyond the parser's limits).
    Json(serde_json::Error),
    /// `software_deployments` appears twice; the items already handed over are
    /// not the list a JSON parser keeps (the last). Parse the body whole instead.
    DuplicateList,
}

const DUPLICATE: &str = "sdconform: duplicate software_deployments member";

/// Walks `body`, calling `on_item(index, item)` for each item of the list.
pub fn walk(body: &[u8], mut on_item: impl FnMut(usize, Value)) -> Result<Walk, WalkError> {
    let starts_with_object = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        == Some(&b'{');
    if !starts_with_object {
        return serde_json::from_slice(body)
            .map(Walk::Whole)
            .map_err(WalkError::Json);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let walked = de
        .deserialize_map(TopVisitor {
            on_item: &mut on_item,
        })
        .and_then(|walk| de.end().map(|()| walk));
    walked.map_err(|e| {
        if e.to_string().starts_with(DUPLICATE) {
            WalkError::DuplicateList
        } else {
            WalkError::Json(e)
        }
    })
}

struct TopVisitor<'f, F> {
    on_item: &'f mut F,
}

impl<'de, F: FnMut(usize, Value)> Visitor<'de> for TopVisitor<'_, F> {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        let mut rest = Map::new();
        let mut items: Option<usize> = None;
        let mut seen_list_key = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != LIST_KEY {
                let value: Value = map.next_value()?;
                rest.insert(key, value);
                continue;
            }
            if seen_list_key {
                return Err(de::Error::custom(DUPLICATE));
            }
            seen_list_key = true;
            match map.next_value_seed(ListSeed {
                on_item: &mut *self.on_item,
            })? {
                ListValue::Items(n) => items = Some(n),
                ListValue::Other(value) => {
                    rest.insert(key, value);
                }
            }
        }
        Ok(match items {
            Some(items) => Walk::Envelope { rest, items },
            None => Walk::Whole(Value::Object(rest)),
        })
    }
}

enum ListValue {
    Items(usize),
    Other(Value),
}

struct ListSeed<'f, F> {
    on_item: &'f mut F,
}

impl<'de, F: FnMut(usize, Value)> DeserializeSeed<'de> for ListSeed<'_, F> {
    type Value = ListValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ListValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(usize, Value)> Visitor<'de> for ListSeed<'_, F> {
    type Value = ListValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ListValue, A::Error> {
        let mut count = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            (self.on_item)(count, item);
            count += 1;
        }
        Ok(ListValue::Items(count))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ListValue, A::Error> {
        let value: Value =
            serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(ListValue::Other(value))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::from(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<ListValue, E> {
        Ok(ListValue::Other(Value::Null))
    }
}

/// The [`ListIndex`] of a list body (ids and server ids, for `filter_subset`),
/// built on the stream; `None` when the body is not JSON or has no list.
pub fn index(body: &[u8]) -> Option<ListIndex> {
    let mut index = ListIndex::default();
    match walk(body, |_, item| index.push(&item)) {
        Ok(Walk::Envelope { .. }) => Some(index),
        Ok(Walk::Whole(_)) | Err(WalkError::Json(_)) => None,
        Err(WalkError::DuplicateList) => {
            let value: Value = serde_json::from_slice(body).ok()?;
            let items = value.get(LIST_KEY)?.as_array()?;
            Some(ListIndex::from_items(items))
        }
    }
}

/// The value at an RFC 6901 `pointer` of `body`. A pointer into one item of the
/// list (`/software_deployments/N/...`) is resolved on the stream, keeping only
/// that item; any other pointer parses the body whole.
pub fn pointer(body: &[u8], pointer: &str) -> Option<Value> {
    let prefix = format!("/{LIST_KEY}/");
    let into_item = pointer.strip_prefix(prefix.as_str()).and_then(|rest| {
        let (index, within) = rest.split_once('/').map_or((rest, ""), |(i, w)| (i, w));
        let index: usize = index.parse().ok()?;
        // RFC 6901: no leading zeros ("01" names no array element).
        (index.to_string() == rest.split('/').next().unwrap_or_default()).then_some((index, within))
    });
    let Some((wanted, within)) = into_item else {
        return serde_json::from_slice::<Value>(body)
            .ok()?
            .pointer(pointer)
            .cloned();
    };
    let mut found = None;
    match walk(body, |index, item| {
        if index == wanted {
            found = Some(item);
        }
    }) {
        Ok(Walk::Envelope { .. }) => {}
        Ok(Walk::Whole(value)) => return value.pointer(pointer).cloned(),
        Err(WalkError::DuplicateList) => {
            return serde_json::from_slice::<Value>(body)
                .ok()?
                .pointer(pointer)
                .cloned();
        }
        Err(WalkError::Json(_)) => return None,
    }
    let item = found?;
    if within.is_empty() {
        Some(item)
    } else {
        item.pointer(&format!("/{within}")).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items_of(body: &str) -> (Result<Walk, String>, Vec<(usize, Value)>) {
        let mut seen = Vec::new();
        let walked = walk(body.as_bytes(), |i, v| seen.push((i, v))).map_err(|e| match e {
            WalkError::Json(e) => e.to_string(),
            WalkError::DuplicateList => "duplicate".to_owned(),
        });
        (walked, seen)
    }

    #[test]
    fn the_envelope_streams_its_items_and_keeps_the_rest() {
        let (walked, seen) =
            items_of(r#" {"a": 1, "software_deployments": [{"id": "x"}, 2], "b": [true]} "#);
        assert_eq!(
            walked.ok(),
            Some(Walk::Envelope {
                rest: json!({"a": 1, "b": [true]})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                items: 2
            })
        );
        assert_eq!(seen, vec![(0, json!({"id": "x"})), (1, json!(2))]);
    }

    #[test]
    fn other_shapes_come_back_whole() {
        for body in [
            r#"[1, 2]"#,
            r#""x""#,
            r#"{"software_deployments": {"a": [1]}}"#,
            r#"{"software_deployments": null}"#,
            r#"{"deployments": []}"#,
            "{}",
        ] {
            let (walked, seen) = items_of(body);
            let whole: Value = serde_json::from_str(body).unwrap_or_default();
            assert_eq!(walked.ok(), Some(Walk::Whole(whole)), "{body}");
            assert!(seen.is_empty());
        }
    }

    #[test]
    fn what_is_not_json_is_an_error_and_duplicates_say_so() {
        for body in [
            "{",
            r#"{"software_deployments": [1,]}"#,
            r#"{"software_deployments": []} x"#,
            "",
            "{\"a\": NaN}",
        ] {
            assert!(
                matches!(items_of(body).0, Err(ref e) if e != "duplicate"),
                "{body}"
            );
        }
        let (walked, _) = items_of(r#"{"software_deployments": [1], "software_deployments": [2]}"#);
        assert_eq!(walked.err().as_deref(), Some("duplicate"));
        // Deep nesting stays an error, never a stack overflow.
        let deep = format!(
            "{{\"software_deployments\": [{}{}]}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(items_of(&deep).0.is_err());
    }

    #[test]
    fn pointers_into_one_item_are_resolved_on_the_stream() {
        let body = br#"{"software_deployments": [{"server_id": "a"}, {"server_id": "b~/"}], "x": {"y": 1}}"#;
        assert_eq!(
            pointer(body, "/software_deployments/1/server_id"),
            Some(json!("b~/"))
        );
        assert_eq!(
            pointer(body, "/software_deployments/0"),
            Some(json!({"server_id": "a"}))
        );
        assert_eq!(pointer(body, "/software_deployments/2/server_id"), None);
        assert_eq!(pointer(body, "/software_deployments/01/server_id"), None);
        assert_eq!(pointer(body, "/x/y"), Some(json!(1)));
        assert_eq!(pointer(b"[1]", "/software_deployments/0"), None);
        assert_eq!(pointer(b"not json", "/software_deployments/0"), None);
    }
}
