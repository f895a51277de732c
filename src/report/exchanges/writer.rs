//! The streaming writer of `exchanges.ndjson`: one line per exchange, written
//! as it comes (memory stays flat however long the run), into a temporary file
//! that becomes `exchanges.ndjson` when the recording is finished.
//!
//! Each line goes through, in order:
//!
//! 1. credentials out: credential headers (`X-Auth-Token`, `Authorization`,
//!    `Cookie`, `Set-Cookie`, ...) become `<redacted>`, a URL loses its
//!    userinfo, and every spelling of every secret (raw, percent-encoded,
//!    JSON-escaped, base64) is replaced in every string and in the body bytes;
//! 2. `--redact-field` patterns blank body fields (a body that is not JSON
//!    cannot be searched for them, so it is left out);
//! 3. a body already stored (same SHA-256, at least [`DEDUP_MIN_BYTES`]) is
//!    written as `same_as` the line that stores it;
//! 4. past the recording budget (`--record-bytes`) a body is left out, with
//!    its size, hash and a note;
//! 5. a last look: a line in which a spelling of a secret is still found is
//!    never written (its body is left out, and if that is not enough the
//!    recording fails). Fail closed.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tempfile::NamedTempFile;

use super::field::{self, FieldPattern};
use crate::http::{self, REDACTED};
use crate::model::{Body, BodyContent, ExchangeLine, RequestRecord, RunEnd, RunHeader};
use crate::secret::{RedactError, Secrets};

/// The file name inside the report directory.
pub const FILE_NAME: &str = "exchanges.ndjson";

/// The default recording budget (`--record-bytes`): 64 MiB of bodies.
pub const DEFAULT_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// Bodies smaller than this are written again rather than referred to: a
/// `same_as` would save little, and the index of stored bodies stays small.
pub const DEDUP_MIN_BYTES: usize = 256;

/// What the recording keeps.
#[derive(Debug, Clone)]
pub struct RecordSettings {
    /// Bytes of bodies written (as stored: base64 counts its own length) past
    /// which bodies are left out.
    pub budget: u64,
    /// `--redact-field` patterns.
    pub redact_fields: Vec<FieldPattern>,
}

impl Default for RecordSettings {
    fn default() -> Self {
        RecordSettings {
            budget: DEFAULT_RECORD_BYTES,
            redact_fields: Vec::new(),
        }
    }
}

