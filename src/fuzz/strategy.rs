//! The generators of fuzz inputs: proptest strategies, each named, built from small
//! composable parts (character pools, short texts, id mutations).
//!
//! [`catalogue`] takes the server ids discovered in the unfiltered list and returns every
//! [`Named`] strategy with its weight; the engine picks one per case (by weight, with the
//! run's seeded RNG), and the report lists them with how many cases each produced:
//!
//! ```text
//! existing-id           an id from the unfiltered list, exactly          → server_id=ec14c864-…
//! id-case-flip          an id with some letters' case flipped            → server_id=EC14c864-…
//! reserved-characters   % & = # + / ? ' " \ ; and space among letters    → server_id=a%27%3B%20
//! invalid-utf8          percent escapes of bytes that are not UTF-8      → server_id=ab%C0%80
//! long                  0 to 64 KiB on the wire                          → server_id=aaaa…(60 000)
//! ```
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//! use sdconform::fuzz::strategy;
//!
//! let ids = vec!["ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5".to_owned()];
//! let named = strategy::catalogue(&ids, strategy::MAX_WIRE_QUERY);
//! let flip = named.iter().find(|n| n.name == "id-case-flip").unwrap();
//! let mut runner = TestRunner::deterministic();
//! let input = flip.strategy.new_tree(&mut runner).unwrap().current();
//! assert_ne!(input.wire_query(), format!("server_id={}", ids[0]));
//! ```

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::input::{Input, PARAM, Value};
use crate::http;

/// Longest query a strategy produces on the wire (`server_id=` and the value), in bytes:
/// 64 000, so that with a base URL and path of up to 1.5 KB the URI stays under the 65 534
/// bytes that the `http` crate (and so reqwest and hyper) accepts.
pub const MAX_WIRE_QUERY: usize = 64_000;

/// The longest URI the `http` crate accepts, in bytes.
pub const MAX_URI_BYTES: usize = 65_534;

/// The id whose mutations are sent when the unfiltered list has none (the document's example).
pub const FALLBACK_SERVER_ID: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";

/// One named generator.
pub struct Named {
    /// Kebab-case name, as the report lists it.
    pub name: &'static str,
    /// One line for the report and the README.
    pub description: &'static str,
    /// Relative share of the cases.
    pub weight: u32,
    /// The generator.
    pub strategy: SBoxedStrategy<Input>,
}

impl std::fmt::Debug for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Named")
            .field("name", &self.name)
            .field("weight", &self.weight)
            .finish_non_exhaustive()
    }
}

/// The characters that need percent-encoding in a query value.
pub const RESERVED: [char; 12] = ['%', '&', '=', '#', '+', '/', '?', '\'', '"', '\\', ';', ' '];

/// Whitespace of several kinds (every one is `char::is_whitespace`).
pub const WHITESPACE: [char; 14] = [
    ' ', '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2003}',
    '\u{2028}', '\u{2029}', '\u{202F}', '\u{3000}',
];

/// Multi-byte letters, including some whose case mapping changes their length.
const MULTI_BYTE: [char; 10] = [
    'é',
    'ß',
    'Ж',
    'λ',
    '中',
    '日',
    'ﬁ',
    'İ',
    '\u{212A}',
    '\u{10FFFD}',
];
/// Combining marks.
const COMBINING: [char; 5] = ['\u{0301}', '\u{0308}', '\u{0327}', '\u{036F}', '\u{20DD}'];
/// Right-to-left letters and bidirectional controls.
const RIGHT_TO_LEFT: [char; 7] = ['א', 'ש', 'ع', 'م', '\u{202E}', '\u{200F}', '\u{061C}'];
/// Emoji and their modifiers.
const EMOJI: [char; 7] = ['😀', '🚀', '👍', '\u{1F3FD}', '\u{200D}', '\u{FE0F}', '🇺'];
/// NUL, C0 and C1 control characters.
const CONTROL: [char; 10] = [
    '\0', '\u{1}', '\u{7}', '\u{8}', '\u{1B}', '\u{7F}', '\u{80}', '\u{9F}', '\t', '\n',
];
/// Invisible, special and private characters.
const SPECIAL_UNICODE: [char; 6] = [
    '\u{200B}', '\u{FEFF}', '\u{FFFD}', '\u{FFFE}', '\u{FFFF}', '\u{E000}',
];
/// Sequences that only mean something together.
const SEQUENCES: [&str; 6] = [
    "👨\u{200D}👩\u{200D}👧",
    "🇫🇷",
    "e\u{0301}",
    "\u{202E}dcba",
    "👍🏽",
    "Å\u{030A}",
];

