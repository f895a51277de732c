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
    /// A secret cannot be redacted (refused before any request), or an output
    /// would still hold one (not written).
    #[error("keep the secrets out of every output")]
    Secret(#[source] crate::secret::RedactError),
    /// The report directory is another run's, or cannot be written.
    #[error("use the report directory")]
    ReportDir(#[source] crate::report::lock::DirError),
    /// A capture given to `check` (`--har`, `--ndjson`) is missing or unreadable.
    #[error("read the capture")]
    Capture(#[source] crate::jsonfile::FileError),
    /// The fuzz regressions file could not be saved.
    #[error("save the fuzz regressions file")]
    SaveRegressions(#[source] crate::report::regressions::SaveError),
    /// `exchanges.ndjson` could not be written, or would have held a secret.
    #[error("record the exchanges")]
    Record(#[source] crate::report::exchanges::RecordError),
    /// A recording could not be rechecked.
    #[error("recheck")]
    Recheck(#[source] crate::recheck::RecheckError),
    /// A bundle could not be made.
    #[error("make the bundle")]
    Pack(#[source] crate::bundle::PackError),
    /// A key could not be made, written or read.
    #[error("use the signing key")]
    Key(#[source] crate::bundle::KeyError),
    /// A bundle does not verify (exit 7), or could not be read (exit 3).
    #[error("verify the bundle")]
    Verify(#[source] crate::bundle::VerifyError),
    /// A bundle differs from its manifest, its signature or its exchanges in
    /// this many ways (listed on stderr before).
    #[error("verify the bundle: it differs from what it claims in {0} way(s), listed above")]
    NotAuthentic(usize),
    /// An error whose message held a secret, scrubbed: its chain without the
    /// leading "failed to ", and the exit code of the error it was.
    #[error("{message}")]
    Scrubbed {
        /// The scrubbed chain.
        message: String,
        /// The original error's exit code.
        exit: Exit,
    },
    /// The cloud (`--os-cloud`) could not be resolved from clouds.yaml and the `OS_*` variables.
    #[error("resolve the cloud")]
    Cloud(#[from] crate::cloud::CloudError),
    /// The cloud's identity service gave no usable token or endpoint.
    #[error("connect to the cloud")]
    Identity(#[from] crate::identity::IdentityError),
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
            | Error::ReadReport(_)
            | Error::Capture(_)
            | Error::Key(_) => Exit::Usage,
            Error::Pack(crate::bundle::PackError::Io {
                action: "write", ..
            }) => Exit::Incomplete,
            Error::Pack(_) => Exit::Usage,
            Error::Recheck(crate::recheck::RecheckError::Runtime(_)) => Exit::Incomplete,
            Error::Recheck(_) => Exit::Usage,
            Error::NotAuthentic(_) => Exit::NotAuthentic,
            Error::Verify(error) if error.is_tampering() => Exit::NotAuthentic,
            Error::Verify(_) => Exit::Incomplete,
            Error::Secret(
                crate::secret::RedactError::TooShort { .. }
                | crate::secret::RedactError::Vocabulary { .. },
            ) => Exit::Usage,
            Error::Runtime(_)
            | Error::Reference(_)
            | Error::Http(_)
            | Error::Report(_)
            | Error::Secret(_)
            | Error::ReportDir(_)
            | Error::SaveRegressions(_)
            | Error::Record(_) => Exit::Incomplete,
            Error::Cloud(e) => e.exit(),
            Error::Identity(e) => e.exit(),
            Error::Scrubbed { exit, .. } => *exit,
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
