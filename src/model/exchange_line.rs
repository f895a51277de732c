//! One exchange as evidence: a line of `exchanges.ndjson`
//! (`schemas/exchange.schema.json`), whether the harness sent it (a case, a
//! fuzz input) or somebody else did and a capture holds it (a HAR entry).
//!
//! The checks are pure functions of exchanges, so a run can be re-derived from
//! these lines; they are written by `report::exchanges` and read back by
//! `capture`. Secrets are never in them (the writer scrubs every spelling).
//!
//! ```json
//! { "schema_version": "1.0", "seq": 3, "source": { "case": "list-all" },
//!   "request": { "method": "GET", "url": "http://127.0.0.1:8004/v1/95d0.../software_deployments",
//!                "headers": [["x-auth-token", "<redacted>"]] },
//!   "response": { "status": 200, "headers": [["content-type", "application/json"]],
//!                 "body": { "size": 28, "sha256": "9f1c...", "encoding": "utf-8",
//!                           "text": "{\"software_deployments\": []}" } },
//!   "started": "2026-01-31T15:12:36.120Z", "elapsed_ms": 3.2 }
//! ```
//!
//! A body is stored in one of three ways: inline (`encoding` `utf-8` or
//! `base64`, and `text`), as the same bytes as an earlier line's (`same_as`,
//! that line's `seq`: identical bodies are stored once), or left out
//! (`body_omitted`, why: past the recording budget, or not in the capture).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::exchange::RequestRecord;

/// The version of the line format this build writes and reads.
pub const EXCHANGE_SCHEMA_VERSION: &str = "1.0";

/// One request and, when there was one, its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeLine {
    /// [`EXCHANGE_SCHEMA_VERSION`].
    pub schema_version: String,
    /// 0-based position among the file's exchanges; `same_as` refers to it.
    pub seq: u64,
    /// Who sent the request: a case, a fuzz input, a capture's entry.
    pub source: Source,
    /// The request as it went on the wire, credentials redacted.
    pub request: RequestRecord,
    /// The response; absent when none came (a HAR entry with status 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseLine>,
    /// When the request started (RFC 3339), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// Time from the start of the request to the end of the body, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<f64>,
    /// Why the exchange cannot be checked (no response, a body the capture
    /// truncated or left out); checks that need what is missing are not exercised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_exercisable: Option<String>,
}

/// Who sent the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// A case of the suite, by id: `{"case": "list-all"}`.
    Case(String),
    /// A fuzz input, as its wire query: `{"fuzz": "server_id=%FF"}`; the
    /// empty query is the unfiltered list the fuzz phase fetches first.
    Fuzz(String),
    /// An input tried while shrinking a fuzz failure, as its wire query:
    /// `{"fuzz_shrink": "server_id=%FF"}`. Kept apart so that a recheck judges
    /// the properties on what generation and replay sent, as the run did, and
    /// looks among these only for smaller failing inputs.
    FuzzShrink(String),
    /// Entry `n` (0-based) of a HAR capture's `log.entries`: `{"har_entry": 12}`.
    HarEntry(u64),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Case(id) => write!(f, "case {id}"),
            Source::Fuzz(query) if query.is_empty() => {
                f.write_str("the fuzz phase's unfiltered list")
            }
            Source::Fuzz(query) => write!(f, "fuzz input {query}"),
            Source::FuzzShrink(query) => write!(f, "fuzz shrinking candidate {query}"),
            Source::HarEntry(n) => write!(f, "HAR entry {n}"),
        }
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseLine {
    /// The status code.
    pub status: u16,
    /// Every header in order, duplicates kept; credential headers redacted.
    pub headers: Vec<(String, String)>,
    /// The body, decoded (no `Content-Encoding`).
    pub body: Body,
}

/// A response body and how it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BodyWire", into = "BodyWire")]
pub struct Body {
    /// Its size in bytes: of the bytes stored (or stored earlier); for a body
    /// left out, of the body as received, when known.
    pub size: u64,
    /// Lowercase hex SHA-256 of those bytes, when known.
    pub sha256: Option<String>,
    /// The target sent more than these bytes: the harness stopped reading (its
    /// body cap) or the capture kept only a prefix.
    pub truncated: bool,
    /// The JSON pointers of the fields `--redact-field` blanked in it.
    pub redacted_fields: Vec<String>,
    /// Where the bytes are.
    pub content: BodyContent,
}