/// Why the recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file could not be written.
    #[error("write {}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line could not be serialized.
    #[error("serialize an exchange")]
    Serialize(#[source] serde_json::Error),
    /// A secret could not be kept out of a line: nothing more is written.
    #[error(transparent)]
    Secret(#[from] RedactError),
    /// Lines written out of their order.
    #[error("write exchanges.ndjson: {0}")]
    Order(&'static str),
}

/// What a finished recording holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    /// The file written.
    pub path: PathBuf,
    /// Exchanges written.
    pub lines: u64,
    /// Bodies stored in their line.
    pub bodies_inline: u64,
    /// Bodies written as `same_as` an earlier line.
    pub bodies_same_as: u64,
    /// Bodies left out (budget, not JSON under `--redact-field`, secret still found).
    pub bodies_omitted: u64,
    /// Bytes of bodies stored, as counted against the budget.
    pub body_bytes: u64,
}

/// The writer of one run's `exchanges.ndjson`.
#[derive(Debug)]
pub struct ExchangeWriter {
    path: PathBuf,
    file: BufWriter<NamedTempFile>,
    settings: RecordSettings,
    secrets: Secrets,
    /// SHA-256 of each body stored inline (at least DEDUP_MIN_BYTES) → its line's seq.
    stored: HashMap<String, u64>,
    summary: RecordSummary,
    /// A line (header or exchange) has been written.
    started: bool,
}

impl ExchangeWriter {
    /// Starts `dir/exchanges.ndjson` (the directory is created); nothing is
    /// at that path until [`ExchangeWriter::finish`].
    pub fn create(
        dir: &Path,
        settings: RecordSettings,
        secrets: Secrets,
    ) -> Result<ExchangeWriter, RecordError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| RecordError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(FILE_NAME);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".exchanges.ndjson.");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let file = builder.tempfile_in(dir).map_err(io(dir))?;
        Ok(ExchangeWriter {
            summary: RecordSummary {
                path: path.clone(),
                lines: 0,
                bodies_inline: 0,
                bodies_same_as: 0,
                bodies_omitted: 0,
                body_bytes: 0,
            },
            path,
            file: BufWriter::new(file),
            settings,
            secrets,
            stored: HashMap::new(),
            started: false,
        })
    }

    /// Writes `line` (its `seq` is set here, its body must be inline or left
    /// out) after the redactions the module doc lists; returns its `seq`.
    pub fn record(&mut self, mut line: ExchangeLine) -> Result<u64, RecordError> {
        let seq = self.summary.lines;
        line.seq = seq;
        self.scrub_strings(&mut line);
        if let Some(response) = &mut line.response {
            let body = std::mem::replace(&mut response.body, Body::omitted(0, None, ""));
            response.body = self.store(seq, body)?;
        }
        let text = serde_json::to_string(&line).map_err(RecordError::Serialize)?;
        self.secrets.ensure_absent(&text, FILE_NAME)?;
        self.write_line(&text)?;
        self.started = true;
        self.summary.lines += 1;
        Ok(seq)
    }

    /// Writes the run's header, which must be the file's first line.
    pub fn header(&mut self, header: &RunHeader) -> Result<(), RecordError> {
        if self.summary.lines > 0 || self.started {
            return Err(RecordError::Order("the run header must be the first line"));
        }
        self.started = true;
        self.write_value(header)
    }

    /// Writes `end` as the last line, then [`ExchangeWriter::finish`]es.
    pub fn finish_run(mut self, mut end: RunEnd) -> Result<RecordSummary, RecordError> {
        end.end.exchanges = self.summary.lines;
        self.write_value(&end)?;
        self.finish()
    }

    /// One line that is not an exchange, scrubbed of secrets (fail closed).
    fn write_value<T: serde::Serialize>(&mut self, value: &T) -> Result<(), RecordError> {
        let text = serde_json::to_string(value).map_err(RecordError::Serialize)?;
        let text = self.secrets.scrub_str(&text);
        self.secrets.ensure_absent(&text, FILE_NAME)?;
        self.write_line(&text)
    }

    fn write_line(&mut self, text: &str) -> Result<(), RecordError> {
        let io = |source| RecordError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(text.as_bytes()).map_err(io)?;
        self.file.write_all(b"\n").map_err(io)
    }

    /// Flushes the file and moves it to `exchanges.ndjson`.
    pub fn finish(self) -> Result<RecordSummary, RecordError> {
        let io = |source| RecordError::Io {
            path: self.path.clone(),
            source,
        };
        let file = self.file.into_inner().map_err(|e| io(e.into_error()))?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(&self.path).map_err(|e| io(e.error))?;
        Ok(self.summary)
    }

    /// Credentials and secrets out of every string of the line but the body.
    fn scrub_strings(&self, line: &mut ExchangeLine) {
        let scrub = |text: &mut String| {
            if !self.secrets.is_empty() {
                *text = self.secrets.scrub_str(text);
            }
        };
        let headers = |headers: &mut Vec<(String, String)>| {
            for (name, value) in headers.iter_mut() {
                if http::is_credential_header(name) {
                    REDACTED.clone_into(value);
                } else {
                    scrub(value);
                }
                scrub(name);
            }
        };
        let RequestRecord {
            method,
            url,
            headers: request_headers,
        } = &mut line.request;
        scrub(method);
        if let Ok(parsed) = reqwest::Url::parse(url) {
            *url = http::without_userinfo(&parsed);
        }
        scrub(url);
        headers(request_headers);
        if let Some(response) = &mut line.response {
            headers(&mut response.headers);
        }
        match &mut line.source {
            crate::model::Source::Case(text)
            | crate::model::Source::Fuzz(text)
            | crate::model::Source::FuzzShrink(text) => scrub(text),
            crate::model::Source::HarEntry(_) => {}
        }
        for text in [&mut line.started, &mut line.not_exercisable]
            .into_iter()
            .flatten()
        {
            scrub(text);
        }
    }

    /// The body as it is written: scrubbed, blanked, stored once, within budget.
    fn store(&mut self, seq: u64, mut body: Body) -> Result<Body, RecordError> {
        let bytes = match std::mem::replace(&mut body.content, BodyContent::Omitted(String::new()))
        {
            BodyContent::Inline(bytes) => bytes,
            BodyContent::Omitted(why) => {
                body.content = BodyContent::Omitted(self.secrets.scrub_str(&why));
                self.summary.bodies_omitted += 1;
                return Ok(body);
            }
            BodyContent::SameAs(_) => {
                self.summary.bodies_omitted += 1;
                return Ok(Body::omitted(
                    body.size,
                    body.sha256,
                    "stored in another recording (same_as cannot be carried over)",
                ));
            }
        };
        let bytes = scrub_bytes(bytes, &self.secrets);
        let (bytes, pointers) = if self.settings.redact_fields.is_empty() {
            (bytes, Vec::new())
        } else {
            match field::blank(&bytes, &self.settings.redact_fields) {
                Some(blanked) => (blanked.bytes, blanked.pointers),
                None => {
                    self.summary.bodies_omitted += 1;
                    return Ok(Body::omitted(
                        bytes.len() as u64,
                        None,
                        "left out: the body is not JSON, so the fields --redact-field names \
                         cannot be found in it",
                    ));
                }
            }
        };
        let truncated = body.truncated;
        let mut body = Body::inline(bytes, truncated);
        body.redacted_fields = pointers;
        let hash = body.sha256.clone().unwrap_or_default();
        let size = body.size;
        if size as usize >= DEDUP_MIN_BYTES
            && let Some(&earlier) = self.stored.get(&hash)
        {
            body.content = BodyContent::SameAs(earlier);
            self.summary.bodies_same_as += 1;
            return Ok(body);
        }
        let stored_len = match &body.content {
            BodyContent::Inline(bytes) if std::str::from_utf8(bytes).is_ok() => size,
            _ => size.div_ceil(3) * 4,
        };
        if self.summary.body_bytes.saturating_add(stored_len) > self.settings.budget {
            self.summary.bodies_omitted += 1;
            return Ok(omit(
                body,
                format!(
                    "left out: over the recording budget ({} bytes of bodies recorded, \
                     --record-bytes {})",
                    self.summary.body_bytes, self.settings.budget
                ),
            ));
        }
        // The last look at the body as it is spelled in the line.
        let spelled = serde_json::to_string(&body).map_err(RecordError::Serialize)?;
        if self.secrets.ensure_absent(&spelled, FILE_NAME).is_err() {
            self.summary.bodies_omitted += 1;
            return Ok(omit(
                body,
                "left out: a spelling of a secret is still in it after redaction".to_owned(),
            ));
        }
        self.summary.body_bytes += stored_len;
        self.summary.bodies_inline += 1;
        if size as usize >= DEDUP_MIN_BYTES {
            self.stored.insert(hash, seq);
        }
        Ok(body)
    }
}

