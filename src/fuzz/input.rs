//! What one fuzz case sends: the `server_id` part of the query, decoded and as it goes on
//! the wire.
//!
//! The wire form is built by hand ([`Input::wire_query`]) rather than by a URL library, so
//! that percent escapes of bytes that are not UTF-8, a repeated parameter and a parameter
//! without `=` reach the target exactly as generated:
//!
//! | input | wire query |
//! |---|---|
//! | `One(Text("a b'"))` | `server_id=a%20b%27` |
//! | `One(Bytes([0xFF]))` | `server_id=%FF` |
//! | `Repeated(Text("a"), Text("b"))` | `server_id=a&server_id=b` |
//! | `NoValue` | `server_id` |
//!
//! ```
//! use sdconform::fuzz::{Input, Value};
//!
//! let input = Input::One(Value::from_bytes(vec![b'%', b'4', b'1', 0xFF]));
//! assert_eq!(input.wire_query(), "server_id=%2541%FF");
//! assert!(!input.is_utf8());
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::http;

/// The query parameter every fuzz case varies.
pub const PARAM: &str = "server_id";

/// One decoded value of `server_id`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// Text: the decoded parameter is this string.
    Text(String),
    /// Bytes that are not UTF-8 (sent as `%XX` escapes): the parameter decodes to no string.
    Bytes(Vec<u8>),
}

impl Value {
    /// A value from raw bytes: [`Value::Text`] when they are UTF-8, else [`Value::Bytes`].
    pub fn from_bytes(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(text) => Value::Text(text),
            Err(e) => Value::Bytes(e.into_bytes()),
        }
    }

    /// The decoded bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Value::Text(text) => text.as_bytes(),
            Value::Bytes(bytes) => bytes,
        }
    }

    /// The decoded string, if the value is UTF-8.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            Value::Bytes(_) => None,
        }
    }

    /// The value as it goes on the wire: every byte outside RFC 3986's unreserved set as `%XX`.
    pub fn wire(&self) -> String {
        http::encode_bytes(self.bytes())
    }

    /// The value for a human: the text itself, or the bytes read lossily (U+FFFD for each
    /// invalid sequence).
    pub fn display(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }

    /// Its length in characters (text) or bytes (not UTF-8).
    pub fn units(&self) -> usize {
        match self {
            Value::Text(text) => text.chars().count(),
            Value::Bytes(bytes) => bytes.len(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) if text.len() > 120 => write!(
                f,
                "Text({:?}… {} chars)",
                text.chars().take(40).collect::<String>(),
                text.chars().count()
            ),
            Value::Text(text) => write!(f, "Text({text:?})"),
            Value::Bytes(_) => write!(f, "Bytes({})", self.wire()),
        }
    }
}

/// How `server_id` appears in one fuzz request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// `?server_id=<value>`.
    One(Value),
    /// `?server_id=<first>&server_id=<second>`.
    Repeated(Value, Value),
    /// `?server_id`: the parameter with no `=` and no value.
    NoValue,
}

impl Input {
    /// A single text value.
    pub fn text(value: impl Into<String>) -> Input {
        Input::One(Value::Text(value.into()))
    }

    /// The query exactly as sent, e.g. `server_id=a%20b`.
    pub fn wire_query(&self) -> String {
        match self {
            Input::One(value) => format!("{PARAM}={}", value.wire()),
            Input::Repeated(first, second) => {
                format!("{PARAM}={}&{PARAM}={}", first.wire(), second.wire())
            }
            Input::NoValue => PARAM.to_owned(),
        }
    }

    /// Whether every value decodes to UTF-8 (the request is well-formed).
    pub fn is_utf8(&self) -> bool {
        match self {
            Input::One(value) => value.text().is_some(),
            Input::Repeated(first, second) => first.text().is_some() && second.text().is_some(),
            Input::NoValue => true,
        }
    }