/// Where a body's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyContent {
    /// Here: the bytes themselves.
    Inline(Vec<u8>),
    /// The same bytes as the body of the line with this `seq`.
    SameAs(u64),
    /// Not recorded, and why.
    Omitted(String),
}

impl Body {
    /// `bytes` stored inline, with their size and hash.
    pub fn inline(bytes: Vec<u8>, truncated: bool) -> Body {
        Body {
            size: bytes.len() as u64,
            sha256: Some(sha256_hex(&bytes)),
            truncated,
            redacted_fields: Vec::new(),
            content: BodyContent::Inline(bytes),
        }
    }

    /// A body that is not recorded, `why`; `size` and `sha256` when known.
    pub fn omitted(size: u64, sha256: Option<String>, why: impl Into<String>) -> Body {
        Body {
            size,
            sha256,
            truncated: false,
            redacted_fields: Vec::new(),
            content: BodyContent::Omitted(why.into()),
        }
    }

    /// The bytes, when they are stored in this line.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.content {
            BodyContent::Inline(bytes) => Some(bytes),
            _ => None,
        }
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// How inline bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Encoding {
    /// The bytes are UTF-8: `text` is them.
    #[serde(rename = "utf-8")]
    Utf8,
    /// They are not: `text` is their standard base64 (with padding).
    #[serde(rename = "base64")]
    Base64,
}

/// A body as the line format spells it: one flat object.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyWire {
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    truncated: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    redacted_fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<Encoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    same_as: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_omitted: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !value
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl TryFrom<BodyWire> for Body {
    type Error = String;

    fn try_from(wire: BodyWire) -> Result<Body, String> {
        if let Some(hash) = &wire.sha256
            && !is_sha256_hex(hash)
        {
            return Err(format!("sha256 {hash:?} is not 64 lowercase hex digits"));
        }
        let content = match (wire.encoding, wire.text, wire.same_as, wire.body_omitted) {
            (Some(encoding), Some(text), None, None) => {
                let bytes = match encoding {
                    Encoding::Utf8 => text.into_bytes(),
                    Encoding::Base64 => STANDARD
                        .decode(text.as_bytes())
                        .map_err(|e| format!("text is not base64: {e}"))?,
                };
                if bytes.len() as u64 != wire.size {
                    return Err(format!(
                        "size is {} but the text holds {} byte(s)",
                        wire.size,
                        bytes.len()
                    ));
                }
                let actual = sha256_hex(&bytes);
                match &wire.sha256 {
                    Some(hash) if *hash == actual => {}
                    Some(hash) => {
                        return Err(format!(
                            "sha256 {hash} does not match the text (whose sha256 is {actual})"
                        ));
                    }
                    None => return Err("an inline body needs its sha256".to_owned()),
                }
                BodyContent::Inline(bytes)
            }
            (None, None, Some(seq), None) => {
                if wire.sha256.is_none() {
                    return Err("a body stored earlier (same_as) needs its sha256".to_owned());
                }
                BodyContent::SameAs(seq)
            }
            (None, None, None, Some(why)) => BodyContent::Omitted(why),
            _ => {
                return Err(
                    "a body has exactly one of: encoding and text; same_as; body_omitted"
                        .to_owned(),
                );
            }
        };
        Ok(Body {
            size: wire.size,
            sha256: wire.sha256,
            truncated: wire.truncated,
            redacted_fields: wire.redacted_fields,
            content,
        })
    }
}