/// Byte sequences that are never UTF-8, whatever ASCII surrounds them.
const INVALID_UTF8: [&[u8]; 12] = [
    &[0x80],
    &[0xBF],
    &[0xC0, 0x80],
    &[0xC1, 0xBF],
    &[0xE0, 0x80, 0x80],
    &[0xED, 0xA0, 0x80],
    &[0xF4, 0x90, 0x80, 0x80],
    &[0xF5],
    &[0xFE],
    &[0xFF],
    &[0xC3],
    &[0xE2, 0x82],
];

/// Already-encoded or malformed escape text, sent as literal text (its `%` encoded again).
const PERCENT_TEXT: [&str; 12] = [
    "%41", "%2541", "%", "%G1", "%%41", "100%", "%2", "%u0041", "%C3", "%00", "a+b", "%2F..%2F",
];

/// Injection-shaped payloads: SQL, shell, path traversal, template syntax and friends.
pub const INJECTION: [&str; 24] = [
    "' OR '1'='1",
    "1; DROP TABLE software_deployment;--",
    "\" OR \"\"=\"",
    "') UNION SELECT id, server_id FROM software_deployment--",
    "1' AND SLEEP(0)--",
    "$(id)",
    "`id`",
    "; ls -la",
    "| cat /etc/passwd",
    "&& echo sdconform",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "..%2F..%2Fetc%2Fpasswd",
    "/etc/passwd%00",
    "{{7*7}}",
    "${7*7}",
    "<%= 7*7 %>",
    "#{7*7}",
    "{% debug %}",
    "<script>alert(1)</script>",
    "*)(uid=*",
    "{\"$ne\": null}",
    "%s%s%s%n",
    "\r\nX-Injected: 1",
];

/// Fillers of long values.
const FILLERS: [&str; 10] = ["a", "0", "-", "é", "中", "😀", "%", " ", "'", "\0"];

/// Lengths long values take: around the usual limits, and anything up to 64 Ki.
fn long_length() -> impl Strategy<Value = usize> {
    prop_oneof![
        0..=300usize,
        250..=5_000usize,
        select(vec![
            255usize, 256, 1_023, 1_024, 2_048, 4_095, 4_096, 8_191, 8_192, 65_535, 65_536,
        ]),
        0..=65_536usize,
    ]
}

/// A letter, digit or hyphen, as ids are made of.
pub fn id_char() -> impl Strategy<Value = char> + Clone {
    select("abcdefABCDEF0123456789-xyz".chars().collect::<Vec<_>>())
}

/// One of [`RESERVED`].
pub fn reserved_char() -> impl Strategy<Value = char> + Clone {
    select(RESERVED.to_vec())
}

/// One of [`WHITESPACE`].
pub fn whitespace_char() -> impl Strategy<Value = char> + Clone {
    select(WHITESPACE.to_vec())
}

/// A character of any Unicode class: multi-byte, combining, right-to-left, emoji, NUL and
/// controls, invisible and special, or any scalar value at all.
pub fn unicode_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        select(MULTI_BYTE.to_vec()),
        select(COMBINING.to_vec()),
        select(RIGHT_TO_LEFT.to_vec()),
        select(EMOJI.to_vec()),
        select(CONTROL.to_vec()),
        select(SPECIAL_UNICODE.to_vec()),
        any::<char>(),
    ]
}

