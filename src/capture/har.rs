//! HAR 1.2 captures (what browsers' developer tools, mitmproxy, Charles,
//! Fiddler, Insomnia and many API gateways export), read entry by entry into
//! `model::ExchangeLine`s: the file is streamed, so a capture of any size is
//! read in the memory of one entry.
//!
//! How the quirks of real captures are read (`tests/data/har/` holds captures
//! written by the tools, and its README says which):
//!
//! | in the capture | in the line |
//! |---|---|
//! | `content.text`, or `content.encoding: "base64"` | the body's bytes (decoded) |
//! | `content.text` shorter than `content.size`, or a `comment` saying it was truncated | the prefix, `truncated`, not exercisable |
//! | no `content.text` and a non-zero or unknown size (Firefox: "Response bodies are not included.") | `body_omitted`, not exercisable |
//! | `content.size` 0 or smaller than the text (Safari writes 0; some tools the compressed size) | the text is the body |
//! | `status: 0` (aborted, blocked, failed; Chrome adds `_error`) | no response, not exercisable |
//! | headers as arrays, duplicates, HTTP/2 pseudo-headers | kept in order |
//! | a query in `url`, or only in `queryString` | the URL with its query |
//! | credential headers (`Cookie`, `Authorization`, `X-Auth-Token`, ...), a URL's userinfo | `<redacted>`; the values are returned so every output can be scrubbed of them |
//! | `startedDateTime` and `time` | `started` and `elapsed_ms` |
//! | a UTF-8 byte order mark; lone UTF-16 surrogates in strings (Python's surrogate escapes) | read (each lone surrogate becomes one U+FFFD) |
//!
//! A text shorter than `content.size` is read as truncated; a body in UTF-16
//! (which no JSON API sends) would be mistaken for one.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::http::{self, REDACTED};
use crate::jsonfile::FileError;
use crate::model::{
    Body, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RequestRecord, ResponseLine, Source, text,
};
use crate::secret::{RedactError, Secret, Secrets};

/// What a read capture was, besides its entries.
#[derive(Debug, Clone, Default)]
pub struct HarSummary {
    /// `log.version`.
    pub version: Option<String>,
    /// `log.creator` as `name version`: the tool that wrote the capture.
    pub creator: Option<String>,
    /// `log.browser` as `name version`, when present.
    pub browser: Option<String>,
    /// Entries read (and handed over).
    pub entries: u64,
    /// Whether the callback stopped the reading early.
    pub stopped: bool,
    /// The values of the credential headers (and URL passwords) the capture
    /// held, each once: what the outputs of a check must be scrubbed of,
    /// since a target may echo them in a body.
    pub credentials: Vec<Secret>,
}

impl HarSummary {
    /// Adds [`HarSummary::credentials`] to `secrets`; returns those refused
    /// (too short or a word the reports use: scrubbing them would shred the
    /// reports, and the headers that held them are redacted anyway).
    pub fn add_credentials_to(&self, secrets: &mut Secrets) -> Vec<RedactError> {
        self.credentials
            .iter()
            .filter_map(|secret| secrets.add("a credential in the capture", secret).err())
            .collect()
    }
}

/// Reads the HAR file at `path`, handing each entry to `each` as a line (with
/// `seq` its index) until the end or until `each` breaks.
pub fn read_har(
    path: &Path,
    mut each: impl FnMut(ExchangeLine) -> ControlFlow<()>,
) -> Result<HarSummary, FileError> {
    let io = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io)?);
    // A UTF-8 byte order mark (some Windows tools write one) is not JSON.
    if reader.fill_buf().map_err(io)?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut state = State {
        summary: HarSummary::default(),
        credentials: BTreeSet::new(),
        each: &mut each,
        entry: None,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let result = Root(&mut state)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    let mut summary = state.summary;
    match result {
        Ok(()) => {}
        Err(_) if summary.stopped => {}
        Err(error) => {
            let pointer = match state.entry {
                Some(index) => format!("/log/entries/{index}"),
                None => "(the file)".to_owned(),
            };
            let column = char_column(path, error.line(), error.column());
            let message = strip_position(&error);
            return Err(if error.is_syntax() || error.is_eof() {
                FileError::Syntax {
                    file: path.display().to_string(),
                    line: error.line(),
                    column,
                    message,
                }
            } else {
                FileError::Invalid {
                    file: path.display().to_string(),
                    line: error.line(),
                    column,
                    pointer,
                    message,
                }
            });
        }
    }
    summary.credentials = state.credentials.into_iter().map(Secret::new).collect();
    Ok(summary)
}