impl From<Body> for BodyWire {
    fn from(body: Body) -> BodyWire {
        let mut wire = BodyWire {
            size: body.size,
            sha256: body.sha256,
            truncated: body.truncated,
            redacted_fields: body.redacted_fields,
            encoding: None,
            text: None,
            same_as: None,
            body_omitted: None,
        };
        match body.content {
            BodyContent::Inline(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    wire.encoding = Some(Encoding::Utf8);
                    wire.text = Some(text);
                }
                Err(e) => {
                    wire.encoding = Some(Encoding::Base64);
                    wire.text = Some(STANDARD.encode(e.as_bytes()));
                }
            },
            BodyContent::SameAs(seq) => wire.same_as = Some(seq),
            BodyContent::Omitted(why) => wire.body_omitted = Some(why),
        }
        wire
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(body: Body) -> ExchangeLine {
        ExchangeLine {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            seq: 0,
            source: Source::Case("list-all".to_owned()),
            request: RequestRecord {
                method: "GET".to_owned(),
                url: "http://127.0.0.1:8004/v1/p/software_deployments".to_owned(),
                headers: vec![("x-auth-token".to_owned(), "<redacted>".to_owned())],
            },
            response: Some(ResponseLine {
                status: 200,
                headers: vec![("content-type".to_owned(), "application/json".to_owned())],
                body,
            }),
            started: None,
            elapsed_ms: Some(1.5),
            not_exercisable: None,
        }
    }

    fn round_trip(body: Body) -> (String, ExchangeLine) {
        let text = serde_json::to_string(&line(body)).unwrap_or_else(|e| panic!("{e}"));
        let back: ExchangeLine = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        (text, back)
    }

    #[test]
    fn utf8_bodies_are_text_and_others_base64() {
        let (text, back) = round_trip(Body::inline(b"{\"a\": 1}".to_vec(), false));
        assert!(
            text.contains(r#""encoding":"utf-8","text":"{\"a\": 1}""#),
            "{text}"
        );
        assert_eq!(back, line(Body::inline(b"{\"a\": 1}".to_vec(), false)));
        let (text, back) = round_trip(Body::inline(vec![0xff, 0x00, b'a'], true));
        assert!(
            text.contains(r#""encoding":"base64","text":"/wBh""#),
            "{text}"
        );
        assert!(text.contains(r#""truncated":true"#), "{text}");
        assert_eq!(
            back.response.map(|r| r.body.bytes().map(<[u8]>::to_vec)),
            Some(Some(vec![0xff, 0, b'a']))
        );
    }

    #[test]
    fn the_hash_is_the_well_known_sha256() {
        // FIPS 180-2's "abc" example.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn inconsistent_bodies_are_refused() {
        let good = serde_json::to_value(line(Body::inline(b"hello".to_vec(), false)))
            .unwrap_or_else(|e| panic!("{e}"));
        let cases: [(&str, serde_json::Value, &str); 5] = [
            ("/response/body/text", "hellO".into(), "does not match"),
            ("/response/body/size", 4.into(), "size is 4"),
            ("/response/body/sha256", "ABC".into(), "64 lowercase hex"),
            ("/response/body/same_as", 0.into(), "exactly one of"),
            (
                "/response/body/encoding",
                "latin-1".into(),
                "unknown variant",
            ),
        ];
        for (pointer, value, expected) in cases {
            let mut bad = good.clone();
            if let Some(slot) = bad.pointer_mut(pointer) {
                *slot = value;
            } else if let Some(serde_json::Value::Object(body)) = bad.pointer_mut("/response/body")
            {
                body.insert(
                    pointer.rsplit('/').next().unwrap_or_default().to_owned(),
                    value,
                );
            }
            let error = serde_json::from_value::<ExchangeLine>(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains(expected), "{pointer}: {error}");
        }
    }

    #[test]
    fn bodies_stored_elsewhere_or_left_out_keep_size_and_hash() {
        let mut same = Body::inline(b"x".repeat(300), false);
        same.content = BodyContent::SameAs(2);
        let (text, back) = round_trip(same.clone());
        assert!(text.contains(r#""same_as":2"#), "{text}");
        assert!(!text.contains("xxx"), "{text}");
        assert_eq!(back.response.map(|r| r.body), Some(same));
        let omitted = Body::omitted(5_000_000, None, "over the recording budget");
        let (text, back) = round_trip(omitted.clone());
        assert!(
            text.contains(r#""body_omitted":"over the recording budget""#),
            "{text}"
        );
        assert_eq!(back.response.map(|r| r.body), Some(omitted));
    }
}
