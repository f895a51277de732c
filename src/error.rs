//! Harness errors (not contract violations): each maps to one exit code.

use crate::case::load::LoadError;
use crate::contract::ContractError;
use crate::exit::Exit;
use crate::http::HttpError;
use crate::http::tls::TlsError;
use crate::report::json::WriteError;

/// Everything that can stop a command before it reaches a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or its value is wrong.
    #[error("use the command line as documented: {0}")]
    Usage(String),
    /// The schemas could not be loaded.
    #[error("load the contract schemas")]
    Contract(#[from] ContractError),
    /// The cases could not be loaded.
    #[error("load the cases")]
    Cases(#[from] LoadError),
    /// The fuzz regressions file could not be read.
    #[error("load the fuzz regressions file")]
    Regressions(#[source] crate::fuzz::RegressionError),
    /// The async runtime could not start.
    #[error("start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The embedded reference target could not start.
    #[error("start the embedded reference target")]
    Reference(#[source] std::io::Error),
    /// A TLS file (`--cacert`, `--client-cert`, `--client-key`) is missing or unusable.
    #[error("load the TLS files")]
    Tls(#[from] TlsError),
    /// The HTTP client could not be built.
    #[error("build the HTTP client")]
    Http(#[from] HttpError),
    /// The report could not be written.
    #[error("write the report")]
    Report(#[from] WriteError),
    /// The `--waivers` file is missing or invalid.
    #[error("load the waivers")]
    Waivers(#[from] crate::waiver::WaiverError),
    /// A report given to `compare` is missing or not an sdconform report.
    #[error("read a report")]
    ReadReport(#[source] crate::report::read::ReadError),
    /// Fixtures could not be created (what was created is deleted first), or
    /// `cleanup` could not list a project's leftovers.
    #[error("{what}")]
    Fixtures {
        /// What was being done, e.g. `create the fixtures in project 95d0...`.
        what: String,
        /// Why it failed.
        #[source]
        source: Box<crate::fixture::FixtureError>,
    },
    /// `--other-cloud NAME` could not be resolved from clouds.yaml.
    #[error("resolve --other-cloud {name}")]
    OtherCloud {
        /// The cloud's name.
        name: String,
        /// Why.
        #[source]
        source: Box<crate::cloud::CloudError>,
    },
    /// `--other-cloud NAME` could not be authenticated, or is no other project.
    #[error("authenticate --other-cloud {name}")]
    OtherIdentity {
        /// The cloud's name.
        name: String,
        /// Why.
        #[source]
        source: Box<crate::identity::IdentityError>,
    },
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_)
            | Error::Contract(_)
            | Error::Cases(_)
            | Error::Regressions(_)
            | Error::Tls(_)
            | Error::Waivers(_)
            | Error::ReadReport(_) => Exit::Usage,
            Error::Runtime(_) | Error::Reference(_) | Error::Http(_) | Error::Report(_) => {
                Exit::Incomplete
            }
            Error::Fixtures { .. } => Exit::Fixtures,
            Error::OtherCloud { source, .. } => source.exit(),
            Error::OtherIdentity { source, .. } => source.exit(),
        }
    }
}

/// The error and its causes on one line, as main prints it.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = format!("failed to {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
