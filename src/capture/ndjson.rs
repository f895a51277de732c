//! Reading `exchanges.ndjson` back, one line at a time: what `recheck`,
//! `check --ndjson` and `verify` stand on.
//!
//! Memory stays flat: a line is parsed, handed over and dropped. A body stored
//! once and referred to later (`same_as`) is read again from its line when
//! needed; the reader keeps only the offsets of the lines that store bodies.
//! Every line is checked as it is read (its `seq`, its body against its
//! SHA-256), and an error names `file:line:col`. A recording of `run` or
//! `fuzz` starts with the run's line and ends with its end line
//! (`model::RunHeader`, `model::RunEnd`): the reader keeps them aside
//! ([`ExchangeReader::header`], [`ExchangeReader::end`]) and yields exchanges only.
//!
//!
//! ```text
//! exchanges.ndjson:7:98: /response/body: sha256 9f1c... does not match the text (whose sha256 is 03ab...)
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::jsonfile::locate::syntax_error;
use crate::jsonfile::{FileError, Positions, path_pointer};
use crate::model::{BodyContent, EXCHANGE_SCHEMA_VERSION, ExchangeLine, RunEnd, RunHeader};

/// The longest line read (a body of the harness's largest cap, in base64, fits).
pub const MAX_LINE_BYTES: u64 = 512 * 1024 * 1024;

/// The lines of one `exchanges.ndjson`, in order, bodies resolved.
pub struct ExchangeReader {
    /// The file as given, for messages.
    name: String,
    lines: BufReader<File>,
    /// A second handle on the file, for `same_as` look-ups.
    side: File,
    /// The 1-based number of the last line read.
    line_no: usize,
    /// The byte offset of the next line.
    offset: u64,
    /// The `seq` the next exchange must have.
    next_seq: u64,
    /// `(seq, offset, line number)` of every line that stores a body, by seq.
    stored: Vec<(u64, u64, usize)>,
    /// The last body read through `same_as`.
    cache: Option<(u64, Vec<u8>)>,
    /// A line read ahead by [`ExchangeReader::open`] and not yet handed over.
    pending: Option<(Vec<u8>, u64)>,
    /// Set after an error: the iteration is over.
    failed: bool,
    /// The run's header (the first line of a recording), once read.
    header: Option<RunHeader>,
    /// The run's end (the last line of a finished recording), once read.
    end: Option<RunEnd>,
}

impl ExchangeReader {
    /// Opens `path`, without looking at its first line.
    fn open_plain(path: &Path) -> Result<ExchangeReader, FileError> {
        let io = |source| FileError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        // Its own open file, not a clone: a clone shares the offset, and a
        // look-up would move the reading.
        let side = File::open(path).map_err(io)?;
        Ok(ExchangeReader {
            name: path.display().to_string(),
            lines: BufReader::new(file),
            side,
            line_no: 0,
            offset: 0,
            next_seq: 0,
            stored: Vec::new(),
            cache: None,
            pending: None,
            failed: false,
            header: None,
            end: None,
        })
    }

    /// Opens `path`, reading its first line when it is a run's header (a
    /// recording of `run` or `fuzz`: [`ExchangeReader::header`]); a file without
    /// one (exchanges alone) reads as well. The iteration yields exchanges only:
    /// the run's end line, the last of a recording, is [`ExchangeReader::end`].
    pub fn open(path: &Path) -> Result<ExchangeReader, FileError> {
        let mut reader = ExchangeReader::open_plain(path)?;
        if let Some((bytes, _)) = reader.peek_text()?
            && let Ok(header) = serde_json::from_slice::<RunHeader>(&bytes)
        {
            reader.check_version(&bytes, &header.schema_version)?;
            reader.header = Some(header);
            reader.pending = None;
        }
        Ok(reader)
    }

    /// The run's header, when the file starts with one.
    pub fn header(&self) -> Option<&RunHeader> {
        self.header.as_ref()
    }

    /// The run's end line, once the iteration has reached it (a recording cut
    /// short has none).
    pub fn end(&self) -> Option<&RunEnd> {
        self.end.as_ref()
    }

    /// The next line's text without consuming it.
    fn peek_text(&mut self) -> Result<Option<(Vec<u8>, u64)>, FileError> {
        if self.pending.is_none() {
            self.pending = self.next_text()?;
        }
        Ok(self.pending.clone())
    }

    /// An error unless `version` is the one this build reads.
    fn check_version(&self, bytes: &[u8], version: &str) -> Result<(), FileError> {
        if version == EXCHANGE_SCHEMA_VERSION {
            return Ok(());
        }
        Err(self.error_at(
            bytes,
            "/schema_version",
            format!(
                "schema_version {version:?} is not one this sdconform reads ({EXCHANGE_SCHEMA_VERSION})"
            ),
        ))
    }

