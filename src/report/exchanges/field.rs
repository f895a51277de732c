//! `--redact-field POINTER`: body fields a user considers secret (deployments'
//! `input_values` may hold passwords), blanked before a body is recorded.
//!
//! A pattern is an RFC 6901 JSON pointer in which a `*` token stands for every
//! array item and every object member. The value it names is replaced in the
//! body's text by a blank of the same JSON type, and everything else is kept
//! byte for byte, so a recheck of the recorded body reads what the target sent
//! except the blanked values:
//!
//! ```text
//! --redact-field /software_deployments/*/input_values
//! {"software_deployments": [{"id": "a", "input_values": {"password": "x"}}]}
//!   → {"software_deployments": [{"id": "a", "input_values": {}}]}
//! ```
//!
//! | value | blank |
//! |---|---|
//! | string | `"<redacted>"` |
//! | object, array | `{}`, `[]` |
//! | number, boolean, null | `0`, `false`, `null` |

use std::fmt;
use std::str::FromStr;

use jsonc_parser::CollectOptions;
use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;

/// One `--redact-field` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPattern {
    /// As the user wrote it.
    text: String,
    /// Its reference tokens, unescaped; `None` is `*`.
    tokens: Vec<Option<String>>,
}

impl FromStr for FieldPattern {
    type Err = String;

    fn from_str(text: &str) -> Result<FieldPattern, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "{text:?} is not a JSON pointer: it must start with `/` (e.g. /software_deployments/*/input_values)"
            ));
        };
        let mut tokens = Vec::new();
        for token in rest.split('/') {
            if token == "*" {
                tokens.push(None);
                continue;
            }
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    _ => {
                        return Err(format!(
                            "{text:?}: `~` must be followed by 0 or 1 in a JSON pointer"
                        ));
                    }
                }
            }
            tokens.push(Some(out));
        }
        Ok(FieldPattern {
            text: text.to_owned(),
            tokens,
        })
    }
}

impl fmt::Display for FieldPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A body after [`blank`]: its new bytes and the pointers of what was blanked.
#[derive(Debug, PartialEq, Eq)]
pub struct Blanked {
    /// The body with every matched value blanked (the input when nothing matched).
    pub bytes: Vec<u8>,
    /// The concrete JSON pointers blanked, in document order.
    pub pointers: Vec<String>,
}