/// Mostly id characters, sometimes reserved, Unicode or whitespace.
pub fn mixed_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        4 => id_char(),
        2 => reserved_char(),
        2 => unicode_char(),
        1 => whitespace_char(),
    ]
}

/// A short string of [`mixed_char`]s.
pub fn short_text(min: usize, max: usize) -> impl Strategy<Value = String> + Clone {
    vec(mixed_char(), min..=max).prop_map(|chars| chars.into_iter().collect())
}

/// A random UUID in one of the spellings servers meet: lowercase, uppercase, without
/// hyphens, in braces.
pub fn uuid_text() -> impl Strategy<Value = String> + Clone {
    (any::<[u8; 16]>(), 0..4u8).prop_map(|(mut bytes, style)| {
        bytes[6] = (bytes[6] & 0x0F) | 0x40;
        bytes[8] = (bytes[8] & 0x3F) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let hyphenated = format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        );
        match style {
            0 => hyphenated,
            1 => hyphenated.to_uppercase(),
            2 => hex,
            _ => format!("{{{hyphenated}}}"),
        }
    })
}

/// One of `ids`.
fn an_id(ids: &[String]) -> impl Strategy<Value = String> + Clone + use<> {
    select(ids.to_vec())
}

/// Flips the ASCII case of the letters whose bit is set in `mask`; all of them when that
/// flips none.
pub fn flip_case(id: &str, mask: u64) -> String {
    let letters = id.chars().filter(char::is_ascii_alphabetic).count();
    let chosen = (0..letters.min(64)).any(|i| mask & (1 << i) != 0);
    let mut seen = 0;
    id.chars()
        .map(|c| {
            if !c.is_ascii_alphabetic() {
                return c;
            }
            let flip = !chosen || (seen < 64 && mask & (1 << seen) != 0);
            seen += 1;
            match (flip, c.is_ascii_lowercase()) {
                (false, _) => c,
                (true, true) => c.to_ascii_uppercase(),
                (true, false) => c.to_ascii_lowercase(),
            }
        })
        .collect()
}