    /// The next line's text (without its newline), or `None` at the end.
    fn next_text(&mut self) -> Result<Option<(Vec<u8>, u64)>, FileError> {
        loop {
            let mut buffer = Vec::new();
            let start = self.offset;
            let read = (&mut self.lines)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut buffer)
                .map_err(|source| FileError::Io {
                    path: self.name.clone().into(),
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            self.offset += read as u64;
            if buffer.len() as u64 > MAX_LINE_BYTES {
                return Err(self.error(
                    1,
                    "",
                    format!("the line is longer than {MAX_LINE_BYTES} bytes"),
                ));
            }
            if buffer.last() == Some(&b'\n') {
                buffer.pop();
            }
            if buffer.last() == Some(&b'\r') {
                buffer.pop();
            }
            if !buffer.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some((buffer, start)));
            }
        }
    }

    /// An error at the value `pointer` names in `text`, the current line.
    fn error_at(&self, text: &[u8], pointer: &str, message: String) -> FileError {
        let text = String::from_utf8_lossy(text);
        let (_, column) = Positions::new(&self.name, &text).at(pointer);
        self.error(column, pointer, message)
    }

    /// An error at column `column` of the current line.
    fn error(&self, column: usize, pointer: &str, message: String) -> FileError {
        FileError::Invalid {
            file: self.name.clone(),
            line: self.line_no,
            column,
            pointer: if pointer.is_empty() {
                "(the line)".to_owned()
            } else {
                pointer.to_owned()
            },
            message,
        }
    }

    /// `bytes` (the current line) as an exchange line.
    fn parse(&self, bytes: &[u8]) -> Result<ExchangeLine, FileError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let column = String::from_utf8_lossy(&bytes[..e.valid_up_to()])
                .chars()
                .count()
                + 1;
            self.error(column, "", "the line is not UTF-8".to_owned())
        })?;
        let syntax = |error: &serde_json::Error| {
            let (_, column, message) = syntax_error(text, error);
            FileError::Syntax {
                file: self.name.clone(),
                line: self.line_no,
                column,
                message,
            }
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let line: ExchangeLine =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
                if e.inner().is_data() {
                    let pointer = path_pointer(e.path());
                    let (_, column) = Positions::new(&self.name, text).at(&pointer);
                    self.error(column, &pointer, without_position(e.inner()))
                } else {
                    syntax(e.inner())
                }
            })?;
        deserializer.end().map_err(|e| syntax(&e))?;
        Ok(line)
    }

    /// The bytes of the body stored by line `seq`.
    fn stored_body(&mut self, seq: u64, sha256: Option<&str>) -> Result<Vec<u8>, Unresolved> {
        if let Some((cached, bytes)) = &self.cache
            && *cached == seq
        {
            return Ok(bytes.clone());
        }
        let missing = || {
            Unresolved::At(
                "/response/body/same_as",
                format!("same_as {seq} names no earlier line that stores a body"),
            )
        };
        let Ok(at) = self.stored.binary_search_by_key(&seq, |(s, _, _)| *s) else {
            return Err(missing());
        };
        let (_, offset, line_no) = self.stored[at];
        let mut buffer = Vec::new();
        let read = self.side.seek(SeekFrom::Start(offset)).and_then(|_| {
            BufReader::new(&mut self.side)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut buffer)
        });
        if let Err(source) = read {
            return Err(Unresolved::Io(FileError::Io {
                path: self.name.clone().into(),
                source,
            }));
        }
        let line: ExchangeLine = serde_json::from_slice(buffer.trim_ascii_end()).map_err(|e| {
            Unresolved::At(
                "/response/body/same_as",
                format!("line {line_no}, which same_as names, no longer reads: {e}"),
            )
        })?;
        let Some(body) = line.response.map(|r| r.body) else {
            return Err(missing());
        };
        if sha256.is_some() && body.sha256.as_deref() != sha256 {
            return Err(Unresolved::At(
                "/response/body/sha256",
                format!(
                    "the body of line {line_no} (seq {seq}), which same_as names, has another sha256"
                ),
            ));
        }
        let BodyContent::Inline(bytes) = body.content else {
            return Err(missing());
        };
        self.cache = Some((seq, bytes.clone()));
        Ok(bytes)
    }

    fn next_line(&mut self) -> Result<Option<ExchangeLine>, FileError> {
        let next = match self.pending.take() {
            Some(pending) => Some(pending),
            None => self.next_text()?,
        };
        let Some((bytes, offset)) = next else {
            return Ok(None);
        };
        if self.end.is_some() {
            return Err(self.error(
                1,
                "",
                "a line after the run's end line (the end line is the last)".to_owned(),
            ));
        }
        let mut line = match self.parse(&bytes) {
            Ok(line) => line,
            Err(error) => match serde_json::from_slice::<RunEnd>(&bytes) {
                Ok(end) => {
                    self.check_version(&bytes, &end.schema_version)?;
                    self.end = Some(end);
                    return self.next_line();
                }
                Err(_) => return Err(error),
            },
        };
        self.check_version(&bytes, &line.schema_version)?;
        if line.seq != self.next_seq {
            return Err(self.error_at(
                &bytes,
                "/seq",
                format!(
                    "seq is {}, expected {} (exchanges are numbered from 0, in order)",
                    line.seq, self.next_seq
                ),
            ));
        }
        self.next_seq += 1;
        if let Some(response) = &mut line.response {
            match &response.body.content {
                BodyContent::Inline(bytes) if !bytes.is_empty() => {
                    self.stored.push((line.seq, offset, self.line_no));
                }
                BodyContent::SameAs(seq) => {
                    let stored = match self.stored_body(*seq, response.body.sha256.as_deref()) {
                        Ok(stored) => stored,
                        Err(Unresolved::Io(error)) => return Err(error),
                        Err(Unresolved::At(pointer, message)) => {
                            return Err(self.error_at(&bytes, pointer, message));
                        }
                    };
                    response.body.content = BodyContent::Inline(stored);
                }
                _ => {}
            }
        }
        Ok(Some(line))
    }
}