/// `body` left out, `why`, its size, hash and redactions kept.
fn omit(body: Body, why: String) -> Body {
    Body {
        content: BodyContent::Omitted(why),
        ..body
    }
}

/// `bytes` with every spelling of every secret replaced by `<redacted>`.
fn scrub_bytes(bytes: Vec<u8>, secrets: &Secrets) -> Vec<u8> {
    let mut out = bytes;
    for spelling in secrets.spellings() {
        let finder = memchr::memmem::Finder::new(spelling.as_bytes());
        if finder.find(&out).is_none() {
            continue;
        }
        let mut next = Vec::with_capacity(out.len());
        let mut at = 0;
        for found in finder.find_iter(&out) {
            if found < at {
                continue;
            }
            next.extend_from_slice(&out[at..found]);
            next.extend_from_slice(REDACTED.as_bytes());
            at = found + spelling.len();
        }
        next.extend_from_slice(&out[at..]);
        out = next;
    }
    out
}

/// An exchange the harness sent, as a line to record: the adapter from what
/// `http` returns (the runner fills `source`).
pub struct Sent<'a> {
    /// Who sent it.
    pub source: crate::model::Source,
    /// The request as recorded by `http` (credentials already redacted).
    pub request: &'a RequestRecord,
    /// When it started.
    pub started: SystemTime,
    /// How long it took, body included.
    pub elapsed: Duration,
    /// Status code.
    pub status: u16,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body as received (decoded).
    pub body: &'a [u8],
    /// Whether the body cap cut it (`http::Exchange::body_cut.is_some()`).
    pub truncated: bool,
}

impl Sent<'_> {
    /// The line for [`ExchangeWriter::record`].
    pub fn line(&self) -> ExchangeLine {
        ExchangeLine {
            schema_version: crate::model::EXCHANGE_SCHEMA_VERSION.to_owned(),
            seq: 0,
            source: self.source.clone(),
            request: self.request.clone(),
            response: Some(crate::model::ResponseLine {
                status: self.status,
                headers: self.headers.clone(),
                body: Body::inline(self.body.to_vec(), self.truncated),
            }),
            started: Some(humantime::format_rfc3339_micros(self.started).to_string()),
            elapsed_ms: Some(self.elapsed.as_secs_f64() * 1000.0),
            not_exercisable: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn secrets(token: &str) -> Secrets {
        let mut set = Secrets::new();
        set.add("the token", &Secret::new(token))
            .unwrap_or_else(|e| panic!("{e}"));
        set
    }

    #[test]
    fn bytes_are_scrubbed_of_every_spelling_even_when_not_utf8() {
        let set = secrets("a+b/c=\"d");
        let body = [
            b"\xff raw a+b/c=\"d, ".as_slice(),
            b"pct a%2Bb%2Fc%3D%22d, json a+b/c=\\\"d, b64 YStiL2M9ImQ= ",
            b"YStiL2M9ImQ end",
        ]
        .concat();
        let out = scrub_bytes(body, &set);
        assert_eq!(
            out,
            b"\xff raw <redacted>, pct <redacted>, json <redacted>, b64 <redacted> <redacted> end"
        );
        assert_eq!(scrub_bytes(b"aaaa".to_vec(), &secrets("aa-a")), b"aaaa");
    }
}