/// The first `n` characters of `text`.
fn prefix(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// `prefix` then `filler` repeated `n` times, cut so that the encoded query stays within
/// `max_wire` bytes.
pub fn long_value(prefix: &str, filler: &str, n: usize, max_wire: usize) -> String {
    let budget = max_wire.saturating_sub(PARAM.len() + 1);
    let mut value = String::new();
    let mut wire = 0;
    let unit = http::encode(filler).len().max(1);
    for c in prefix.chars() {
        let cost = http::encode(c.encode_utf8(&mut [0; 4])).len();
        if wire + cost > budget {
            return value;
        }
        wire += cost;
        value.push(c);
    }
    let room = (budget - wire) / unit;
    value.push_str(&filler.repeat(n.min(room)));
    value
}

/// Every named strategy: mutations of `ids` (the server ids of the unfiltered list; the
/// document's example id stands in when there are none, and `existing-id` is left out), and
/// values whose encoded query is at most `max_wire` bytes.
pub fn catalogue(ids: &[String], max_wire: usize) -> Vec<Named> {
    let known = !ids.is_empty();
    let ids: Vec<String> = if known {
        ids.to_vec()
    } else {
        vec![FALLBACK_SERVER_ID.to_owned()]
    };
    let mut all = Vec::new();
    if known {
        all.push(Named {
            name: "existing-id",
            description: "a server id from the unfiltered list, exactly",
            weight: 2,
            strategy: an_id(&ids).prop_map(Input::text).sboxed(),
        });
    }
    all.extend([
        Named {
            name: "id-case-flip",
            description: "a server id with the case of some of its letters flipped",
            weight: 3,
            strategy: (an_id(&ids), any::<u64>())
                .prop_map(|(id, mask)| Input::text(flip_case(&id, mask)))
                .sboxed(),
        },
        Named {
            name: "id-prefix",
            description: "a proper, non-empty prefix of a server id",
            weight: 3,
            strategy: (an_id(&ids), any::<Index>())
                .prop_map(|(id, at)| {
                    let len = id.chars().count();
                    Input::text(prefix(&id, 1 + at.index(len.saturating_sub(1).max(1))))
                })
                .sboxed(),
        },
        Named {
            name: "id-suffix",
            description: "a server id followed by a few more characters",
            weight: 3,
            strategy: (an_id(&ids), short_text(1, 6))
                .prop_map(|(id, tail)| Input::text(id + &tail))
                .sboxed(),
        },
        Named {
            name: "id-char-changed",
            description: "a server id with one character replaced",
            weight: 3,
            strategy: (an_id(&ids), any::<Index>(), mixed_char())
                .prop_map(|(id, at, with)| {
                    let chars: Vec<char> = id.chars().collect();
                    let at = at.index(chars.len().max(1));
                    let changed: String = chars
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| match (i == at, c == with) {
                            (false, _) => c,
                            (true, false) => with,
                            (true, true) => if c == 'x' { 'y' } else { 'x' },
                        })
                        .collect();
                    Input::text(changed)
                })
                .sboxed(),
        },
        Named {
            name: "id-whitespace",
            description: "a server id with whitespace before, after or around it",
            weight: 3,
            strategy: (
                an_id(&ids),
                vec(whitespace_char(), 0..3),
                vec(whitespace_char(), 0..3),
            )
                .prop_map(|(id, before, after)| {
                    let mut value: String = before.into_iter().collect();
                    let after: String = after.into_iter().collect();
                    if value.is_empty() && after.is_empty() {
                        value.push(' ');
                    }
                    Input::text(value + &id + &after)
                })
                .sboxed(),
        },
        Named {
            name: "random-uuid",
            description: "a random UUID (lowercase, uppercase, without hyphens, in braces)",
            weight: 3,
            strategy: uuid_text().prop_map(Input::text).sboxed(),
        },
        Named {
            name: "empty-or-whitespace",
            description: "the empty value, or whitespace only",
            weight: 2,
            strategy: prop_oneof![
                Just(Input::text("")),
                vec(whitespace_char(), 1..6)
                    .prop_map(|ws| Input::text(ws.into_iter().collect::<String>())),
            ]
            .sboxed(),
        },
        Named {
            name: "unicode",
            description: "multi-byte letters, combining marks, right-to-left text, emoji, NUL and control characters",
            weight: 6,
            strategy: vec(
                prop_oneof![
                    4 => unicode_char().prop_map(String::from),
                    1 => select(SEQUENCES.to_vec()).prop_map(str::to_owned),
                    2 => id_char().prop_map(String::from),
                ],
                1..16,
            )
            .prop_map(|parts| Input::text(parts.concat()))
            .sboxed(),
        },
        Named {
            name: "reserved-characters",
            description: "characters that need percent-encoding (% & = # + / ? ' \" \\ ; and space) among id characters",
            weight: 5,
            strategy: vec(
                prop_oneof![2 => reserved_char(), 1 => id_char()],
                1..12,
            )
            .prop_map(|chars| Input::text(chars.into_iter().collect::<String>()))
            .sboxed(),
        },
        Named {
            name: "percent-encoded-text",
            description: "text that is already percent-encoded, or malformed escapes, sent as literal text",
            weight: 3,
            strategy: prop_oneof![
                an_id(&ids).prop_map(|id| Input::text(http::encode(&id).replace('-', "%2D"))),
                short_text(1, 8).prop_map(|t| Input::text(http::encode(&t))),
                vec(select(PERCENT_TEXT.to_vec()), 1..4).prop_map(|parts| Input::text(parts.concat())),
            ]
            .sboxed(),
        },
        Named {
            name: "invalid-utf8",
            description: "percent escapes that decode to bytes that are not UTF-8 (overlong, surrogate, truncated, 0xFF)",
            weight: 4,
            strategy: (
                vec(id_char(), 0..10),
                any::<Index>(),
                select(INVALID_UTF8.to_vec()),
                1..3usize,
            )
                .prop_map(|(background, at, bad, times)| {
                    let mut bytes: Vec<u8> = background.into_iter().collect::<String>().into_bytes();
                    let at = at.index(bytes.len() + 1);
                    let insert: Vec<u8> = bad.repeat(times);
                    bytes.splice(at..at, insert);
                    Input::One(Value::from_bytes(bytes))
                })
                .sboxed(),
        },
        Named {
            name: "injection",
            description: "SQL, shell, path-traversal and template-shaped strings, alone or after a server id",
            weight: 4,
            strategy: (an_id(&ids), select(INJECTION.to_vec()), any::<bool>())
                .prop_map(|(id, payload, after_id)| {
                    Input::text(if after_id { id + payload } else { payload.to_owned() })
                })
                .sboxed(),
        },
        Named {
            name: "long",
            description: "values from 0 to 64 KiB on the wire (a short prefix, then one filler repeated)",
            weight: 2,
            strategy: (short_text(0, 4), select(FILLERS.to_vec()), long_length())
                .prop_map(move |(head, filler, n)| {
                    Input::text(long_value(&head, filler, n, max_wire))
                })
                .sboxed(),
        },
        Named {
            name: "repeated-parameter",
            description: "server_id twice (server_id=a&server_id=b)",
            weight: 2,
            strategy: (
                prop_oneof![an_id(&ids), uuid_text(), short_text(0, 6)],
                prop_oneof![an_id(&ids), uuid_text(), short_text(0, 6)],
            )
                .prop_map(|(a, b)| Input::Repeated(Value::Text(a), Value::Text(b)))
                .sboxed(),
        },
        Named {
            name: "no-value",
            description: "server_id present with no value and no = (?server_id)",
            weight: 1,
            strategy: Just(Input::NoValue).sboxed(),
        },
    ]);
    all
}