/// Why a `same_as` could not be resolved.
enum Unresolved {
    /// The file could not be read again.
    Io(FileError),
    /// The reference is wrong: the pointer to blame in the referring line, and why.
    At(&'static str, String),
}

/// serde_json's message without its " at line L column C".
fn without_position(error: &serde_json::Error) -> String {
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    message.strip_suffix(&suffix).unwrap_or(&message).to_owned()
}

impl Iterator for ExchangeReader {
    type Item = Result<ExchangeLine, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_line() {
            Ok(line) => line.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"schema_version":"1.0","run":{"command":"fuzz","tool":"sdconform 0.1.0","started_at":"2026-01-31T15:12:36Z","target":{"url":"http://h","project_id":"p","embedded":false,"insecure":false,"authenticated":false},"profile":"documented","clock_skew_ms":60000,"contract_source":"embedded","cases_source":"none (sdconform fuzz)","waivers":null,"gate":{"fail_on":"must","strict_waivers":false},"formats":["json"],"selection":{"filter":null,"skip":[],"exact":false},"fuzz":null,"record":{"budget":0,"redact_fields":[]}}}"#;
    const EXCHANGE: &str = r#"{"schema_version":"1.0","seq":0,"source":{"fuzz":""},"request":{"method":"GET","url":"http://h/v1/p/software_deployments","headers":[]}}"#;
    const END: &str = r#"{"schema_version":"1.0","end":{"finished_at":"2026-01-31T15:12:37Z","duration_ms":5,"exchanges":1,"interrupted":null,"tls_certificate_sha256":null}}"#;

    fn read(lines: &[&str]) -> (Option<RunHeader>, Vec<Result<ExchangeLine, String>>, bool) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("exchanges.ndjson");
        std::fs::write(&path, lines.join("\n")).unwrap_or_else(|e| panic!("{e}"));
        let mut reader = ExchangeReader::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let header = reader.header().cloned();
        let items = reader
            .by_ref()
            .map(|l| l.map_err(|e| e.to_string()))
            .collect();
        (header, items, reader.end().is_some())
    }

    /// Issue 12: the run's line and end line are kept aside, in their places only.
    #[test]
    fn the_run_line_and_the_end_line_are_set_aside_in_their_places() {
        let (header, items, end) = read(&[HEADER, EXCHANGE, END]);
        assert_eq!(header.map(|h| h.run.command), Some("fuzz".to_owned()));
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok() && end);
        let (header, items, end) = read(&[EXCHANGE]);
        assert!(header.is_none() && items.len() == 1 && !end);
        let (_, items, _) = read(&[HEADER, EXCHANGE, END, EXCHANGE]);
        let last = items.last();
        assert!(
            matches!(last, Some(Err(e)) if e.contains(":4:") && e.contains("after the run's end line")),
            "{last:?}"
        );
        // A run line anywhere but first is not an exchange.
        let (_, items, _) = read(&[EXCHANGE, HEADER]);
        assert!(
            matches!(items.last(), Some(Err(e)) if e.contains(":2:")),
            "{items:?}"
        );
    }
}
