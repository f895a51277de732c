//! Positions in a JSON file's text: from a JSON pointer or a byte offset to a
//! 1-based `line:column`.
//!
//! Part of `jsonfile`, under every reader of a user's JSON file: they
//! validate a parsed `serde_json::Value`, which has no positions; this module
//! maps the instance pointers of those errors back to the text so that a
//! message reads `cases/filter.json:12:9: /cases/0/request/auth: ...`.
//! Columns count characters, not bytes, so they match what an editor shows.
//!
//! ```text
//! locate("{\n  \"a\": [1, {\"b~1c\": true}]\n}", "/a/1/b~1c") == Some((2, 22))
//! ```

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

/// The 1-based `(line, column)` of the value at the RFC 6901 `pointer` in `text`.
///
/// When the pointer names nothing, the position of its deepest existing
/// ancestor. `None` when `text` is not JSON or `pointer` is neither empty nor
/// starts with `/`.
pub(crate) fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    Locator::new(text)?.value(pointer)
}

/// The 1-based `(line, column)` of `byte_offset` in `text`.
///
/// Only `\n` ends a line (as for `serde_json`); the column counts characters.
/// An offset past the end is the end; one inside a character is that character.
pub(crate) fn line_col(text: &str, byte_offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, byte_offset);
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// Where a `serde_json` syntax error is, as `(line, column, message)`: the
/// column in characters (serde counts bytes), the message without serde's own
/// " at line L column C" suffix (the caller puts the position in front).
pub(crate) fn syntax_error(text: &str, error: &serde_json::Error) -> (usize, usize, String) {
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    let message = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
    // The offending byte is `column - 1` past the start of serde's line.
    let line_start = match error.line() {
        0 | 1 => 0,
        line => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(newline, _)| newline + 1),
    };
    let (line, column) = line_col(
        text,
        line_start.saturating_add(error.column().saturating_sub(1)),
    );
    (line, column, message)
}

/// The text of one JSON document, parsed once, for many position look-ups.
pub(crate) struct Locator<'a> {
    text: &'a str,
    root: Value<'a>,
    /// Byte offset of the start of every line, ascending; the first is 0.
    line_starts: Vec<usize>,
}

/// jsonc-parser's options for plain JSON (RFC 8259): none of its extensions.
pub(crate) const STRICT_JSON: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

impl<'a> Locator<'a> {
    /// Parses `text` strictly as JSON; `None` when it is not JSON.
    pub(crate) fn new(text: &'a str) -> Option<Locator<'a>> {
        let parsed =
            jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &STRICT_JSON).ok()?;
        let root = parsed.value?;
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(newline, _)| newline + 1))
            .collect();
        Some(Locator {
            text,
            root,
            line_starts,
        })
    }

    /// The position of the value at `pointer`, or of its deepest existing ancestor.
    pub(crate) fn value(&self, pointer: &str) -> Option<(usize, usize)> {
        let found = self.find(pointer)?;
        Some(self.line_col(found.value.start()))
    }

    /// The position of the member name (the key) at `pointer` when its parent
    /// is an object that has it; otherwise as [`Locator::value`].
    pub(crate) fn key(&self, pointer: &str) -> Option<(usize, usize)> {
        let found = self.find(pointer)?;
        let start = match found.member {
            Some(member) if found.complete => member.range.start,
            _ => found.value.start(),
        };
        Some(self.line_col(start))
    }

    /// The 1-based `(line, column)` of `byte_offset`, as [`line_col`].
    pub(crate) fn line_col(&self, byte_offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, byte_offset);
        // `line_starts[0] == 0 <= offset`, so the partition point is at least 1.
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        (line, column)
    }

    /// Walks `pointer` as far as the document allows.
    fn find(&self, pointer: &str) -> Option<Found<'_, 'a>> {
        let mut found = Found {
            value: &self.root,
            member: None,
            complete: true,
        };
        if pointer.is_empty() {
            return Some(found);
        }
        let rest = pointer.strip_prefix('/')?;
        for token in rest.split('/') {
            let Some(token) = unescape(token) else {
                found.complete = false;
                break;
            };
            let next = match found.value {
                Value::Object(object) => object
                    .properties
                    .iter()
                    // The last duplicate wins, as in `serde_json::Value`.
                    .rfind(|property| property.name.as_str() == token)
                    .map(|property| (&property.value, Some(property))),
                Value::Array(array) => array_index(&token)
                    .and_then(|index| array.elements.get(index))
                    .map(|element| (element, None)),
                _ => None,
            };
            match next {
                Some((value, member)) => {
                    found.value = value;
                    found.member = member;
                }
                None => {
                    found.complete = false;
                    break;
                }
            }
        }
        Some(found)
    }
}