/// serde_json's message without its " at line L column C".
fn strip_position(error: &serde_json::Error) -> String {
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    message.strip_suffix(&suffix).unwrap_or(&message).to_owned()
}

/// serde_json's byte column on `line` as a column in characters (the file is
/// read again, only on this error path).
fn char_column(path: &Path, line: usize, byte_column: usize) -> usize {
    let Ok(file) = File::open(path) else {
        return byte_column;
    };
    let Some(Ok(text)) = BufReader::new(file)
        .split(b'\n')
        .nth(line.saturating_sub(1))
    else {
        return byte_column;
    };
    let end = byte_column.saturating_sub(1).min(text.len());
    String::from_utf8_lossy(&text[..end]).chars().count() + 1
}

/// The reading's state, shared by the seeds.
struct State<'f> {
    summary: HarSummary,
    credentials: BTreeSet<String>,
    each: &'f mut dyn FnMut(ExchangeLine) -> ControlFlow<()>,
    /// The index of the entry being read, for messages.
    entry: Option<u64>,
}

/// The marker error that unwinds the parser when the callback breaks.
const STOPPED: &str = "stopped by the caller";

struct Root<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR file: an object with a `log`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<Lossy>()? {
            if key.0 == "log" {
                map.next_value_seed(Log(&mut *self.0))?;
                seen = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::custom("no `log` object: this is not a HAR file"))
        }
    }
}

struct Log<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for Log<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Log<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the HAR `log` object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries = false;
        while let Some(key) = map.next_key::<Lossy>()? {
            match key.0.as_str() {
                "version" => {
                    self.0.summary.version = map.next_value::<Option<Lossy>>()?.map(|v| v.0)
                }
                "creator" => {
                    self.0.summary.creator =
                        map.next_value::<Option<Tool>>()?.map(|t| t.to_string())
                }
                "browser" => {
                    self.0.summary.browser =
                        map.next_value::<Option<Tool>>()?.map(|t| t.to_string())
                }
                "entries" => {
                    map.next_value_seed(Entries(&mut *self.0))?;
                    entries = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if self.0.summary.stopped {
                return Err(de::Error::custom(STOPPED));
            }
        }
        if entries {
            Ok(())
        } else {
            Err(de::Error::custom(
                "`log` has no `entries`: this is not a HAR file",
            ))
        }
    }
}

struct Entries<'s, 'f>(&'s mut State<'f>);

impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the array `log.entries`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let index = self.0.summary.entries;
            self.0.entry = Some(index);
            let Some(entry) = seq.next_element::<Entry>()? else {
                break;
            };
            let line = entry.into_line(index, &mut self.0.credentials);
            self.0.summary.entries += 1;
            if (self.0.each)(line).is_break() {
                self.0.summary.stopped = true;
                return Err(de::Error::custom(STOPPED));
            }
        }
        self.0.entry = None;
        Ok(())
    }
}

/// A string read through serde's byte-string path, so that a lone UTF-16
/// surrogate (which Python writes for undecodable bytes) is no error: it
/// becomes U+FFFD.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Lossy(String);

