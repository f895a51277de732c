//! Where a setting came from: what `doctor` shows for each value (never the
//! value of a secret) and what an error points at.
//!
//! ```text
//! /home/ci/.config/openstack/clouds.yaml:12
//! environment variable OS_PASSWORD
//! --os-region-name
//! default
//! ```

use std::fmt;
use std::path::PathBuf;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a file.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// An environment variable.
    Env(String),
    /// A command-line flag.
    Flag(String),
    /// sdconform's (or OpenStack's) default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Flag(name) => f.write_str(name),
            Origin::Default => f.write_str("default"),
        }
    }
}