/// The encoded query budget for a target whose URL without query is `url_len` bytes long.
pub fn max_wire_for(url_len: usize) -> usize {
    MAX_WIRE_QUERY.min(MAX_URI_BYTES.saturating_sub(url_len + 1 + 64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;

    const ID: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";

    fn sample(named: &Named, n: usize) -> Vec<Input> {
        let mut runner = TestRunner::deterministic();
        (0..n)
            .filter_map(|_| named.strategy.new_tree(&mut runner).ok())
            .map(|tree| tree.current())
            .collect()
    }

    fn by_name(name: &str) -> Named {
        catalogue(
            &[
                ID.to_owned(),
                "6513270e-269e-4d37-b2a7-4de452e6b438".to_owned(),
            ],
            MAX_WIRE_QUERY,
        )
        .into_iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no strategy {name}"))
    }

    #[test]
    fn names_are_unique_kebab_case_and_described() {
        let all = catalogue(&[ID.to_owned()], MAX_WIRE_QUERY);
        let mut seen = std::collections::BTreeSet::new();
        for named in &all {
            assert!(seen.insert(named.name), "{}", named.name);
            assert!(
                named
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
            );
            assert!(!named.description.is_empty() && named.weight > 0);
        }
        assert_eq!(all.len(), 16);
        let without = catalogue(&[], MAX_WIRE_QUERY);
        assert_eq!(without.len(), 15);
        assert!(without.iter().all(|n| n.name != "existing-id"));
    }

    #[test]
    fn every_wire_query_is_encoded_and_within_the_budget() {
        for named in catalogue(&[ID.to_owned()], MAX_WIRE_QUERY) {
            for input in sample(&named, 64) {
                let wire = input.wire_query();
                assert!(
                    wire.len() <= MAX_WIRE_QUERY,
                    "{}: {}",
                    named.name,
                    wire.len()
                );
                assert!(
                    wire.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)),
                    "{}: {wire}",
                    named.name
                );
            }
        }
    }

    #[test]
    fn strategies_make_what_their_names_say() {
        for input in sample(&by_name("invalid-utf8"), 100) {
            assert!(!input.is_utf8(), "{input:?}");
        }
        for input in sample(&by_name("id-case-flip"), 50) {
            let Input::One(Value::Text(text)) = &input else {
                panic!("{input:?}")
            };
            assert_ne!(text, ID);
            assert!(
                text.eq_ignore_ascii_case(ID)
                    || text.eq_ignore_ascii_case("6513270e-269e-4d37-b2a7-4de452e6b438")
            );
        }
        for input in sample(&by_name("id-prefix"), 50) {
            let Input::One(Value::Text(text)) = &input else {
                panic!("{input:?}")
            };
            assert!(!text.is_empty() && text.len() < ID.len(), "{text}");
        }
        for input in sample(&by_name("id-whitespace"), 50) {
            let Input::One(Value::Text(text)) = &input else {
                panic!("{input:?}")
            };
            assert!(text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace));
        }
        for input in sample(&by_name("empty-or-whitespace"), 50) {
            let Input::One(Value::Text(text)) = &input else {
                panic!("{input:?}")
            };
            assert!(text.chars().all(char::is_whitespace));
        }
        assert!(
            sample(&by_name("repeated-parameter"), 20)
                .iter()
                .all(|i| i.shape() == "repeated")
        );
        assert_eq!(sample(&by_name("no-value"), 3), vec![Input::NoValue; 3]);
        let lengths: Vec<usize> = sample(&by_name("long"), 200)
            .iter()
            .map(|i| i.minimal_display().chars().count())
            .collect();
        assert!(
            lengths.iter().any(|&n| n < 100) && lengths.iter().any(|&n| n > 20_000),
            "{lengths:?}"
        );
        let reserved = sample(&by_name("reserved-characters"), 200);
        for c in RESERVED {
            assert!(
                reserved.iter().any(|i| i.minimal_display().contains(c)),
                "{c:?}"
            );
        }
        let unicode: String = sample(&by_name("unicode"), 300)
            .iter()
            .map(Input::minimal_display)
            .collect();
        assert!(unicode.contains('\0') && unicode.chars().any(|c| c > '\u{FFFF}'));
    }

    #[test]
    fn the_same_seed_generates_the_same_inputs() {
        let all = catalogue(&[ID.to_owned()], MAX_WIRE_QUERY);
        let run = || {
            let mut runner = TestRunner::deterministic();
            let mut out: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for named in &all {
                for _ in 0..10 {
                    if let Ok(tree) = named.strategy.new_tree(&mut runner) {
                        out.entry(named.name)
                            .or_default()
                            .push(tree.current().wire_query());
                    }
                }
            }
            out
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn whitespace_is_whitespace_and_helpers_behave() {
        assert!(WHITESPACE.iter().all(|c| c.is_whitespace()));
        assert_eq!(flip_case("ab-c1", 0), "AB-C1");
        assert_eq!(flip_case("ab-c1", 0b10), "aB-c1");
        assert_eq!(long_value("x", "a", 5, 1_000), "xaaaaa");
        let long = long_value("", "é", 65_536, MAX_WIRE_QUERY);
        assert!(http::encode(&long).len() + 10 <= MAX_WIRE_QUERY);
        assert_eq!(max_wire_for(80), MAX_WIRE_QUERY);
        assert!(max_wire_for(10_000) < MAX_WIRE_QUERY);
    }
}