    /// `single`, `repeated` or `no_value`.
    pub fn shape(&self) -> &'static str {
        match self {
            Input::One(_) => "single",
            Input::Repeated(..) => "repeated",
            Input::NoValue => "no_value",
        }
    }

    /// The decoded parameter for a human: the value (lossy when not UTF-8), the first value of
    /// a repeated parameter, or `""` when there is no value.
    pub fn minimal_display(&self) -> String {
        match self {
            Input::One(value) | Input::Repeated(value, _) => value.display(),
            Input::NoValue => String::new(),
        }
    }

    /// Every decoded value, for a human (lossy when not UTF-8).
    pub fn values_display(&self) -> Vec<String> {
        match self {
            Input::One(value) => vec![value.display()],
            Input::Repeated(first, second) => vec![first.display(), second.display()],
            Input::NoValue => Vec::new(),
        }
    }

    /// The values, in order.
    pub fn values(&self) -> Vec<&Value> {
        match self {
            Input::One(value) => vec![value],
            Input::Repeated(first, second) => vec![first, second],
            Input::NoValue => Vec::new(),
        }
    }

    /// The same shape with new values (as many as [`Input::values`] returned).
    pub fn with_values(&self, mut values: Vec<Value>) -> Input {
        match self {
            Input::One(_) => values.pop().map_or_else(|| self.clone(), Input::One),
            Input::Repeated(..) => {
                let second = values.pop();
                let first = values.pop();
                match (first, second) {
                    (Some(first), Some(second)) => Input::Repeated(first, second),
                    _ => self.clone(),
                }
            }
            Input::NoValue => Input::NoValue,
        }
    }

    /// The form stored in the regressions file.
    pub fn stored(&self) -> StoredInput {
        let stored = |value: &Value| match value {
            Value::Text(text) => StoredValue::Text(text.clone()),
            Value::Bytes(bytes) => StoredValue::Hex(hex(bytes)),
        };
        match self {
            Input::One(value) => StoredInput::Single {
                value: stored(value),
            },
            Input::Repeated(first, second) => StoredInput::Repeated {
                first: stored(first),
                second: stored(second),
            },
            Input::NoValue => StoredInput::NoValue,
        }
    }
}

/// An [`Input`] as the regressions file stores it.
///
/// ```json
/// { "shape": "single", "value": { "text": "'" } }
/// { "shape": "single", "value": { "hex": "fffe" } }
/// { "shape": "repeated", "first": { "text": "a" }, "second": { "text": "b" } }
/// { "shape": "no_value" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoredInput {
    /// `?server_id=<value>`.
    Single {
        /// The value.
        value: StoredValue,
    },
    /// `?server_id=<first>&server_id=<second>`.
    Repeated {
        /// The first value.
        first: StoredValue,
        /// The second value.
        second: StoredValue,
    },
    /// `?server_id`.
    NoValue,
}

/// One stored value: text, or the hexadecimal bytes of a value that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StoredValue {
    /// A UTF-8 value.
    Text(String),
    /// Bytes, two lowercase hexadecimal digits each.
    Hex(String),
}

impl StoredInput {
    /// The input, or why the stored form is not one.
    pub fn input(&self) -> Result<Input, String> {
        let value = |stored: &StoredValue| match stored {
            StoredValue::Text(text) => Ok(Value::Text(text.clone())),
            StoredValue::Hex(digits) => unhex(digits).map(Value::from_bytes),
        };
        Ok(match self {
            StoredInput::Single { value: v } => Input::One(value(v)?),
            StoredInput::Repeated { first, second } => {
                Input::Repeated(value(first)?, value(second)?)
            }
            StoredInput::NoValue => Input::NoValue,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(digits: &str) -> Result<Vec<u8>, String> {
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "{digits:?} has an odd number of hexadecimal digits"
        ));
    }
    digits
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("{digits:?} is not hexadecimal"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_queries() {
        let table = [
            (Input::text("a b'"), "server_id=a%20b%27"),
            (Input::text(""), "server_id="),
            (Input::text("%41+"), "server_id=%2541%2B"),
            (
                Input::One(Value::from_bytes(vec![0xFF, 0xFE])),
                "server_id=%FF%FE",
            ),
            (
                Input::Repeated(Value::Text("a".into()), Value::Text("é".into())),
                "server_id=a&server_id=%C3%A9",
            ),
            (Input::NoValue, "server_id"),
        ];
        for (input, wire) in table {
            assert_eq!(input.wire_query(), wire, "{input:?}");
        }
    }

    #[test]
    fn bytes_that_are_utf8_become_text() {
        assert_eq!(Value::from_bytes(b"ok".to_vec()), Value::Text("ok".into()));
        assert!(matches!(Value::from_bytes(vec![0xC3]), Value::Bytes(_)));
        assert_eq!(Value::from_bytes(vec![b'a', 0xFF]).display(), "a\u{FFFD}");
    }

    #[test]
    fn stored_inputs_round_trip() {
        for input in [
            Input::text("'"),
            Input::One(Value::from_bytes(vec![0xFF, 0x00, 0xC3])),
            Input::Repeated(Value::Text("a".into()), Value::Text(String::new())),
            Input::NoValue,
        ] {
            let json = serde_json::to_string(&input.stored()).unwrap_or_default();
            let back: Result<StoredInput, _> = serde_json::from_str(&json);
            assert_eq!(
                back.ok().and_then(|s| s.input().ok()),
                Some(input.clone()),
                "{json}"
            );
        }
        assert!(unhex("f").is_err());
        assert!(unhex("zz").is_err());
        let bad: Result<StoredInput, _> =
            serde_json::from_str(r#"{"shape":"single","value":{"text":"a"},"x":1}"#);
        assert!(bad.is_err());
    }
}