/// Blanks every value of `body` that a pattern names; `None` when the body is
/// not JSON (so the fields cannot be found, and the caller leaves it out).
pub fn blank(body: &[u8], patterns: &[FieldPattern]) -> Option<Blanked> {
    // serde_json first: strict, and its depth limit keeps the recursive walk
    // below safe from a hostile nesting.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let text = std::str::from_utf8(body).ok()?;
    let parsed = jsonc_parser::parse_to_ast(
        text,
        &CollectOptions::default(),
        &crate::jsonfile::locate::STRICT_JSON,
    )
    .ok()?;
    let root = parsed.value?;
    let mut found = Vec::new();
    for pattern in patterns {
        walk(&root, &pattern.tokens, &mut String::new(), &mut found);
    }
    // Document order; a match inside another is covered by it.
    found.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut kept: Vec<Match> = Vec::new();
    for m in found {
        if kept.last().is_some_and(|last| m.start < last.end) {
            continue;
        }
        kept.push(m);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in &kept {
        out.push_str(text.get(at..m.start)?);
        out.push_str(m.blank);
        at = m.end;
    }
    out.push_str(text.get(at..)?);
    Some(Blanked {
        bytes: out.into_bytes(),
        pointers: kept.into_iter().map(|m| m.pointer).collect(),
    })
}

/// One value to blank.
struct Match {
    start: usize,
    end: usize,
    blank: &'static str,
    pointer: String,
}

/// `secret::REDACTED` as a JSON string (it has no character JSON escapes; a test keeps it so).
const REDACTED_STRING: &str = "\"<redacted>\"";

fn walk(value: &Value<'_>, tokens: &[Option<String>], pointer: &mut String, out: &mut Vec<Match>) {
    let Some((token, rest)) = tokens.split_first() else {
        out.push(Match {
            start: value.start(),
            end: value.end(),
            blank: match value {
                Value::StringLit(_) => REDACTED_STRING,
                Value::NumberLit(_) => "0",
                Value::BooleanLit(_) => "false",
                Value::NullKeyword(_) => "null",
                Value::Object(_) => "{}",
                Value::Array(_) => "[]",
            },
            pointer: pointer.clone(),
        });
        return;
    };
    let depth = pointer.len();
    match value {
        Value::Object(object) => {
            // Every member of the name, duplicates included: whichever a
            // reader keeps, it is blank.
            for property in &object.properties {
                let name = property.name.as_str();
                if token.as_deref().is_none_or(|t| t == name) {
                    pointer.push('/');
                    pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                    walk(&property.value, rest, pointer, out);
                    pointer.truncate(depth);
                }
            }
        }
        Value::Array(array) => {
            for (index, element) in array.elements.iter().enumerate() {
                let wanted = match token {
                    None => true,
                    Some(t) => t.parse::<usize>().ok() == Some(index) && !t.starts_with('+'),
                };
                if wanted {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    walk(element, rest, pointer, out);
                    pointer.truncate(depth);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::REDACTED;

    fn patterns(texts: &[&str]) -> Vec<FieldPattern> {
        texts
            .iter()
            .map(|t| t.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    fn blanked(body: &str, texts: &[&str]) -> (String, Vec<String>) {
        let out = blank(body.as_bytes(), &patterns(texts)).unwrap_or_else(|| panic!("not JSON"));
        (
            String::from_utf8(out.bytes).unwrap_or_default(),
            out.pointers,
        )
    }

    #[test]
    fn the_blank_is_the_redaction_marker() {
        assert_eq!(REDACTED_STRING, format!("\"{REDACTED}\""));
        assert_eq!(
            serde_json::to_string(REDACTED).unwrap_or_default(),
            REDACTED_STRING
        );
    }

    #[test]
    fn a_star_names_every_item_and_the_rest_is_kept_byte_for_byte() {
        let body = r#"{"software_deployments": [
  {"id": "a", "input_values": {"password": "hunter22"}, "n": 1},
  {"id": "b", "input_values": null,   "n": 2}
] , "x":"y"}"#;
        let (text, pointers) = blanked(body, &["/software_deployments/*/input_values"]);
        assert_eq!(
            text,
            r#"{"software_deployments": [
  {"id": "a", "input_values": {}, "n": 1},
  {"id": "b", "input_values": null,   "n": 2}
] , "x":"y"}"#
        );
        assert_eq!(
            pointers,
            [
                "/software_deployments/0/input_values",
                "/software_deployments/1/input_values"
            ]
        );
        let (text, _) = blanked(body, &["/software_deployments/1/id", "/*"]);
        assert_eq!(text, r#"{"software_deployments": [] , "x":"<redacted>"}"#);
        let (text, pointers) = blanked(
            r#"{"a/b": 1, "c~d": true, "e": [1.5]}"#,
            &["/a~1b", "/c~0d", "/e/0"],
        );
        assert_eq!(text, r#"{"a/b": 0, "c~d": false, "e": [0]}"#);
        assert_eq!(pointers, ["/a~1b", "/c~0d", "/e/0"]);
    }

    #[test]
    fn duplicate_members_are_all_blanked() {
        let (text, _) = blanked(r#"{"k": "one", "k": "two"}"#, &["/k"]);
        assert_eq!(text, r#"{"k": "<redacted>", "k": "<redacted>"}"#);
    }

    #[test]
    fn nothing_matched_changes_nothing_and_non_json_is_refused() {
        let body = "{\"a\":\t[1,2]}";
        assert_eq!(
            blanked(body, &["/b", "/a/7", "/a/x"]),
            (body.to_owned(), vec![])
        );
        for not_json in ["{\"a\": 1,}", "// c\n{}", "{'a': 1}", "\u{ff}", ""] {
            assert_eq!(
                blank(not_json.as_bytes(), &patterns(&["/a"])),
                None,
                "{not_json:?}"
            );
        }
        assert_eq!(blank(&[0xff, b'{', b'}'], &patterns(&["/a"])), None);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(blank(deep.as_bytes(), &patterns(&["/a"])), None);
    }

    #[test]
    fn patterns_are_json_pointers() {
        for bad in ["software_deployments", "/a~2", "/a~"] {
            assert!(bad.parse::<FieldPattern>().is_err(), "{bad}");
        }
        let pattern: FieldPattern = "/a~1b/*/c~0".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pattern.to_string(), "/a~1b/*/c~0");
        assert_eq!(
            pattern.tokens,
            [Some("a/b".to_owned()), None, Some("c~".to_owned())]
        );
    }
}