impl<'de> Deserialize<'de> for Lossy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Lossy, D::Error> {
        struct LossyVisitor;
        impl Visitor<'_> for LossyVisitor {
            type Value = Lossy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Lossy, E> {
                Ok(Lossy(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Lossy, E> {
                Ok(Lossy(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Lossy, E> {
                self.visit_byte_buf(v.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Lossy, E> {
                Ok(Lossy(match String::from_utf8(v) {
                    Ok(text) => text,
                    Err(e) => {
                        let mut bytes = e.into_bytes();
                        // serde_json spells a lone surrogate in WTF-8 (ED A0..BF 80..BF):
                        // one U+FFFD (EF BF BD, as long) for each.
                        for at in 0..bytes.len().saturating_sub(2) {
                            if bytes[at] == 0xED
                                && (0xA0..=0xBF).contains(&bytes[at + 1])
                                && (0x80..=0xBF).contains(&bytes[at + 2])
                            {
                                bytes[at..at + 3].copy_from_slice("\u{fffd}".as_bytes());
                            }
                        }
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                }))
            }
        }
        deserializer.deserialize_bytes(LossyVisitor)
    }
}

/// `log.creator` or `log.browser`.
#[derive(Deserialize)]
struct Tool {
    #[serde(default)]
    name: Option<Lossy>,
    #[serde(default)]
    version: Option<Lossy>,
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_ref().map_or("(unnamed)", |n| n.0.as_str());
        match &self.version {
            Some(version) if !version.0.is_empty() => write!(f, "{name} {}", version.0),
            _ => f.write_str(name),
        }
    }
}

/// One of `log.entries`, with only what a line needs (the rest is skipped).
#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "startedDateTime", default)]
    started: Option<Lossy>,
    #[serde(default)]
    time: Option<f64>,
    request: Request,
    #[serde(default)]
    response: Option<Response>,
}

#[derive(Deserialize)]
struct Request {
    method: Lossy,
    url: Lossy,
    #[serde(default)]
    headers: Option<Vec<Pair>>,
    #[serde(rename = "queryString", default)]
    query: Option<Vec<Pair>>,
}

/// A header or a query parameter.
#[derive(Deserialize)]
struct Pair {
    #[serde(default)]
    name: Option<Lossy>,
    #[serde(default)]
    value: Option<Lossy>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: Option<f64>,
    #[serde(default)]
    headers: Option<Vec<Pair>>,
    #[serde(default)]
    content: Option<Content>,
    #[serde(rename = "bodySize", default)]
    body_size: Option<f64>,
    #[serde(rename = "_error", default)]
    error: Option<Lossy>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    size: Option<f64>,
    #[serde(default)]
    text: Option<Lossy>,
    #[serde(default)]
    encoding: Option<Lossy>,
    #[serde(default)]
    comment: Option<Lossy>,
}

/// Header pairs in order, credential values replaced (and kept in `found`).
fn headers(pairs: Option<Vec<Pair>>, found: &mut BTreeSet<String>) -> Vec<(String, String)> {
    pairs
        .unwrap_or_default()
        .into_iter()
        .map(|pair| {
            let name = pair.name.unwrap_or_default().0;
            let value = pair.value.unwrap_or_default().0;
            if http::is_credential_header(&name) {
                credential_values(&name, &value, found);
                (name, REDACTED.to_owned())
            } else {
                (name, value)
            }
        })
        .collect()
}

/// Keeps every value a credential header carries: the whole value, each
/// cookie's value, a scheme's parameter (`Bearer abc` → `abc`), a Basic
/// password. (`check --ndjson` redacts a recording's lines with it too.)
pub fn credential_values(name: &str, value: &str, found: &mut BTreeSet<String>) {
    let mut keep = |v: &str| {
        let v = v.trim();
        if !v.is_empty() {
            found.insert(v.to_owned());
        }
    };
    keep(value);
    if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie") {
        let pairs = if name.eq_ignore_ascii_case("set-cookie") {
            value.split(';').take(1).collect::<Vec<_>>()
        } else {
            value.split(';').collect()
        };
        for pair in pairs {
            if let Some((_, v)) = pair.split_once('=') {
                keep(v);
            }
        }
    } else if let Some((scheme, parameter)) = value.trim().split_once(' ') {
        keep(parameter);
        // `Basic base64(user:password)`: the password itself, too.
        if scheme.eq_ignore_ascii_case("basic")
            && let Some(decoded) = decode_base64(parameter.trim())
            && let Ok(text) = String::from_utf8(decoded)
            && let Some((_, password)) = text.split_once(':')
        {
            keep(password);
        }
    }
}

/// Decodes base64 as tools write it: standard or URL-safe, padded or not,
/// line breaks allowed.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())
}

impl Entry {
    fn into_line(self, index: u64, found: &mut BTreeSet<String>) -> ExchangeLine {
        let request = self.request;
        let mut url = request.url.0;
        if let Ok(parsed) = reqwest::Url::parse(&url) {
            if let Some(password) = parsed.password() {
                found.insert(password.to_owned());
            }
            if !parsed.username().is_empty() {
                found.insert(parsed.username().to_owned());
            }
            url = http::without_userinfo(&parsed);
        }
        let query = request.query.unwrap_or_default();
        if !url.contains('?') && !query.is_empty() {
            let encoded: Vec<String> = query
                .into_iter()
                .map(|pair| {
                    format!(
                        "{}={}",
                        text::encode(&pair.name.unwrap_or_default().0),
                        text::encode(&pair.value.unwrap_or_default().0)
                    )
                })
                .collect();
            url = format!("{url}?{}", encoded.join("&"));
        }
        let request = RequestRecord {
            method: request.method.0,
            url,
            headers: headers(request.headers, found),
        };
        let (response, not_exercisable) = match self.response {
            None => (None, Some("the capture holds no response".to_owned())),
            Some(response) => {
                let status = response.status.unwrap_or(0.0);
                let error = response
                    .error
                    .as_ref()
                    .map(|e| format!(" ({})", e.0))
                    .unwrap_or_default();
                if status == 0.0 {
                    let why = format!(
                        "no response: status 0 in the capture (the request was aborted, blocked or failed){error}"
                    );
                    (None, Some(why))
                } else if status.fract() != 0.0 || !(1.0..=65535.0).contains(&status) {
                    let why = format!("status {status} in the capture is not an HTTP status");
                    (None, Some(why))
                } else {
                    let headers = headers(response.headers, found);
                    let (body, why) = body(response.content, response.body_size);
                    let response = ResponseLine {
                        status: status as u16,
                        headers,
                        body,
                    };
                    (Some(response), why)
                }
            }
        };
        ExchangeLine {
            schema_version: EXCHANGE_SCHEMA_VERSION.to_owned(),
            seq: index,
            source: Source::HarEntry(index),
            request,
            response,
            started: self.started.map(|s| s.0),
            elapsed_ms: self.time.filter(|t| t.is_finite() && *t >= 0.0),
            not_exercisable,
        }
    }
}

/// The body a HAR `content` holds, and why it cannot be checked when it cannot.
fn body(content: Option<Content>, body_size: Option<f64>) -> (Body, Option<String>) {
    let content = content.unwrap_or(Content {
        size: None,
        text: None,
        encoding: None,
        comment: None,
    });
    let size = content
        .size
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| s as u64);
    let comment = content
        .comment
        .map(|c| c.0)
        .filter(|c| !c.trim().is_empty());
    let note = comment
        .as_ref()
        .map(|c| format!(" (the capture says: {c})"))
        .unwrap_or_default();
    let Some(text) = content.text else {
        let transferred = body_size.filter(|s| *s > 0.0).is_some();
        if size == Some(0) && !transferred {
            return (Body::inline(Vec::new(), false), None);
        }
        let why = format!("the capture holds no body text{note}");
        return (
            Body::omitted(size.unwrap_or(0), None, why.clone()),
            Some(why),
        );
    };
    let bytes = match content.encoding.map(|e| e.0) {
        None => text.0.into_bytes(),
        Some(encoding) if encoding.is_empty() => text.0.into_bytes(),
        Some(encoding) if encoding.eq_ignore_ascii_case("base64") => match decode_base64(&text.0) {
            Some(bytes) => bytes,
            None => {
                let why = "the capture's content.text is not valid base64".to_owned();
                return (
                    Body::omitted(size.unwrap_or(0), None, why.clone()),
                    Some(why),
                );
            }
        },
        Some(encoding) => {
            let why =
                format!("the capture's content.encoding {encoding:?} is not one sdconform decodes");
            return (
                Body::omitted(size.unwrap_or(0), None, why.clone()),
                Some(why),
            );
        }
    };
    let held = bytes.len() as u64;
    let says_truncated = comment
        .as_ref()
        .is_some_and(|c| c.to_ascii_lowercase().contains("truncat"));
    match size {
        Some(size) if size > held => {
            let why = format!("the capture holds {held} of the body's {size} bytes{note}");
            (Body::inline(bytes, true), Some(why))
        }
        _ if says_truncated => {
            let why = format!("the capture truncated the body{note}");
            (Body::inline(bytes, true), Some(why))
        }
        _ => (Body::inline(bytes, false), None),
    }
}