/// How far a pointer walk got.
struct Found<'l, 'a> {
    /// The deepest value reached.
    value: &'l Value<'a>,
    /// The object member holding `value`, when its parent is an object.
    member: Option<&'l ObjectProp<'a>>,
    /// Whether the whole pointer was resolved.
    complete: bool,
}

/// Decodes one reference token (`~1` is `/`, `~0` is `~`); `None` for a lone `~`.
fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// An RFC 6901 array index: `0` or digits without a leading zero (`-` names no element).
fn array_index(token: &str) -> Option<usize> {
    let canonical = token == "0"
        || (!token.is_empty()
            && !token.starts_with('0')
            && token.bytes().all(|b| b.is_ascii_digit()));
    if canonical { token.parse().ok() } else { None }
}

/// The largest character boundary at or before `offset`, clamped to the text.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "cases": [
    { "id": "a", "request": { "path": "/x" } },
    {
      "id": "b",
      "a/b": 1, "m~n": [true, null],
      "é😀": "ünï", "k": 2
    }
  ]
}"#;

    #[test]
    fn locate_walks_objects_arrays_and_escapes() {
        let table: &[(&str, Option<(usize, usize)>)] = &[
            ("", Some((1, 1))),
            ("/cases", Some((2, 12))),
            ("/cases/0", Some((3, 5))),
            ("/cases/0/id", Some((3, 13))),
            ("/cases/0/request/path", Some((3, 39))),
            ("/cases/1", Some((4, 5))),
            ("/cases/1/a~1b", Some((6, 14))),
            ("/cases/1/m~0n", Some((6, 24))),
            ("/cases/1/m~0n/1", Some((6, 31))),
            // Columns count characters: "é😀" is 6 bytes but 2 characters.
            ("/cases/1/é😀", Some((7, 13))),
            ("/cases/1/k", Some((7, 25))),
            // Missing: the deepest existing ancestor.
            ("/cases/0/request/query/0", Some((3, 29))),
            ("/cases/7/id", Some((2, 12))),
            ("/cases/01", Some((2, 12))),
            ("/cases/-", Some((2, 12))),
            ("/cases/1/a/b", Some((4, 5))),
            ("/cases/1/m~2n", Some((4, 5))),
            ("/cases/0/id/deeper", Some((3, 13))),
            // Not a pointer.
            ("cases", None),
        ];
        for (pointer, expected) in table {
            assert_eq!(locate(DOC, pointer), *expected, "pointer {pointer:?}");
        }
    }

    #[test]
    fn key_points_at_member_names() {
        let locator = Locator::new(DOC).unwrap();
        assert_eq!(locator.key("/cases/1/k"), Some((7, 20)));
        assert_eq!(locator.key("/cases/1/é😀"), Some((7, 7)));
        // Array elements and missing members fall back to the value.
        assert_eq!(locator.key("/cases/1"), Some((4, 5)));
        assert_eq!(locator.key("/cases/1/nope"), Some((4, 5)));
    }

    #[test]
    fn escaped_key_text_matches_decoded_name() {
        let text = "{\"a\\/b\": {\"\\u00e9\\\"\": 1}}";
        assert_eq!(locate(text, "/a~1b/é\""), Some((1, 23)));
    }

    #[test]
    fn duplicate_keys_resolve_to_the_last_like_serde_json() {
        assert_eq!(locate(r#"{"a": 1, "a": 2}"#, "/a"), Some((1, 15)));
    }

    #[test]
    fn not_json_is_none() {
        assert_eq!(locate("", ""), None);
        assert_eq!(locate("{", ""), None);
        assert_eq!(locate("{\"a\": 1,}", "/a"), None);
        assert_eq!(locate("// c\n{}", ""), None);
    }

    #[test]
    fn line_col_counts_characters_and_clamps() {
        let text = "ab\né😀x\n";
        let table = [
            (0, (1, 1)),
            (2, (1, 3)),
            (3, (2, 1)),
            (5, (2, 2)),
            // Inside the 4-byte emoji: the emoji itself.
            (7, (2, 2)),
            (9, (2, 3)),
            (10, (2, 4)),
            (11, (3, 1)),
            (99, (3, 1)),
        ];
        for (offset, expected) in table {
            assert_eq!(line_col(text, offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn locator_line_col_agrees_with_line_col() {
        let locator = Locator::new(DOC).unwrap();
        for offset in 0..=DOC.len() + 2 {
            assert_eq!(locator.line_col(offset), line_col(DOC, offset), "{offset}");
        }
    }
}
