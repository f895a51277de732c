//! The capture `check` reads: a HAR file (`--har`) or an `exchanges.ndjson`
//! (`--ndjson`), streamed into a [`Checker`] one exchange at a time, so that
//! neither the file nor its exchanges are ever held whole.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::checker::{Checker, Format};
use crate::capture::{ExchangeReader, read_har};
use crate::jsonfile::FileError;

/// A capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    /// HAR 1.2, as browsers, proxies and gateways export it.
    Har(PathBuf),
    /// sdconform's own `exchanges.ndjson`.
    Ndjson(PathBuf),
}

impl Capture {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Capture::Har(path) | Capture::Ndjson(path) => path,
        }
    }

    /// Its kind.
    pub fn format(&self) -> Format {
        match self {
            Capture::Har(_) => Format::Har,
            Capture::Ndjson(_) => Format::Ndjson,
        }
    }

    /// Feeds every exchange of the file to `checker`; what the file says of
    /// itself (`HAR 1.2, written by mitmproxy 11.0.2`).
    pub fn read_into(&self, checker: &mut Checker) -> Result<String, FileError> {
        match self {
            Capture::Har(path) => {
                let summary = read_har(path, |line| {
                    checker.exchange(line);
                    ControlFlow::Continue(())
                })?;
                checker.add_credentials(&summary.credentials);
                let mut about = format!(
                    "HAR {}",
                    summary.version.as_deref().unwrap_or("(no version)")
                );
                if let Some(creator) = &summary.creator {
                    about.push_str(&format!(", written by {creator}"));
                }
                if let Some(browser) = &summary.browser {
                    about.push_str(&format!(" ({browser})"));
                }
                Ok(about)
            }
            Capture::Ndjson(path) => {
                for line in ExchangeReader::open(path)? {
                    checker.exchange(line?);
                }
                Ok("exchanges.ndjson".to_owned())
            }
        }
    }
}
